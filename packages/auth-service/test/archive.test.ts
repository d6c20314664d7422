/**
 * The history archive (docs/SECURITY.md 10.13), in process, on each engine:
 * append only while the signed list says archive=true, dedupe by tag,
 * keyset pages, clear, the per-account byte limit, turning archive off deletes
 * it, and nobody sees another account's segments.
 */
import { randomBytes } from 'node:crypto';
import type { TAppendArchiveResponse, TListArchiveResponse } from '@lockbox/contracts';
import { enginesUnderTest } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuth, type TestAuth } from './helpers/auth-service';
import {
  b64,
  entry,
  listBody,
  type Owner,
  owner,
  type Res,
  registerDevice,
  updateList,
} from './helpers/devices';

const MAX_BYTES = 4096;
const segment = (size = 100) => ({ tag: b64(randomBytes(32)), blob: b64(randomBytes(size)) });

describe.each(enginesUnderTest())('history archive on %s', (engine) => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await startAuth(engine, { ARCHIVE_MAX_BYTES: String(MAX_BYTES) });
  });
  afterAll(() => auth?.close());

  const withArchive = async (archive = true) => {
    const o = await owner(auth.api);
    const d = entry('phone');
    expect((await registerDevice(auth.api, o, o.token, 1, [d], d.device_id, archive)).status).toBe(201);
    return { ...o, device: d };
  };
  const append = (o: Owner, segments: unknown) =>
    auth.api.post<Res<TAppendArchiveResponse>>('/auth/archive', { token: o.token, body: { segments } });
  const list = (o: Owner, query = '') =>
    auth.api.get<Res<TListArchiveResponse>>(`/auth/archive${query}`, { token: o.token });

  it('appends, skips duplicate tags, and lists oldest first in keyset pages', async () => {
    const o = await withArchive();
    const segs = Array.from({ length: 5 }, () => segment());
    const first = await append(o, segs.slice(0, 3));
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ stored: 3, duplicates: 0 });
    // Two already stored, one repeated inside the request, two new.
    const second = await append(o, [segs[1], segs[2], segs[3], segs[3], segs[4]]);
    expect(second.json).toEqual({ stored: 2, duplicates: 3 });

    const all = await list(o);
    expect(all.status).toBe(200);
    expect(all.json.segments.map(({ tag, blob }) => ({ tag, blob }))).toEqual(segs);
    expect(all.json.next_cursor).toBeNull();
    const cursors = all.json.segments.map((s) => Number(s.cursor));
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    expect(new Set(cursors).size).toBe(5);

    const page1 = await list(o, '?limit=2');
    expect(page1.json.segments.map((s) => s.tag)).toEqual([segs[0]?.tag, segs[1]?.tag]);
    const page2 = await list(o, `?limit=2&after=${page1.json.next_cursor}`);
    expect(page2.json.segments.map((s) => s.tag)).toEqual([segs[2]?.tag, segs[3]?.tag]);
    const page3 = await list(o, `?limit=2&after=${page2.json.next_cursor}`);
    expect(page3.json.segments.map((s) => s.tag)).toEqual([segs[4]?.tag]);
    expect(page3.json.next_cursor).toBeNull();
    for (const bad of ['?limit=0', '?limit=501', '?after=-1', '?after=abc'])
      expect((await list(o, bad)).status, bad).toBe(400);
  });

  it('refuses to append while the signed list says archive=false, or with no list at all (409)', async () => {
    const off = await withArchive(false);
    const res = await append(off, [segment()]);
    expect(res.status).toBe(409);
    expect(res.json.error.message).toMatch(/archive is off/);
    const bare = await owner(auth.api);
    expect((await append(bare, [segment()])).status).toBe(409);
    expect((await list(off)).json.segments).toEqual([]);
  });

  it('refuses bad segments (tag not 32 bytes, empty or oversized batch) with 400 and stores nothing', async () => {
    const o = await withArchive();
    for (const segments of [
      [{ tag: b64(randomBytes(31)), blob: b64(randomBytes(10)) }],
      [{ ...segment(), extra: 1 }],
      [],
      Array.from({ length: 101 }, () => segment(1)),
    ])
      expect((await append(o, segments)).status).toBe(400);
    expect((await list(o)).json.segments).toEqual([]);
  });

  it('keeps each account under ARCHIVE_MAX_BYTES (413, nothing stored); clear frees the room', async () => {
    const o = await withArchive();
    expect((await append(o, [segment(3000)])).status).toBe(201);
    const over = await append(o, [segment(500), segment(700)]);
    expect(over.status).toBe(413);
    expect((await list(o)).json.segments).toHaveLength(1);
    expect((await append(o, [segment(1000)])).status).toBe(201);
    expect((await auth.api.del('/auth/archive', { token: o.token })).status).toBe(204);
    expect((await list(o)).json).toEqual({ segments: [], next_cursor: null });
    expect((await append(o, [segment(4000)])).status).toBe(201);
  });

  it("never shows or clears another account's segments", async () => {
    const a = await withArchive();
    const b = await withArchive();
    const mine = segment();
    expect((await append(a, [mine])).status).toBe(201);
    // The same tag under another account is that account's own segment, not a duplicate.
    expect((await append(b, [mine])).json).toEqual({ stored: 1, duplicates: 0 });
    expect((await auth.api.del('/auth/archive', { token: b.token })).status).toBe(204);
    const seen = await list(a);
    expect(seen.json.segments.map((s) => s.tag)).toEqual([mine.tag]);
    expect((await list(b)).json.segments).toEqual([]);
  });

  it('turning archive off in a new signed list deletes the archive in the same step; appends are then refused', async () => {
    const o = await withArchive();
    expect((await append(o, [segment(), segment()])).status).toBe(201);
    const off = await updateList(auth.api, o, o.token, listBody(o, 2, [o.device], false));
    expect(off.status).toBe(200);
    expect((await list(o)).json.segments).toEqual([]);
    expect((await append(o, [segment()])).status).toBe(409);
    const on = await updateList(auth.api, o, o.token, listBody(o, 3, [o.device], true));
    expect(on.status).toBe(200);
    expect((await append(o, [segment(4000)])).status).toBe(201);
  });
});
