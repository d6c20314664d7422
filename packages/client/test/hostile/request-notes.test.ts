/**
 * Chat-request notes against a malicious server (issue 11, finding 12),
 * through the real stack behind the hostile proxy: the SDK never sends the
 * note in clear, and a note the server swaps, re-attributes or fakes from a
 * message is refused with a reason, never shown as text; a legacy plaintext
 * note is labelled unencrypted.
 */
import { type HostileServer, type HostileStack, type Stack, startHostileStack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockboxSession, RequestNote } from '../../src';
import { decodeEnvelope, fromBase64 } from '../../src/crypto';
import { newSession, uniqueName, until } from '../helpers/stack';

/** Generous: the machine running the suite is shared, and opening a note may fetch a key bundle first. */
const LIVE_WAIT_MS = 60_000;

let stack: Stack;
let hostile: HostileServer;
let stop: HostileStack['stop'] | undefined;

beforeAll(async () => {
  ({ stack, hostile, stop } = await startHostileStack());
});
afterAll(() => stop?.());

interface Person {
  s: LockboxSession;
  id: string;
  name: string;
}
const person = async (base: string): Promise<Person> => {
  const s = await newSession(stack, { baseUrl: hostile.url });
  const name = uniqueName(base);
  const account = await s.account.register(name, `a long enough password ${name}`);
  return { s, id: account.user_id, name };
};

type Sealed = { encrypted_blob: string; signature: string };
type RawRequest = { id: string; from_user_id: string; from_user: { id: string; username: string } } & Record<
  string,
  unknown
>;

/** The sealed note the SDK sent with its last request to `toId` (as the hostile server saw it). */
const sentNote = (toId: string): Sealed => {
  const send = [...hostile.calls]
    .reverse()
    .find((c) => c.path === 'chatRequests.send' && (c.input as { to_user_id?: string }).to_user_id === toId);
  if (!send) throw new Error(`no request to ${toId} was sent`);
  return (send.input as { sealed_message: Sealed }).sealed_message;
};

const noteOf = async (p: Person, fromId: string): Promise<RequestNote | null | undefined> =>
  (await p.s.requests.incoming()).find((r) => r.from_user_id === fromId)?.note;

