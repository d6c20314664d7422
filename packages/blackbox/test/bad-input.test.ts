/**
 * RELIABILITY.md "Bad input" (B1–B14), through the gateway's public port only.
 * Each case checks three things: the right 4xx with its JSON error code, every
 * process of the stack still running (after each test), and nothing stored
 * (a refused sign-up leaves no user, a refused send leaves the streams as
 * they were). Cases run on one stack; B14 (idempotent sends) on every engine.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  authContract,
  messagesContract,
  pathParamsOf,
  type RestOperation,
  restRoutesOf,
} from '@lockbox/contracts';
import {
  type Engine,
  enginesUnderTest,
  expectStatus,
  makeContacts,
  misbehave,
  mlsPrivateMessage,
  mustOpen,
  noteOf,
  openSocket,
  readStream,
  type TestUser,
  uniqueName,
} from '@lockbox/testkit';
import { exportSPKI, importJWK, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf } from '../src/bad-credentials';
import { deviceBodiesFor } from '../src/device-bodies';
import { envelopeTo } from '../src/envelope';
import { type FullStack, startFullStack } from '../src/full-stack';
import { type RawAnswer, rawExchange, requestHead } from '../src/raw-http';
import { tokenForge } from '../src/token-forge';

const ENGINES = enginesUnderTest();
/** Postgres when there is one: the signing key B9 forges with is then readable without restarting auth. */
const MAIN = ENGINES.at(-1) as Engine;
const BODY_LIMIT = 1024 * 1024;
const BLOB_LIMIT = 64 * 1024;

const stacks = new Map<Engine, FullStack>();
let main: FullStack;

beforeAll(async () => {
  await Promise.all(ENGINES.map(async (engine) => stacks.set(engine, await startFullStack(engine))));
  main = stacks.get(MAIN) as FullStack;
});
afterAll(async () => {
  await Promise.all([...stacks.values()].map((s) => s.stack.stop()));
});

/** "Process alive" of every case: no process of any stack exited, and the gateway says all is well. */
afterEach(async () => {
  for (const { stack, api } of stacks.values()) {
    for (const p of stack.processes)
      expect({ name: p.name, exit: p.child?.exitCode, signal: p.child?.signalCode }).toEqual({
        name: p.name,
        exit: null,
        signal: null,
      });
    expect((await api.get('/health')).status).toBe(200);
  }
});

// ---- shared steps ----------------------------------------------------------------------------

interface Answer {
  status: number;
  json: unknown;
  text: string;
}

/** Rows of a table whose answer is not one of `statuses` with one of `codes` (empty means all held). */
const wrongAnswers = (rows: Array<{ label: string; res: Answer }>, statuses: number[], codes: string[]) =>
  rows
    .filter(({ res }) => !statuses.includes(res.status) || !codes.includes(errorCodeOf(res.json) ?? ''))
    .map(({ label, res }) => `${label}: ${res.status} ${res.text.slice(0, 160)}`);

const envelope = (to: TestUser, note?: string, clientMsgId?: string) => envelopeTo(to, { note, clientMsgId });

const credentials = () => ({ username: uniqueName('bi'), password: `pw-${randomUUID()}` });

/** A chat request's sealed note as the SDK sends it: opaque to the server (random bytes will do). */
const sealedNote = () => ({
  encrypted_blob: randomBytes(2048).toString('base64'),
  signature: randomBytes(64).toString('base64'),
});

/** Two fresh users who are contacts. */
const contacts = async (on: FullStack = main): Promise<[TestUser, TestUser]> => {
  const [a, b] = [await on.user('bi'), await on.user('bi')];
  await makeContacts(on.api, a, b);
  return [a, b];
};

/**
 * Nothing stored: no account answers to any of these names (search is a prefix match on the name). The
 * same search finds an account that does exist, so an empty answer means something.
 */
const expectNoUsers = async (usernames: string[]) => {
  const [viewer, existing] = [await main.user('bi'), await main.user('bi')];
  const search = async (name: string) =>
    expectStatus(
      await main.api.get<Array<{ username: string }>>(`/users/search?q=${name}`, { token: viewer.token }),
      200,
    ).map((u) => u.username);
  expect(await search(existing.username)).toEqual([existing.username]);
  const found: string[] = [];
  for (const name of usernames) found.push(...(await search(name)));
  expect(found).toEqual([]);
};

/** Nothing stored: each user's whole message stream is exactly this many messages. */
const expectStreams = async (users: TestUser[], count: number) => {
  for (const user of users) expect(await readStream(main.api, user)).toHaveLength(count);
};

const post = (path: string, body: string | Buffer, headers: Record<string, string>, token?: string) =>
  main.api.post(path, { body, headers, ...(token ? { token } : {}) });
const JSON_TYPE = { 'content-type': 'application/json' };

/** Every public-contract REST route (auth and messages). */
const ROUTES: RestOperation[] = [...restRoutesOf(authContract), ...restRoutesOf(messagesContract)];

/** The keys of an operation's input object (unwrapping prefault/optional), read from its zod schema. */
const inputKeys = (op: RestOperation): string[] => {
  let schema = op.op.input as unknown as { shape?: object; _zod?: { def?: { innerType?: unknown } } };
  for (let i = 0; i < 4 && schema && !schema.shape; i++)
    schema = schema._zod?.def?.innerType as typeof schema;
  return schema?.shape ? Object.keys(schema.shape) : [];
};

// ---- B1–B3: the body itself ------------------------------------------------------------------

