/**
 * The message service as MLS Delivery Service (v2-wire.md §2), through the
 * gateway on every engine: MLS items in the per-user stream, the first commit
 * for an epoch wins under concurrency (the rest 409, nothing lost, no cursor
 * or seq skipped), a commit's Welcome right after it, idempotent retries, who
 * may send, bad input, v1 untouched, and the hand-over to realtime.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ZMessage, ZServerFrameSchema } from '@lockbox/contracts';
import {
  type Engine,
  enginesUnderTest,
  eventually,
  expectStatus,
  mlsPrivateMessage,
  mlsWelcome,
  type TestUser,
} from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  envelope,
  type MessagingStack,
  readStream,
  send,
  startMessaging,
} from './helpers/messaging';
import { epochOf, type MlsAnswer, mlsSend, postMls, releasedTogether, sendMls } from './helpers/mls';
import { type RealtimeStub, startRealtimeStub } from './helpers/realtime-stub';

const BLOB_LIMIT = 4096;

describe.each(enginesUnderTest())('MLS delivery on %s', (engine: Engine) => {
  let m: MessagingStack;
  let realtime: RealtimeStub;
  beforeAll(async () => {
    realtime = await startRealtimeStub();
    m = await startMessaging(engine, {
      serviceEnv: { messages: { MESSAGE_BLOB_MAX_BYTES: String(BLOB_LIMIT), REALTIME_URLS: realtime.url } },
    });
  });
  afterAll(async () => {
    await m?.stack.stop();
    await realtime?.close();
  });

  const pair = async (): Promise<[TestUser, TestUser, string]> => {
    const [a, b] = [await m.user(), await m.user()];
    return [a, b, await connect(m.api, a, b)];
  };

  it('stores application, commit and welcome items in both streams; the commit advances the epoch', async () => {
    const [a, b, conv] = await pair();
    expect(await epochOf(m.api, a, b)).toBe(0);
    const app = mlsSend(conv, b.id, 'application', 0);
    const first = await sendMls(m.api, a, app);
    expect(first).toEqual({
      message_id: expect.stringMatching(/^msg_/),
      conversation_id: conv,
      seq: 1,
      cursor: '1',
      created_at: expect.any(String),
      mls: { kind: 'application', epoch: 0 },
    });
    const commit = mlsSend(conv, a.id, 'commit', 0, { welcome: true });
    const second = await sendMls(m.api, b, commit);
    expect(second).toMatchObject({ seq: 2, cursor: '2', mls: { kind: 'commit', epoch: 0 } });
    expect(second.welcome).toEqual({
      message_id: expect.stringMatching(/^msg_/),
      seq: 3,
      cursor: '3',
      epoch: 1,
    });
    expect(await epochOf(m.api, a, b)).toBe(1);
    expect(await epochOf(m.api, b, a)).toBe(1);

    for (const viewer of [a, b]) {
      const stream = await readStream(m.api, viewer);
      // Every served item passes the schema the SDK checks answers with.
      for (const item of stream) ZMessage.parse(item);
      expect(stream.map((x) => [x.cursor, x.seq, x.mls])).toEqual([
        ['1', 1, { kind: 'application', epoch: 0 }],
        ['2', 2, { kind: 'commit', epoch: 0 }],
        ['3', 3, { kind: 'welcome', epoch: 1 }],
      ]);
      expect(stream.map((x) => x.encrypted_blob)).toEqual([app.message, commit.message, commit.welcome]);
      expect(stream.every((x) => x.signature === '' && x.sender_public_key === undefined)).toBe(true);
      expect(stream[2]).toMatchObject({
        id: second.welcome?.message_id,
        sender_id: b.id,
        recipient_id: a.id,
      });
    }

    // The hand-over: every item to both users, each with that viewer's cursor, commit before welcome.
    const live = await eventually(async () => {
      const got = realtime.delivered.filter((d) => d.event.data.conversation_id === conv);
      return got.length === 6 ? got : undefined;
    });
    for (const d of live) ZServerFrameSchema.parse(d.event);
    expect(
      live.map((d) => [d.recipients[0], d.event.data.cursor, (d.event.data.mls as { kind: string }).kind]),
    ).toEqual([
      [b.id, '1', 'application'],
      [a.id, '1', 'application'],
      [a.id, '2', 'commit'],
      [b.id, '2', 'commit'],
      [a.id, '3', 'welcome'],
      [b.id, '3', 'welcome'],
    ]);
  });

  it('commit race: ten concurrent commits for one epoch from both users → one 201, nine 409; rebasing loses nothing', async () => {
    const [a, b, conv] = await pair();
    const c = await m.user();
    await connect(m.api, a, c); // a's stream runs ahead of b's: the cursors differ per viewer
    await send(m.api, c, envelope(a.id));
    const committers = Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a));
    const other = (u: TestUser) => (u === a ? b : a);
    const apps: Array<Promise<MlsAnswer>> = [];
    let pending = committers.map((_, i) => i);
    let epoch = 0;
    const winners: number[] = [];
    while (pending.length > 0) {
      const round = await Promise.all(
        pending.map((i) => {
          const from = committers[i] as TestUser;
          // Application messages interleaved with the commits, all stored whatever the commits do.
          apps.push(sendMls(m.api, from, mlsSend(conv, other(from).id, 'application', epoch)));
          return postMls(
            m.api,
            from,
            mlsSend(conv, other(from).id, 'commit', epoch, { welcome: i % 3 === 0 }),
          );
        }),
      );
      const won = round.flatMap((r, k) => (r.status === 201 ? [pending[k] as number] : []));
      expect(won, `round at epoch ${epoch}`).toHaveLength(1);
      for (const r of round.filter((r) => r.status !== 201)) {
        expect(r.status).toBe(409);
        expect(r.json).toMatchObject({
          error: { code: 'conflict', message: expect.stringContaining(`at epoch ${epoch + 1};`) },
        });
      }
      winners.push(won[0] as number);
      epoch++;
      expect(await epochOf(m.api, a, b)).toBe(epoch);
      pending = pending.filter((i) => i !== won[0]);
    }
    const appAnswers = await Promise.all(apps);

    const streamA = await readStream(m.api, a);
    const streamB = await readStream(m.api, b);
    const mine = (s: typeof streamA) => s.filter((x) => x.mls !== undefined);
    // Both see the same items in the same order, with cursors and seqs that skip nothing.
    expect(mine(streamA).map((x) => x.id)).toEqual(streamB.map((x) => x.id));
    expect(streamA.map((x) => x.cursor)).toEqual(streamA.map((_, i) => String(i + 1)));
    expect(streamB.map((x) => x.cursor)).toEqual(streamB.map((_, i) => String(i + 1)));
    expect(streamB.map((x) => x.seq)).toEqual(streamB.map((_, i) => i + 1));
    // Every application message is stored once; the commits are one per epoch, in epoch order,
    // each followed by its Welcome when it had one.
    const ids = new Set(streamB.map((x) => x.id));
    for (const ans of appAnswers) expect(ids.has(ans.message_id)).toBe(true);
    const handshake = streamB.filter((x) => x.mls?.kind !== 'application');
    const expected = winners.flatMap((i, e) => [['commit', e], ...(i % 3 === 0 ? [['welcome', e + 1]] : [])]);
    expect(handshake.map((x) => [x.mls?.kind, x.mls?.epoch])).toEqual(expected);
    for (const w of handshake.filter((x) => x.mls?.kind === 'welcome'))
      expect(streamB[streamB.findIndex((x) => x.id === w.id) - 1]?.mls?.kind).toBe('commit');
  });

  it('idempotent: a retried commit that won answers its original result (not 409), also concurrently', async () => {
    const [a, b, conv] = await pair();
    const commit = mlsSend(conv, b.id, 'commit', 0, { welcome: true });
    const retries = await Promise.all(Array.from({ length: 5 }, () => postMls(m.api, a, commit)));
    expect(retries.map((r) => r.status)).toEqual(Array(5).fill(201));
    expect(new Set(retries.map((r) => JSON.stringify(r.json))).size).toBe(1);
    const original = retries[0]?.json as MlsAnswer;
    expect(original.welcome).toBeDefined();
    // Later, after more traffic and another commit, the same retry still gets the same answer.
    await sendMls(m.api, b, mlsSend(conv, a.id, 'commit', 1));
    const late = await postMls(m.api, a, { ...commit, message: mlsSend(conv, b.id, 'commit', 0).message });
    expect(late.status).toBe(201);
    expect(late.json).toEqual(original);
    expect((await readStream(m.api, b)).map((x) => x.mls?.kind)).toEqual(['commit', 'welcome', 'commit']);
    expect(await epochOf(m.api, a, b)).toBe(2);
    // A refused commit stored nothing: retrying it is judged again, and refused again.
    const stale = mlsSend(conv, b.id, 'commit', 0);
    expect((await postMls(m.api, a, stale)).status).toBe(409);
    expect((await postMls(m.api, a, stale)).status).toBe(409);
    expect(await readStream(m.api, b)).toHaveLength(3);
  });

  it.skipIf(engine !== 'postgres')(
    'requests released together from one lock: one commit for the epoch wins, and concurrent retries of it all get its answer',
    async () => {
      const [a, b, conv] = await pair();
      const url = m.stack.databaseUrl as string;
      const commits = Array.from({ length: 6 }, (_, i) => mlsSend(conv, i % 2 ? a.id : b.id, 'commit', 0));
      const raced = await releasedTogether(url, a.id, commits.length, () =>
        Promise.all(commits.map((c, i) => postMls(m.api, i % 2 ? b : a, c))),
      );
      expect(raced.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      const retry = mlsSend(conv, b.id, 'commit', 1, { welcome: true });
      const retries = await releasedTogether(url, a.id, 4, () =>
        Promise.all(Array.from({ length: 4 }, () => postMls(m.api, a, retry))),
      );
      expect(retries.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(retries.map((r) => JSON.stringify(r.json))).size).toBe(1);
      expect((await readStream(m.api, b)).map((x) => x.mls?.kind)).toEqual(['commit', 'commit', 'welcome']);
      expect(await epochOf(m.api, a, b)).toBe(2);
    },
  );

  it('403 to a non-contact, to a pending request, when blocked either way; 404 epoch for a non-contact', async () => {
    const [a, b, conv] = await pair();
    const [c, d] = [await m.user(), await m.user()];
    expectStatus(
      await m.api.post('/chat-requests/send', { token: a.token, body: { to_user_id: d.id } }),
      201,
    );
    for (const to of [c, d]) {
      expect((await postMls(m.api, a, mlsSend(conv, to.id, 'application', 0))).status).toBe(403);
      expect((await postMls(m.api, a, mlsSend(conv, to.id, 'commit', 0, { welcome: true }))).status).toBe(
        403,
      );
      expect((await m.api.get(`/messages/mls/epoch/${to.id}`, { token: a.token })).status).toBe(404);
    }
    expect((await postMls(m.api, c, mlsSend(conv, a.id, 'commit', 0))).status).toBe(403);
    expectStatus(await m.api.post(`/contacts/${a.id}/block`, { token: b.token }), 200);
    expect((await postMls(m.api, a, mlsSend(conv, b.id, 'commit', 0))).status).toBe(403);
    expect((await postMls(m.api, b, mlsSend(conv, a.id, 'application', 0))).status).toBe(403);
    for (const u of [a, b, c, d]) expect(await readStream(m.api, u)).toEqual([]);
    expect(await epochOf(m.api, a, b)).toBe(0);
  });

  it('bad input: 400 (or 413 over the blob limit) and nothing stored, epoch unchanged', async () => {
    const [a, b, conv] = await pair();
    const base = mlsSend(conv, b.id, 'commit', 0);
    const bad: Array<Record<string, unknown>> = [
      { kind: 'welcome' },
      { kind: 'proposal' },
      { kind: 'application', welcome: 'AAAA' },
      { epoch: -1 },
      { epoch: 0.5 },
      { epoch: '0' },
      { message: 'AAA' },
      { message: '' },
      { welcome: 'not base64!' },
      { signature: 'AAAA' },
      { sender_id: b.id },
      { encrypted_blob: 'AAAA' },
      { recipient_id: a.id },
    ];
    for (const patch of bad) {
      const res = await postMls(m.api, a, { ...base, ...patch });
      expect(res.status, JSON.stringify(patch)).toBe(400);
    }
    const { epoch: _omit, ...missing } = base;
    expect((await postMls(m.api, a, missing)).status).toBe(400);
    const over = await postMls(m.api, a, mlsSend(conv, b.id, 'commit', 0, { bytes: BLOB_LIMIT + 1 }));
    expect(over.status).toBe(413);
    expect(await readStream(m.api, b)).toEqual([]);
    expect(await epochOf(m.api, a, b)).toBe(0);
    expect((await postMls(m.api, a, mlsSend(conv, b.id, 'commit', 0, { bytes: BLOB_LIMIT }))).status).toBe(
      201,
    );
  });

  it('header check: a commit that is garbage, of another group, epoch or kind, or with a non-Welcome welcome → 400, nothing stored, epoch unchanged', async () => {
    const [a, b, conv] = await pair();
    const [, , otherConv] = await pair();
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const commit = mlsSend(conv, b.id, 'commit', 0);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['garbage', { message: b64(randomBytes(64)) }, 'not one whole MLS 1.0 message'],
      [
        'trailing bytes',
        { message: b64(Buffer.concat([mlsPrivateMessage(conv, 0, 'commit'), Buffer.from([0])])) },
        'not one whole',
      ],
      ['a Welcome as the message', { message: b64(mlsWelcome()) }, 'not a framed group message'],
      ['another conversation', { message: b64(mlsPrivateMessage(otherConv, 0, 'commit')) }, 'group id'],
      ['epoch mismatch', { message: b64(mlsPrivateMessage(conv, 1, 'commit')) }, 'epoch 1'],
      [
        'kind mismatch',
        { message: b64(mlsPrivateMessage(conv, 0, 'application')) },
        'content type is application',
      ],
      [
        'proposal as commit',
        { message: b64(mlsPrivateMessage(conv, 0, 'proposal')) },
        'content type is proposal',
      ],
      [
        'application as commit',
        { kind: 'application', message: b64(mlsPrivateMessage(conv, 0, 'commit')) },
        'content type is commit',
      ],
      ['welcome not a Welcome', { welcome: b64(mlsPrivateMessage(conv, 0, 'commit')) }, 'welcome is not'],
      ['welcome garbage', { welcome: b64(randomBytes(100)) }, 'welcome is not'],
    ];
    for (const [name, patch, words] of cases) {
      const res = await postMls(m.api, a, { ...commit, ...patch, client_msg_id: randomUUID() });
      expect(res.status, name).toBe(400);
      expect(res.json, name).toMatchObject({
        error: { code: 'invalid_input', message: expect.stringContaining(words) },
      });
    }
    expect(await readStream(m.api, a)).toEqual([]);
    expect(await readStream(m.api, b)).toEqual([]);
    expect(await epochOf(m.api, a, b)).toBe(0);
    expect((await postMls(m.api, a, commit)).status).toBe(201);
    expect(await epochOf(m.api, b, a)).toBe(1);
  });

  it('v1 sends keep working unchanged beside MLS items; a v1 client_msg_id is not reused for MLS', async () => {
    const [a, b, conv] = await pair();
    const env = envelope(b.id);
    const v1 = await send(m.api, a, env);
    await sendMls(m.api, b, mlsSend(conv, a.id, 'commit', 0));
    expect(await send(m.api, b, envelope(a.id))).toMatchObject({ seq: 3, cursor: '3' });
    expect(Object.keys(v1).sort()).toEqual(['conversation_id', 'created_at', 'cursor', 'message_id', 'seq']);
    const stream = await readStream(m.api, b);
    expect(stream.map((x) => x.mls?.kind ?? 'v1')).toEqual(['v1', 'commit', 'v1']);
    expect(stream[0]).not.toHaveProperty('mls');
    expect(stream[0]).toMatchObject({ signature: env.signature, encrypted_blob: env.encrypted_blob });
    const reuse = await postMls(m.api, a, {
      ...mlsSend(conv, b.id, 'application', 1),
      client_msg_id: env.client_msg_id,
    });
    expect(reuse.status).toBe(409);
    expect(await readStream(m.api, b)).toHaveLength(3);
  });
});