describe('sealed request notes against a hostile server', () => {
  it('an honest server: the note travels sealed and both sides read it', async () => {
    hostile.reset();
    const [alice, bob] = [await person('na'), await person('nb')];
    const text = `hi bob, it is alice ${alice.name}`;
    const sent = await alice.s.requests.send(bob.name, text);
    expect(sent).toMatchObject({ status: 'pending', message: null });
    // Nothing the server saw carries the note in clear.
    const send = hostile.calls.find((c) => c.path === 'chatRequests.send');
    expect(send?.input).not.toHaveProperty('message');
    expect(JSON.stringify(hostile.calls)).not.toContain(text);

    expect(await noteOf(bob, alice.id)).toMatchObject({ status: 'sealed', text });
    const outgoing = await alice.s.requests.outgoing();
    expect(outgoing.map((r) => r.note)).toEqual([expect.objectContaining({ status: 'sealed', text })]);
    expect(outgoing[0]).not.toHaveProperty('sealed_message');
  });

  it('a note swapped for one sealed to someone else is refused', async () => {
    hostile.reset();
    const [alice, bob, carol] = [await person('sa'), await person('sb'), await person('sc')];
    await alice.s.requests.send(carol.name, 'this one is for carol');
    await alice.s.requests.send(bob.name, 'this one is for bob');
    const forCarol = sentNote(carol.id);
    hostile.rewrite('chatRequests.incoming', (data) =>
      (data as RawRequest[]).map((r) => ({ ...r, sealed_message: forCarol })),
    );
    const note = await noteOf(bob, alice.id);
    expect(note).toMatchObject({ status: 'refused', code: 'metadata_mismatch' });
    expect(JSON.stringify(note)).not.toContain('for carol');
  });

  it('a note re-attributed to another sender is refused, and pins nobody', async () => {
    hostile.reset();
    const [alice, bob, carol] = [await person('ra'), await person('rb'), await person('rc')];
    await alice.s.requests.send(bob.name, 'from alice, really');
    hostile.rewrite('chatRequests.incoming', (data) =>
      (data as RawRequest[]).map((r) => ({
        ...r,
        from_user_id: carol.id,
        from_user: { id: carol.id, username: carol.name },
      })),
    );
    const note = await noteOf(bob, carol.id);
    expect(note).toMatchObject({ status: 'refused', code: 'metadata_mismatch' });
    expect(await bob.s.profile.pin(bob.id, carol.id)).toBeUndefined();
  });

  it('a message envelope presented as a note is refused, and a note presented as a message too', async () => {
    hostile.reset();
    const [alice, bob] = [await person('ma'), await person('mb')];
    await alice.s.requests.send(bob.name, 'the note');
    const note = sentNote(bob.id);
    await bob.s.requests.respond(alice.name, 'accept');
    await alice.s.messages.send(bob.name, 'a chat message');
    const [message] = await bob.s.messages.history(alice.name);
    const raw = hostile.calls.find((c) => c.path === 'messages.send')?.input as Sealed;
    expect(message?.payload).toEqual({ type: 'text', text: 'a chat message' });

    // The server forges a pending request from alice whose note is her message.
    hostile.respond('chatRequests.incoming', () => ({
      status: 200,
      body: {
        result: {
          data: [
            {
              id: 'req_0000000000000000000000000m',
              from_user_id: alice.id,
              to_user_id: bob.id,
              status: 'pending',
              message: null,
              sealed_message: { encrypted_blob: raw.encrypted_blob, signature: raw.signature },
              created_at: new Date().toISOString(),
              responded_at: null,
              from_user: { id: alice.id, username: alice.name },
            },
          ],
        },
      },
    }));
    const forged = await noteOf(bob, alice.id);
    expect(forged).toMatchObject({ status: 'refused', code: 'invalid' });
    expect(JSON.stringify(forged)).not.toContain('a chat message');

    // And appends alice's note to the conversation as if it were a message.
    const noteId = decodeEnvelope(fromBase64(note.encrypted_blob)).header.clientMsgId;
    hostile.rewrite('messages.conversation', (data) => {
      const page = data as { messages: Array<Record<string, unknown>> };
      const last = page.messages[page.messages.length - 1] as Record<string, unknown>;
      return {
        ...page,
        messages: [...page.messages, { ...last, client_msg_id: noteId, ...note, seq: 2, cursor: '2' }],
      };
    });
    const history = await bob.s.messages.history(alice.name);
    expect(history).toHaveLength(2);
    expect(history[1]?.payload).toBeUndefined();
    expect(history[1]?.error?.code).toBe('invalid');
  });

  it('a legacy plaintext note (curl) is labelled unencrypted; one next to a sealed note is refused', async () => {
    hostile.reset();
    const bob = await person('lb');
    const curlName = uniqueName('lc');
    const reg = await fetch(`${stack.gatewayUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: curlName, password: 'correct horse battery' }),
    });
    const { access_token: token, user } = (await reg.json()) as {
      access_token: string;
      user: { id: string };
    };
    const sent = await fetch(`${stack.gatewayUrl}/chat-requests/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ to_username: bob.name, message: 'hi from curl' }),
    });
    expect(sent.status).toBe(201);
    expect(await noteOf(bob, user.id)).toEqual({ status: 'unencrypted', text: 'hi from curl' });
    // The other way, a note cannot be sealed to an account without keys: refused, never sent in clear.
    const before = hostile.calls.length;
    await expect(bob.s.requests.send(curlName, 'would be plaintext')).rejects.toMatchObject({
      code: 'no_keys',
    });
    expect(hostile.calls.slice(before).map((c) => c.path)).not.toContain('chatRequests.send');

    const alice = await person('la');
    await alice.s.requests.send(bob.name, 'sealed words');
    hostile.rewrite('chatRequests.incoming', (data) =>
      (data as RawRequest[]).map((r) => ({ ...r, message: 'server words' })),
    );
    expect(await noteOf(bob, alice.id)).toMatchObject({ status: 'refused', code: 'invalid' });
  });

  it('the live chat_request event: a sealed note opens, a swapped one is refused', async () => {
    hostile.reset();
    const [alice, bob, carol, dave] = [
      await person('vla'),
      await person('vlb'),
      await person('vlc'),
      await person('vld'),
    ];
    const events: Array<{ from_user_id: string; note: RequestNote | null }> = [];
    const states: string[] = [];
    const client = await bob.s.live.listen({
      onChatRequest: (r) => events.push(r),
      onState: (st) => states.push(st),
    });
    await until(() => expect(states).toContain('open'), LIVE_WAIT_MS);

    await alice.s.requests.send(bob.name, 'live hello');
    await until(() => expect(events.map((e) => e.from_user_id)).toContain(alice.id), LIVE_WAIT_MS);
    expect(events.find((e) => e.from_user_id === alice.id)?.note).toMatchObject({
      status: 'sealed',
      text: 'live hello',
    });

    await carol.s.requests.send(dave.name, 'for dave only');
    const forDave = sentNote(dave.id);
    hostile.onFrame((frame) =>
      frame.type === 'chat_request'
        ? [{ ...frame, data: { ...(frame.data as object), sealed_message: forDave } }]
        : [frame],
    );
    await carol.s.requests.send(bob.name, 'for bob');
    await until(() => expect(events.map((e) => e.from_user_id)).toContain(carol.id), LIVE_WAIT_MS);
    const swapped = events.find((e) => e.from_user_id === carol.id)?.note;
    expect(swapped).toMatchObject({ status: 'refused', code: 'metadata_mismatch' });
    expect(JSON.stringify(swapped)).not.toContain('for dave');
    await client.stop();
  });
});