describe('bad bodies', () => {
  it('[B1] a body over the 1 MiB limit → 413 before it is read (declared, streamed, REST and tRPC); nothing stored', async () => {
    const [alice, bob] = await contacts();
    const oversized = { ...envelope(bob), encrypted_blob: 'A'.repeat(BODY_LIMIT + 4) };
    const creds = { ...credentials(), password: 'p'.repeat(2 * BODY_LIMIT) };
    const rows = [
      {
        label: 'POST /messages/send',
        res: await main.api.post('/messages/send', { token: alice.token, body: oversized }),
      },
      {
        label: 'POST /trpc/messages.send',
        res: await main.api.post('/trpc/messages.send', { token: alice.token, body: oversized }),
      },
      { label: 'POST /auth/register', res: await main.api.post('/auth/register', { body: creds }) },
    ];
    expect(wrongAnswers(rows, [413], ['payload_too_large'])).toEqual([]);

    // Declared but never sent: the 413 comes back while the client still owes 50 MiB.
    const head = requestHead('POST', '/messages/send', main.stack.gatewayUrl, [
      'Content-Type: application/json',
      `Authorization: Bearer ${alice.token}`,
      `Content-Length: ${50 * BODY_LIMIT}`,
    ]);
    const declared = await rawExchange(main.stack.gatewayUrl, [head]);
    expect(declared.statuses).toEqual([413]);
    expect(errorCodeOf(declared.json)).toBe('payload_too_large');
    expect(declared.bytesSent).toBe(head.length);

    // Chunked, no length: refused once the stream passes the limit, long before its 32 MiB end.
    const streamed = await rawExchange(main.stack.gatewayUrl, chunkedUpload(alice, bob, 32 * BODY_LIMIT));
    expect(streamed.statuses).toEqual([413]);
    expect(errorCodeOf(streamed.json)).toBe('payload_too_large');
    expect(streamed.bytesSent).toBeLessThan(32 * BODY_LIMIT);

    await expectStreams([alice, bob], 0);
    await expectNoUsers([creds.username]);
  });

  it('[B2] truncated JSON and invalid UTF-8 → 400 invalid_json (REST and tRPC); nothing stored', async () => {
    const [alice, bob] = await contacts();
    const utf8Breakers: Array<[string, number[]]> = [
      ['a lone 0xFF byte', [0xff]],
      ['an overlong "/" (C0 AF)', [0xc0, 0xaf]],
      ['a UTF-16 surrogate as UTF-8 (ED A0 80)', [0xed, 0xa0, 0x80]],
      ['a cut multi-byte sequence (E2 82)', [0xe2, 0x82]],
    ];
    /** Broken spellings of one valid body: the bytes go inside its last string value. */
    const broken = (body: object): Array<[string, string | Buffer]> => {
      const text = JSON.stringify(body);
      return [
        ['truncated by one byte', text.slice(0, -1)],
        ['truncated mid-value', text.slice(0, Math.floor(text.length / 2))],
        ['only "{"', '{'],
        ['a trailing comma', `${text.slice(0, -1)},}`],
        ...utf8Breakers.map(([label, bytes]): [string, Buffer] => [
          label,
          Buffer.concat([Buffer.from(text.slice(0, -2)), Buffer.from(bytes), Buffer.from('"}')]),
        ]),
      ];
    };
    const names: string[] = [];
    const rows: Array<{ label: string; res: Answer }> = [];
    for (const [path, token, make] of [
      ['/auth/register', undefined, () => credentials()],
      ['/trpc/auth.register', undefined, () => credentials()],
      ['/messages/send', alice.token, () => envelope(bob)],
      ['/trpc/messages.send', alice.token, () => envelope(bob)],
    ] as const) {
      const body = make();
      if ('username' in body) names.push(body.username);
      for (const [label, text] of broken(body))
        rows.push({ label: `${path} ${label}`, res: await post(path, text, JSON_TYPE, token) });
    }
    expect(wrongAnswers(rows, [400], ['invalid_json'])).toEqual([]);
    await expectStreams([alice, bob], 0);
    // The sign-up bodies named fresh users: neither exists.
    await expectNoUsers(names);
  });

  it('[B3] a JSON body with a missing or wrong Content-Type → 415 unsupported_media_type; nothing stored', async () => {
    const [alice, bob] = await contacts();
    const contentTypes: Array<string | undefined> = [
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/jsonx',
      'text/json',
    ];
    const names: string[] = [];
    const rows: Array<{ label: string; res: Answer }> = [];
    for (const type of contentTypes) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      const creds = credentials();
      names.push(creds.username);
      rows.push({
        label: `register ${type}`,
        res: await post('/auth/register', JSON.stringify(creds), headers),
      });
      const send = JSON.stringify(envelope(bob));
      rows.push({ label: `send ${type}`, res: await post('/messages/send', send, headers, alice.token) });
      rows.push({
        label: `trpc send ${type}`,
        res: await post('/trpc/messages.send', send, headers, alice.token),
      });
    }
    expect(wrongAnswers(rows, [415], ['unsupported_media_type'])).toEqual([]);
    await expectStreams([alice, bob], 0);
    await expectNoUsers(names);
  });
});

/** A chunked `/messages/send` upload of `total` bytes of blob, written as it is generated. */
function* chunkedUpload(from: TestUser, to: TestUser, total: number): Generator<string> {
  yield requestHead('POST', '/messages/send', main.stack.gatewayUrl, [
    'Content-Type: application/json',
    `Authorization: Bearer ${from.token}`,
    'Transfer-Encoding: chunked',
  ]);
  const chunk = (data: string) => `${data.length.toString(16)}\r\n${data}\r\n`;
  yield chunk(`{"recipient_id":"${to.id}","client_msg_id":"${randomUUID()}","encrypted_blob":"`);
  const block = 'A'.repeat(64 * 1024);
  for (let sent = 0; sent < total; sent += block.length) yield chunk(block);
  yield chunk('","signature":"AAAA"}');
  yield '0\r\n\r\n';
}

