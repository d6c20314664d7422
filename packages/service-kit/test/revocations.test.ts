/** The revocation list mirrored from auth's feed: read to the end, kept for a token lifetime, 503 until first synced. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors';
import { createRevocationList, type RevocationPage } from '../src/revocations';

const log = pino({ level: 'silent' });

/** An in-memory feed like auth's `internal.revocationsSince`: seq-numbered, pages of `pageSize`. */
const feed = (pageSize: number) => {
  const entries: string[] = [];
  let down = false;
  let calls = 0;
  return {
    revoke: (sid: string) => entries.push(sid),
    setDown: (v: boolean) => {
      down = v;
    },
    get calls() {
      return calls;
    },
    fetchSince: async (after: number): Promise<RevocationPage> => {
      calls++;
      if (down) throw new Error('ECONNREFUSED');
      const page = entries.slice(after, after + pageSize);
      return { cursor: after + page.length, revoked: page.map((session_id) => ({ session_id })) };
    },
  };
};

describe('createRevocationList', () => {
  it('reads the feed to its end, page by page, and then knows every revoked session', async () => {
    const f = feed(3);
    for (let i = 0; i < 8; i++) f.revoke(`ses_${i}`);
    const list = createRevocationList({ fetchSince: f.fetchSince, log, pageSize: 3 });
    expect(list.synced).toBe(false);
    await list.poll();
    expect(list.synced).toBe(true);
    expect(f.calls).toBe(3);
    for (let i = 0; i < 8; i++) expect(list.isRevoked(`ses_${i}`)).toBe(true);
    expect(list.isRevoked('ses_other')).toBe(false);
    // Later polls ask only for what is new.
    f.revoke('ses_8');
    await list.poll();
    expect(list.isRevoked('ses_8')).toBe(true);
    expect(f.calls).toBe(4);
  });

  it('forgets a session after the retention (its tokens have expired by then)', async () => {
    const f = feed(10);
    f.revoke('ses_old');
    const list = createRevocationList({ fetchSince: f.fetchSince, log, retainMs: 0 });
    await list.poll();
    expect(list.isRevoked('ses_old')).toBe(false);
  });

  it('is not trusted before the first successful read: ensureSynced answers 503, then recovers', async () => {
    const f = feed(10);
    f.revoke('ses_a');
    f.setDown(true);
    const list = createRevocationList({ fetchSince: f.fetchSince, log });
    const err = await list.ensureSynced().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).appCode).toBe('service_unavailable');
    f.setDown(false);
    await list.ensureSynced();
    expect(list.isRevoked('ses_a')).toBe(true);
    // Once synced, an outage keeps what it knows instead of failing requests.
    f.setDown(true);
    await list.poll();
    expect(list.synced).toBe(true);
    expect(list.isRevoked('ses_a')).toBe(true);
  });

  it('joins a poll already running instead of starting another', async () => {
    const f = feed(10);
    const list = createRevocationList({ fetchSince: f.fetchSince, log });
    await Promise.all([list.poll(), list.poll(), list.ensureSynced()]);
    expect(f.calls).toBe(1);
  });
});
