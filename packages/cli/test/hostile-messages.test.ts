/**
 * A malicious server and messages, as a person at a terminal sees it: Bob
 * runs the real `lockbox` binary against the hostile server; Alice and Carol
 * use the SDK against the real stack. A misplaced or replayed message is
 * printed as refused (never its text), `read` exits 3 with a warning, and a
 * re-dated message shows the signed time with "server time differs".
 */
import { LockboxSession, MemoryStore } from '@lockbox/client';
import {
  addToConversation,
  asReplay,
  type HostileServer,
  type HostileStack,
  newMessageFrame,
  redated,
  rewriteMessages,
  type ServedMessage,
  type Stack,
  startHostileStack,
} from '@lockbox/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliUser, cliUser, json, listen, lockbox, ok, until } from './helpers/cli';

const stamp = Date.now().toString(36).slice(-6);
let stack: Stack;
let hostile: HostileServer;
let stop: HostileStack['stop'] | undefined;
let bob: CliUser;
let alice: LockboxSession;
let carol: LockboxSession;
const ids = { alice: '', bob: '', carol: '' };
const names = { alice: `alice_${stamp}`, bob: `bob_${stamp}`, carol: `carol_${stamp}` };

const sdkUser = async (name: string) => {
  const s = await LockboxSession.open({ baseUrl: stack.gatewayUrl, store: new MemoryStore() });
  await s.account.register(name, `${name} has a long enough password`);
  return s;
};

/** The newest raw message between `reader` and `contactId`, as the honest server returns it. */
const newestRaw = async (reader: LockboxSession, contactId: string): Promise<ServedMessage> =>
  (await reader.api.trpc.messages.conversation.query({ contact_id: contactId, limit: 1 })).messages.at(
    -1,
  ) as ServedMessage;

beforeAll(async () => {
  ({ stack, hostile, stop } = await startHostileStack());
  bob = cliUser(hostile.url, `Bob-pass-${stamp}-q7`);
  await ok(bob, 'register', names.bob);
  ids.bob = (await json<{ id: string }>(bob, 'whoami')).id;
  alice = await sdkUser(names.alice);
  carol = await sdkUser(names.carol);
  ids.alice = alice.user?.user_id as string;
  ids.carol = carol.user?.user_id as string;
  await alice.requests.send(names.bob);
  await ok(bob, 'accept', names.alice);
  await carol.requests.send(names.bob);
  await ok(bob, 'accept', names.carol);
  await carol.requests.send(names.alice);
  await alice.requests.respond(names.carol, 'accept');
});

afterAll(() => stop?.());

beforeEach(() => hostile.reset());

describe('lockbox read / listen against a lying server', () => {
  it('a genuine Carol→Bob message served in the Alice conversation is refused: exit 3, a warning, no text', async () => {
    await alice.messages.send(ids.bob, `alice says hi ${stamp}`);
    await carol.messages.send(ids.bob, `carol's secret for bob ${stamp}`);
    const fromCarol = await newestRaw(carol, ids.bob);
    addToConversation(hostile, ids.alice, () => [fromCarol]);

    const r = await lockbox(bob, 'read', names.alice);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`alice says hi ${stamp}`);
    expect(r.stdout).not.toContain(`carol's secret for bob ${stamp}`);
    expect(r.stdout).toContain('[refused: misplaced]');
    expect(r.stderr).toMatch(/warning: 1 message\(s\) refused \(misplaced\)/);

    const asJson = await lockbox(bob, '--json', 'read', names.alice);
    expect(asJson.code).toBe(3);
    const lines = JSON.parse(asJson.stdout) as Array<{ error?: { code: string }; text?: string }>;
    expect(lines.filter((l) => l.error?.code === 'misplaced')).toHaveLength(1);
    expect(JSON.parse(asJson.stderr.trim()).warning.code).toBe('messages_refused');
  });

  it('a replay under a new id, time and seq is refused in a later, separate `read`', async () => {
    await alice.messages.send(ids.bob, `transfer 100 ${stamp}`);
    const first = await lockbox(bob, 'read', names.alice);
    expect(first.code).toBe(0);
    const original = await newestRaw(alice, ids.bob);
    rewriteMessages(hostile, (m) => (m.id === original.id ? asReplay(m) : m));

    const second = await lockbox(bob, 'read', names.alice);
    expect(second.code).toBe(3);
    expect(second.stdout).not.toContain(`transfer 100 ${stamp}`);
    expect(second.stdout).toContain('[refused: replayed]');
    expect(second.stderr).toMatch(/refused \(replayed\)/);
  });

  it('a re-dated message shows the signed time and "server time differs"', async () => {
    const sent = await alice.messages.send(ids.bob, `dated ${stamp}`);
    rewriteMessages(hostile, (m) => (m.id === sent.message_id ? redated(m, 3 * 24 * 3_600_000) : m));
    const r = await lockbox(bob, 'read', names.alice);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes(`dated ${stamp}`)) as string;
    const signed = new Date(Date.parse(sent.created_at)).toISOString().replace('T', ' ').slice(0, 16);
    const server = new Date(Date.parse(sent.created_at) + 3 * 24 * 3_600_000)
      .toISOString()
      .replace('T', ' ')
      .slice(0, 16);
    expect(line.startsWith(signed)).toBe(true);
    expect(line).toContain(`[server time differs: ${server}]`);
    expect(r.stderr).toMatch(/server time more than 10 minutes/);
  });

  it('listen prints a misplaced or replayed live message as refused, with a warning', async () => {
    await carol.messages.send(ids.alice, `carol to alice only ${stamp}`);
    const carolToAlice = await newestRaw(alice, ids.carol);
    await alice.messages.send(ids.bob, `live original ${stamp}`);
    const original = await newestRaw(alice, ids.bob);
    // Bob reads it once (only the newest: earlier tests left refused messages in this conversation).
    expect(await ok(bob, 'read', names.alice, '-n', '1')).toContain(`live original ${stamp}`);

    const live = listen(bob);
    try {
      await until(() => expect(live.states()).toContain('open'));
      const replay = asReplay(original);
      hostile.injectFrame(newMessageFrame(carolToAlice));
      hostile.injectFrame(newMessageFrame(replay));
      await until(() =>
        expect(live.lines.filter((l) => l.type === 'message').map((l) => l.id)).toEqual(
          expect.arrayContaining([carolToAlice.id, replay.id]),
        ),
      );
      const codeOf = (id: string) =>
        (live.lines.find((l) => l.type === 'message' && l.id === id)?.error as { code?: string } | undefined)
          ?.code;
      expect(codeOf(carolToAlice.id)).toBe('misplaced');
      expect(codeOf(replay.id)).toBe('replayed');
      expect(live.texts()).not.toContain(`carol to alice only ${stamp}`);
      expect(live.stderr()).toContain('messages_refused');
    } finally {
      await live.stop();
    }
  });
});