// ---- B4–B8: bad values -----------------------------------------------------------------------

describe('bad values', () => {
  it('[B4] unknown keys, __proto__, constructor, prototype (top level, nested, escaped; bodies and queries) → 400; Object.prototype untouched; nothing stored', async () => {
    const [alice, bob] = await contacts();
    const [carol, dave] = [await main.user('bi'), await main.user('bi')];
    // What a successful pollution would plant: fields the services read, all pointing at dave.
    const planted = JSON.stringify({ to_user_id: dave.id, recipient_id: dave.id, message: 'polluted' });
    const injections: Array<[string, (text: string) => string]> = [
      ['an unknown key', (t) => `{"is_admin":true,${t.slice(1)}`],
      ['__proto__', (t) => `{"__proto__":${planted},${t.slice(1)}`],
      ['__proto__ spelled with an escape', (t) => `{"\\u005f_proto__":${planted},${t.slice(1)}`],
      ['constructor.prototype', (t) => `{"constructor":{"prototype":${planted}},${t.slice(1)}`],
      ['prototype', (t) => `{"prototype":${planted},${t.slice(1)}`],
      ['a nested __proto__', (t) => `{"extra":{"__proto__":${planted}},${t.slice(1)}`],
      ['__proto__ alone', () => `{"__proto__":${planted}}`],
    ];
    const targets: Array<[string, string | undefined, () => Record<string, unknown>]> = [
      ['/auth/register', undefined, credentials],
      ['/auth/login', undefined, credentials],
      ['/trpc/auth.register', undefined, credentials],
      ['/chat-requests/send', alice.token, () => ({ to_username: carol.username })],
      ['/trpc/chatRequests.send', alice.token, () => ({ to_username: carol.username })],
      [
        '/chat-requests/send',
        alice.token,
        () => ({ to_username: carol.username, sealed_message: sealedNote() }),
      ],
      ['/messages/send', alice.token, () => envelope(bob)],
      ['/trpc/messages.send', alice.token, () => envelope(bob)],
    ];
    const names: string[] = [];
    const rows: Array<{ label: string; res: Answer }> = [];
    for (const [path, token, make] of targets)
      for (const [label, inject] of injections) {
        const body = make();
        if (typeof body.username === 'string') names.push(body.username);
        const text = inject(JSON.stringify(body));
        rows.push({ label: `${path} ${label}`, res: await post(path, text, JSON_TYPE, token) });
      }
    const listInput = encodeURIComponent(`{"__proto__":${planted}}`);
    for (const path of [
      '/users/search?q=bi&__proto__[to_user_id]=x',
      '/users/search?q=bi&__proto__=x',
      '/users/search?q=bi&constructor=x',
      '/messages?constructor[prototype][after]=1',
      '/contacts?prototype=1',
      '/messages?is_admin=1',
      `/trpc/messages.list?input=${listInput}`,
    ])
      rows.push({ label: `GET ${path}`, res: await main.api.get(path, { token: alice.token }) });
    expect(wrongAnswers(rows, [400], ['invalid_input'])).toEqual([]);

    // Object.prototype untouched, seen from outside: had any of those landed, `{}` would carry dave's
    // to_user_id and a request without a note would carry the planted one.
    const empty = await main.api.post('/chat-requests/send', { token: alice.token, body: {} });
    expect([empty.status, errorCodeOf(empty.json)]).toEqual([400, 'invalid_input']);
    const control = expectStatus<{ to_user_id: string; message: unknown }>(
      await main.api.post('/chat-requests/send', {
        token: alice.token,
        body: { to_username: carol.username },
      }),
      201,
    );
    expect([control.to_user_id, control.message]).toEqual([carol.id, null]);
    expect((await main.api.get('/auth/me', { token: alice.token })).json).toEqual({
      id: alice.id,
      username: alice.username,
    });

    // Nothing stored: dave was asked by no one, carol only by the control, no message, no account.
    expect((await main.api.get('/chat-requests/incoming', { token: dave.token })).json).toEqual([]);
    expect(
      (await main.api.get<unknown[]>('/chat-requests/incoming', { token: carol.token })).json,
    ).toHaveLength(1);
    await expectStreams([alice, bob, dave], 0);
    await expectNoUsers(names);
  });

  it('[B5] huge integers, NaN, arrays, objects or null where ids belong → 400 (every id field of the contracts, body and query); nothing stored', async () => {
    const [alice, bob] = await contacts();
    const [carol, dave] = [await main.user('bi'), await main.user('bi')];
    const pending = expectStatus<{ id: string }>(
      await main.api.post('/chat-requests/send', { token: carol.token, body: { to_user_id: alice.id } }),
      201,
    ).id;
    const device = await deviceBodiesFor(main.api, alice);
    // An MLS message's header must name the conversation (its group id), so the valid body needs its id.
    const conversation = expectStatus<{ conversation_id: string }>(
      await main.api.get(`/messages/mls/epoch/${bob.id}`, { token: alice.token }),
      200,
    ).conversation_id;
    /** A valid body of each id-taking POST route (the bad value then replaces one field). */
    const validBodies: Record<string, () => Record<string, unknown>> = {
      '/auth/devices': device.register,
      '/auth/key-packages': device.upload,
      '/auth/key-packages/claim': () => ({ user_id: bob.id }),
      '/chat-requests/send': () => ({ to_user_id: dave.id }),
      '/chat-requests/respond': () => ({ request_id: pending, action: 'decline' }),
      '/messages/send': () => envelope(bob),
      '/messages/read': () => ({ contact_id: bob.id, up_to: 1 }),
      '/messages/mls': () => ({
        recipient_id: bob.id,
        client_msg_id: randomUUID(),
        kind: 'application',
        epoch: 0,
        message: mlsPrivateMessage(conversation, 0, 'application').toString('base64'),
      }),
    };
    const filled = (r: RestOperation) => r.rest.path.replace('{contact_id}', bob.id);
    expect(ID_ROUTES.map((r) => r.rest.path)).toEqual(
      expect.arrayContaining(['/chat-requests/respond', '/messages/send', '/messages', '/contacts']),
    );
    const bodyRoutes = ID_ROUTES.filter((r) => r.rest.method !== 'GET');
    expect(bodyRoutes.map((r) => r.rest.path).filter((p) => !validBodies[p])).toEqual([]);

    const rows: Array<{ label: string; res: Answer }> = [];
    for (const route of bodyRoutes) {
      const make = validBodies[route.rest.path] as () => Record<string, unknown>;
      for (const field of idFields(route))
        for (const bad of [...BAD_JSON_IDS, `[${JSON.stringify(make()[field])}]`]) {
          const text = JSON.stringify({ ...make(), [field]: '\u0000BAD' }).replace('"\\u0000BAD"', bad);
          const res = await post(route.rest.path, text, JSON_TYPE, alice.token);
          rows.push({ label: `${route.rest.path} ${field}=${bad}`, res });
        }
    }
    for (const route of ID_ROUTES.filter((r) => r.rest.method === 'GET'))
      for (const field of idFields(route))
        for (const bad of [
          ...BAD_QUERY_IDS.map((v) => `${field}=${v}`),
          `${field}=1&${field}=2`,
          `${field}[]=1`,
        ]) {
          const res = await main.api.get(`${filled(route)}?${bad}`, { token: alice.token });
          rows.push({ label: `GET ${route.rest.path}?${bad.slice(0, 60)}`, res });
        }
    expect(wrongAnswers(rows, [400], ['invalid_input', 'invalid_json'])).toEqual([]);

    // Nothing stored: dave was asked by no one (not even by an id wrapped in an array), carol's request
    // is still pending, no message, nothing read.
    expect((await main.api.get('/chat-requests/incoming', { token: dave.token })).json).toEqual([]);
    const stillPending = await main.api.get<Array<{ id: string }>>('/chat-requests/incoming', {
      token: alice.token,
    });
    expect(stillPending.json.map((r) => r.id)).toEqual([pending]);
    await expectStreams([alice, bob], 0);

    // Control, in contract order: the same calls with their valid ids work.
    for (const route of bodyRoutes)
      expect(
        (await main.api.post(route.rest.path, { token: alice.token, body: validBodies[route.rest.path]?.() }))
          .status,
      ).toBe(route.rest.status ?? 200);
    for (const route of ID_ROUTES.filter((r) => r.rest.method === 'GET'))
      expect((await main.api.get(filled(route), { token: alice.token })).status).toBe(200);
  });

  it('[B6] a 10,000-character username → 400 wherever a name goes; an over-sized ciphertext → 413, over-sized signature or key → 400; nothing stored', async () => {
    const [alice, bob] = await contacts();
    const long = 'a'.repeat(10_000);
    const nameCalls: Array<[string, object]> = [
      ['/auth/register', { username: long, password: 'pw-long-enough' }],
      ['/trpc/auth.register', { username: long, password: 'pw-long-enough' }],
      ['/auth/login', { username: long, password: 'pw-long-enough' }],
      ['/auth/prelogin', { username: long }],
      ['/chat-requests/send', { to_username: long }],
    ];
    const nameRows: Array<{ label: string; res: Answer }> = [
      { label: 'search', res: await main.api.get(`/users/search?q=${long}`, { token: alice.token }) },
    ];
    for (const [path, body] of nameCalls)
      nameRows.push({ label: path, res: await main.api.post(path, { token: alice.token, body }) });
    expect(wrongAnswers(nameRows, [400], ['invalid_input'])).toEqual([]);

    const b64 = (bytes: number) => randomBytes(bytes).toString('base64');
    const send = (change: Record<string, string>) =>
      main.api.post('/messages/send', { token: alice.token, body: { ...envelope(bob), ...change } });
    const blobRows = [
      { label: 'blob one byte over 64 KiB', res: await send({ encrypted_blob: b64(BLOB_LIMIT + 1) }) },
      { label: 'blob of 700 KiB', res: await send({ encrypted_blob: b64(700 * 1024) }) },
      { label: 'blob over the body limit', res: await send({ encrypted_blob: b64(BODY_LIMIT) }) },
    ];
    expect(wrongAnswers(blobRows, [413], ['payload_too_large'])).toEqual([]);
    const fieldRows = [
      { label: 'signature of 8 KiB', res: await send({ signature: b64(8 * 1024) }) },
      { label: 'sender key of 16 KiB', res: await send({ sender_public_key: b64(16 * 1024) }) },
    ];
    expect(wrongAnswers(fieldRows, [400], ['invalid_input'])).toEqual([]);

    // A chat request's sealed note is bounded like a message's envelope (issue 11).
    const dave = await main.user('bi');
    const ask = (change: Record<string, string>) =>
      main.api.post('/chat-requests/send', {
        token: alice.token,
        body: { to_user_id: dave.id, sealed_message: { ...sealedNote(), ...change } },
      });
    const noteRows = [
      { label: 'sealed note one byte over 64 KiB', res: await ask({ encrypted_blob: b64(BLOB_LIMIT + 1) }) },
      { label: 'sealed note over the body limit', res: await ask({ encrypted_blob: b64(BODY_LIMIT) }) },
    ];
    expect(wrongAnswers(noteRows, [413], ['payload_too_large'])).toEqual([]);
    const noteFieldRows = [
      { label: 'sealed note signature of 8 KiB', res: await ask({ signature: b64(8 * 1024) }) },
      { label: 'sealed note blob not base64', res: await ask({ encrypted_blob: 'not base64!' }) },
    ];
    expect(wrongAnswers(noteFieldRows, [400], ['invalid_input'])).toEqual([]);
    expect((await main.api.get('/chat-requests/incoming', { token: dave.token })).json).toEqual([]);

    // Nothing stored (not even a cut-down name), then a blob of exactly the limit goes through.
    await expectNoUsers(['a'.repeat(32)]);
    await expectStreams([alice, bob], 0);
    expect((await send({ encrypted_blob: b64(BLOB_LIMIT) })).status).toBe(201);
    await expectStreams([alice, bob], 1);
    expect((await ask({ encrypted_blob: b64(BLOB_LIMIT) })).status).toBe(201);
  });

  it('[B7] JSON nested 10,000 (and 100,000) levels deep → 400, no stack overflow; nothing stored', async () => {
    const [alice, bob] = await contacts();
    const shapes: Array<[string, string]> = [
      ['objects 10,000 deep', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
      ['arrays 10,000 deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
      ['arrays 100,000 deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ];
    const names: string[] = [];
    const rows: Array<{ label: string; res: Answer }> = [];
    for (const [path, token, make] of [
      ['/auth/register', undefined, credentials],
      ['/trpc/auth.register', undefined, credentials],
      ['/messages/send', alice.token, () => envelope(bob)],
      ['/trpc/messages.send', alice.token, () => envelope(bob)],
    ] as const)
      for (const [label, deep] of shapes) {
        rows.push({ label: `${path} ${label}`, res: await post(path, deep, JSON_TYPE, token) });
        // The same depth inside an otherwise valid body.
        const body: Record<string, unknown> = make();
        if (typeof body.username === 'string') names.push(body.username);
        const inside = `{"deep":${deep},${JSON.stringify(body).slice(1)}`;
        rows.push({
          label: `${path} ${label} in a valid body`,
          res: await post(path, inside, JSON_TYPE, token),
        });
      }
    expect(wrongAnswers(rows, [400], ['invalid_input', 'invalid_json'])).toEqual([]);
    await expectStreams([alice, bob], 0);
    await expectNoUsers(names);
  });

  it('[B8] a 1 MB password is refused before any hash (400, where a hashed wrong password is 401), 2 MB → 413; 64- and 1,024-character passwords work', async () => {
    const owner = await main.user('bi');
    const refused = [credentials(), credentials(), credentials()] as const;
    const megabyte = 'p'.repeat(1_000_000);
    const calls: Array<[string, string, { username: string; password: string }]> = [
      ['register, 1 MB', '/auth/register', { ...refused[0], password: megabyte }],
      ['register, 1,025 chars', '/auth/register', { ...refused[1], password: 'p'.repeat(1025) }],
      ['login, 1 MB', '/auth/login', { username: owner.username, password: megabyte }],
      ['trpc login, 1 MB', '/trpc/auth.login', { username: owner.username, password: megabyte }],
    ];
    const rows: Array<{ label: string; res: Answer }> = [];
    for (const [label, path, body] of calls) rows.push({ label, res: await main.api.post(path, { body }) });
    expect(wrongAnswers(rows, [400], ['invalid_input'])).toEqual([]);
    const huge = await main.api.post('/auth/register', {
      body: { ...refused[2], password: 'p'.repeat(2_000_000) },
    });
    expect([huge.status, errorCodeOf(huge.json)]).toEqual([413, 'payload_too_large']);
    // The contrast: a wrong password of ordinary size does reach the hash check.
    const wrong = await main.api.post('/auth/login', {
      body: { username: owner.username, password: 'p'.repeat(64) },
    });
    expect([wrong.status, errorCodeOf(wrong.json)]).toEqual([401, 'invalid_credentials']);
    await expectNoUsers(refused.map((c) => c.username));

    for (const length of [64, 1024]) {
      const creds = {
        username: uniqueName('bi'),
        password: randomBytes(length).toString('base64').slice(0, length),
      };
      const made = expectStatus<{ user: { id: string } }>(
        await main.api.post('/auth/register', { body: creds }),
        201,
      );
      const login = expectStatus<{ user: { id: string } }>(
        await main.api.post('/auth/login', { body: creds }),
        200,
      );
      expect(login.user.id).toBe(made.user.id);
    }
  });
});

/** Input keys that hold an id, a cursor or a position (a bad one must be a 400, never a 500 or a match). */
const ID_KEY = /(^|_)id$|^(after|before|up_to)$/;
/** Keys of that spelling that are not ids: /users/search pages by username. */
const NOT_IDS: Readonly<Record<string, string[]>> = { '/users/search': ['after'] };
const idFields = (r: RestOperation) =>
  inputKeys(r).filter(
    (k) => ID_KEY.test(k) && !pathParamsOf(r.rest.path).includes(k) && !NOT_IDS[r.rest.path]?.includes(k),
  );
/** Every public route with an id outside its path (path ids are B10's). */
const ID_ROUTES = ROUTES.filter((r) => r.op.access !== 'internal' && idFields(r).length > 0);
/** Raw JSON values; NaN and Infinity are not JSON at all. */
const BAD_JSON_IDS = [
  '123456789012345678901234567890',
  '1e400',
  '9007199254740993',
  '-1',
  '0',
  'NaN',
  'Infinity',
  'null',
  'true',
  '[]',
  '{}',
  '{"$ne":null}',
  '""',
];
const BAD_QUERY_IDS = [
  '123456789012345678901234567890',
  '1e400',
  '-1',
  'NaN',
  'Infinity',
  'null',
  '%5B%5D',
  '%00',
  'usr_',
  'x'.repeat(300),
];

// ---- B9–B13: credentials, paths, framing, sockets, batches -----------------------------------

describe('bad envelopes', () => {
  it('[B9] alg none, HS256 keyed with the public key, expired, future nbf, wrong aud/iss, no exp, 20 KB, a refresh token → 401 at auth, messages, tRPC and the WebSocket; nothing stored', async () => {
    const [alice, bob] = await contacts();
    const forger = await tokenForge(main.stack, main.api, alice);
    const now = Math.floor(Date.now() / 1000);
    const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const payload = alice.token.split('.')[1] as string;
    const hs256 = (secret: Buffer) =>
      new SignJWT({ ...forger.claims, iat: now, exp: now + 600 })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: forger.kid })
        .sign(new Uint8Array(secret));
    const publicKey = await importJWK(forger.publicJwk, 'EdDSA');
    const pem = await exportSPKI(publicKey as Parameters<typeof exportSPKI>[0]);
    const attacks: Array<[string, string]> = [
      ['alg none', `${b64url({ alg: 'none', typ: 'at+jwt', kid: forger.kid })}.${payload}.`],
      ['alg none, two parts', `${b64url({ alg: 'none', typ: 'at+jwt' })}.${payload}`],
      [
        'HS256 keyed with the raw public key',
        await hs256(Buffer.from(forger.publicJwk.x as string, 'base64url')),
      ],
      ['HS256 keyed with the public JWK', await hs256(Buffer.from(JSON.stringify(forger.publicJwk)))],
      ['HS256 keyed with the public PEM', await hs256(Buffer.from(pem))],
      ['expired', await forger.forge({ payload: { iat: now - 3600, exp: now - 60 } })],
      ['nbf in the future', await forger.forge({ payload: { nbf: now + 3600 } })],
      ['wrong aud', await forger.forge({ payload: { aud: 'someone-else' } })],
      ['no aud', await forger.forge({ drop: ['aud'] })],
      ['wrong iss', await forger.forge({ payload: { iss: 'https://evil.example' } })],
      ['no exp', await forger.forge({ drop: ['exp'] })],
      ['20 KB, signed', await forger.forge({ payload: { pad: 'x'.repeat(20 * 1024) } })],
      ['20 KB, padded', `${alice.token}${'A'.repeat(20 * 1024)}`],
      ['refresh token', alice.refreshToken],
    ];
    /** One call per service and transport; each returns the status and error code it got. */
    const probes: Array<[string, (token: string) => Promise<{ status: number; code: string | undefined }>]> =
      [
        ['GET /auth/me', (token) => main.api.get('/auth/me', { token }).then(answerOf)],
        ['GET /auth/verify/{token}', (token) => main.api.get(`/auth/verify/${token}`).then(answerOf)],
        ['GET /trpc/auth.me', (token) => main.api.get('/trpc/auth.me', { token }).then(answerOf)],
        ['GET /messages', (token) => main.api.get('/messages', { token }).then(answerOf)],
        [
          'POST /messages/send',
          (token) => main.api.post('/messages/send', { token, body: envelope(bob) }).then(answerOf),
        ],
        [
          'WS /ws',
          async (token) => {
            const s = await openSocket(main.stack.gatewayUrl, { token });
            if (!('refused' in s)) {
              s.close();
              return { status: 101, code: undefined };
            }
            return { status: s.status, code: s.body.error?.code };
          },
        ],
      ];
    const wrong: string[] = [];
    for (const [attack, token] of attacks)
      for (const [probe, call] of probes) {
        const got = await call(token);
        if (!refusedAsCredential(got) && !(probe.includes('verify') && overVerifyBound(token, got)))
          wrong.push(`${attack} at ${probe}: ${got.status} ${got.code}`);
      }
    expect(wrong).toEqual([]);
    await expectStreams([alice, bob], 0);

    // Control: forged the same way with good claims, every probe lets it in (so each 401 above is the claim's).
    const good = await forger.forge();
    expect(await Promise.all(probes.map(async ([, call]) => (await call(good)).status))).toEqual([
      200, 200, 200, 200, 201, 101,
    ]);
    await expectStreams([alice, bob], 1);
  });

  it('[B10] path ids that are not ids, ../, %00 → 400/404 on every route with a {param}, never 5xx; nothing stored', async () => {
    const [alice, bob] = await contacts();
    const carol = await main.user('bi');
    const pending = expectStatus<{ id: string }>(
      await main.api.post('/chat-requests/send', { token: alice.token, body: { to_user_id: carol.id } }),
      201,
    ).id;
    const rows: Array<{ label: string; res: Answer }> = [];
    const tokenRows: Array<{ label: string; res: Answer }> = [];
    for (const route of PARAM_ROUTES)
      for (const bad of NOT_IDS_IN_PATHS) {
        const path = pathParamsOf(route.rest.path).reduce(
          (p, name) => p.replace(`{${name}}`, bad),
          route.rest.path,
        );
        const res = await main.api.request(route.rest.method, path, { token: alice.token });
        // /auth/verify/{token} holds a token, not an id: a bad one is the 401 API.md gives it.
        (route.rest.path.includes('{token}') ? tokenRows : rows).push({
          label: `${route.rest.method} ${path.slice(0, 80)}`,
          res,
        });
      }
    expect(PARAM_ROUTES.length).toBeGreaterThanOrEqual(6);
    expect(wrongAnswers(rows, [400, 404], ['invalid_input', 'not_found'])).toEqual([]);
    expect(wrongAnswers(tokenRows, [400, 401, 404], ['invalid_input', 'unauthorized', 'not_found'])).toEqual(
      [],
    );

    // Nothing stored: no block, the request still pending; and with real ids the routes do work.
    expect((await main.api.get('/contacts/blocked', { token: alice.token })).json).toEqual([]);
    const outgoing = await main.api.get<Array<{ id: string }>>('/chat-requests/outgoing', {
      token: alice.token,
    });
    expect(outgoing.json.map((r) => r.id)).toEqual([pending]);
    expect((await main.api.get(`/messages/conversation/${bob.id}`, { token: alice.token })).status).toBe(200);
    expect((await main.api.post(`/chat-requests/${pending}/cancel`, { token: alice.token })).status).toBe(
      200,
    );
  });

  it('[B11] 150, 1,500 or 3,000 header lines → 431; Content-Length with Transfer-Encoding (smuggling) → 400; nothing forwarded', async () => {
    const url = main.stack.gatewayUrl;
    const register = (creds: { username: string; password: string }, extra: string[]) => {
      const body = JSON.stringify(creds);
      return `${requestHead('POST', '/auth/register', url, [
        'Content-Type: application/json',
        `Content-Length: ${body.length}`,
        ...extra,
      ])}${body}`;
    };
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `X-F${i}: 1`);
    const names: string[] = [];
    const headerRows: Array<{ label: string; res: Answer }> = [];
    for (const count of [150, 1_500, 3_000]) {
      const creds = credentials();
      names.push(creds.username);
      const answer = await rawExchange(url, [register(creds, lines(count))]);
      headerRows.push({ label: `${count} headers`, res: onlyAnswer(answer) });
    }
    expect(wrongAnswers(headerRows, [431], ['headers_too_large'])).toEqual([]);

    /** A request that, if any hop framed it differently, would smuggle a second sign-up behind the first. */
    const smuggled = (framing: (body: string) => string[], outer: string) => {
      const inner = credentials();
      const outerCreds = { username: outer, password: `pw-${randomUUID()}` };
      names.push(inner.username);
      const second = register(inner, []);
      const first = JSON.stringify(outerCreds);
      const chunked = `${first.length.toString(16)}\r\n${first}\r\n0\r\n\r\n`;
      return `${requestHead('POST', '/auth/register', url, ['Content-Type: application/json', ...framing(chunked + second)])}${chunked}${second}`;
    };
    const variants: Array<[string, (body: string) => string[]]> = [
      [
        'CL.TE (length covers the smuggled request)',
        (b) => [`Content-Length: ${b.length}`, 'Transfer-Encoding: chunked'],
      ],
      ['TE.CL (length stops early)', () => ['Transfer-Encoding: chunked', 'Content-Length: 4']],
      ['TE with a tab and CL', (b) => [`Content-Length: ${b.length}`, 'Transfer-Encoding:\tchunked']],
      ['TE xchunked and CL', (b) => [`Content-Length: ${b.length}`, 'Transfer-Encoding: xchunked']],
      ['two different lengths', (b) => [`Content-Length: ${b.length}`, 'Content-Length: 4']],
    ];
    const framingRows: Array<{ label: string; res: Answer }> = [];
    for (const [label, framing] of variants) {
      const outer = uniqueName('bi');
      names.push(outer);
      const answer = await rawExchange(url, [smuggled(framing, outer)]);
      // Exactly one answer: a second status line would be the smuggled request's.
      framingRows.push({ label, res: onlyAnswer(answer) });
    }
    expect(wrongAnswers(framingRows, [400], ['invalid_input'])).toEqual([]);
    // Not forwarded: neither the outer nor any smuggled sign-up exists.
    await expectNoUsers(names);
  });

  it('[B12] WebSocket: non-JSON and unknown frames → error frames; over 64 KiB → close 1009; a bad close code → clean 1002; the server lives on', async () => {
    const [alice, bob] = await contacts();
    const url = main.stack.gatewayUrl;
    const s = await mustOpen(url, { token: alice.token });
    expect(await misbehave(s)).toEqual({
      errorCodes: ['invalid_json', 'invalid_frame', 'invalid_frame'],
      closeCode: 1009,
    });

    const t = await mustOpen(url, { token: alice.token });
    t.writeRawClose(999);
    expect((await t.waitClosed()).code).toBe(1002);

    // Alive and still delivering: a new socket gets a live message.
    const b = await mustOpen(url, { token: bob.token });
    expectStatus(
      await main.api.post('/messages/send', { token: alice.token, body: envelope(bob, 'after the abuse') }),
      201,
    );
    await b.waitFor((x) => x.cursors().length === 1);
    expect(noteOf(b.ofType('new_message')[0]?.data as { encrypted_blob: string })).toBe('after the abuse');
    b.close();
  });

  it('[B13] a tRPC batch of 1,000 calls → 400, however it is spelled; nothing stored', async () => {
    const [alice, bob] = await contacts();
    const many = (name: string) => Array.from({ length: 1000 }, () => name).join(',');
    const batchBody = JSON.stringify(
      Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [i, envelope(bob)])),
    );
    // A query batch names its calls in the URL; its inputs are left out so the URL stays within the header limit.
    const input = encodeURIComponent('{}');
    const rows = [
      {
        label: 'POST 1,000 sends ?batch=1',
        res: await post(`/trpc/${many('messages.send')}?batch=1`, batchBody, JSON_TYPE, alice.token),
      },
      {
        label: 'POST 1,000 sends, no flag',
        res: await post(`/trpc/${many('messages.send')}`, batchBody, JSON_TYPE, alice.token),
      },
      {
        label: 'POST 1,000 sends, commas as %2C',
        res: await post(
          `/trpc/${encodeURIComponent(many('messages.send'))}?batch=1`,
          batchBody,
          JSON_TYPE,
          alice.token,
        ),
      },
      {
        label: 'GET 1,000 lists ?batch=1',
        res: await main.api.get(`/trpc/${many('messages.list')}?batch=1&input=${input}`, {
          token: alice.token,
        }),
      },
      {
        label: 'POST one send ?batch=1',
        res: await post(
          '/trpc/messages.send?batch=1',
          JSON.stringify({ 0: envelope(bob) }),
          JSON_TYPE,
          alice.token,
        ),
      },
    ];
    expect(wrongAnswers(rows, [400], ['invalid_input'])).toEqual([]);
    await expectStreams([alice, bob], 0);
    // Control: the same call, unbatched, is stored once.
    expect(
      (await post('/trpc/messages.send', JSON.stringify(envelope(bob)), JSON_TYPE, alice.token)).status,
    ).toBe(200);
    await expectStreams([alice, bob], 1);
  });
});

// ---- B14: the same send twice ----------------------------------------------------------------

describe('repeated sends', () => {
  for (const engine of ENGINES)
    it(`[B14] the same client_msg_id again (other content, in parallel, over tRPC) → one message, the original answer (${engine})`, async () => {
      const on = stacks.get(engine) as FullStack;
      const [alice, bob] = await contacts(on);
      const carol = await on.user('bi');
      await makeContacts(on.api, carol, bob);
      const send = (from: TestUser, note: string, id: string) =>
        on.api.post<{ message_id: string; cursor: string }>('/messages/send', {
          token: from.token,
          body: envelope(bob, note, id),
        });

      const once = randomUUID();
      const first = expectStatus<{ message_id: string; cursor: string }>(
        await send(alice, 'first', once),
        201,
      );
      const retry = expectStatus(await send(alice, 'second, other content', once), 201);
      expect(retry).toEqual(first);
      const trpc = await on.api.post<{ result: { data: unknown } }>('/trpc/messages.send', {
        token: alice.token,
        body: envelope(bob, 'third, over tRPC', once),
      });
      expect(expectStatus(trpc, 200).result.data).toEqual(first);

      // Eight at once with one id: one wins, all get its answer.
      const racing = randomUUID();
      const answers = await Promise.all(range8.map((i) => send(alice, `racer ${i}`, racing)));
      expect(answers.map((a) => a.status)).toEqual(range8.map(() => 201));
      expect(new Set(answers.map((a) => JSON.stringify(a.json))).size).toBe(1);

      // The id is the sender's own: carol's message with the same id is hers, not a duplicate.
      const carols = expectStatus<{ message_id: string }>(await send(carol, 'carol', once), 201);
      expect(carols.message_id).not.toBe(first.message_id);

      const stream = await readStream(on.api, bob);
      expect(stream.map((m) => [m.client_msg_id, m.sender_id])).toEqual([
        [once, alice.id],
        [racing, alice.id],
        [once, carol.id],
      ]);
      expect(stream[0]?.id).toBe(first.message_id);
      expect(noteOf({ encrypted_blob: stream[0]?.encrypted_blob })).toBe('first');
      expect(range8.map((i) => `racer ${i}`)).toContain(
        noteOf({ encrypted_blob: stream[1]?.encrypted_blob }),
      );
      expect(await readStream(on.api, alice)).toHaveLength(2);
    });
});

const refusedAsCredential = (got: { status: number; code: string | undefined }) =>
  got.status === 401 && ['unauthorized', 'token_expired'].includes(got.code ?? '');
/**
 * /auth/verify/{token} takes the token as input, bounded at 4,096 characters like any field: a longer one
 * is refused as input (400) before any verifying, as auth's own tests pin down.
 */
const overVerifyBound = (token: string, got: { status: number; code: string | undefined }) =>
  token.length > 4096 && got.status === 400 && got.code === 'invalid_input';

/** The one answer on a raw connection (status -1 when there were none or several). */
const onlyAnswer = (raw: RawAnswer): Answer => ({
  status: raw.statuses.length === 1 ? (raw.statuses[0] as number) : -1,
  json: raw.json,
  text: raw.text,
});

const range8 = Array.from({ length: 8 }, (_, i) => i);

/** A REST error body's code, or a tRPC one's app code; with the status. */
const answerOf = (res: Answer) => ({ status: res.status, code: errorCodeOf(res.json) });

/** Every public route with a `{param}` in its path. */
const PARAM_ROUTES = ROUTES.filter((r) => pathParamsOf(r.rest.path).length > 0);
const NOT_IDS_IN_PATHS = [
  'not-an-id',
  'usr_',
  'USR_0123456789ABCDEFGHJKMNPQRS',
  '123456789012345678901234567890',
  '-1',
  'NaN',
  'null',
  '%5B%5D',
  '..',
  '../',
  '..%2F..%2Fauth%2Fme',
  '%2e%2e',
  '%2e%2e%2f',
  '%00',
  'usr_0123456789abcdefghjkmnpq%00',
  '%ff',
  '%',
  '%27%20OR%201%3D1--',
  'x'.repeat(4000),
];
