/**
 * Chat-request notes in the `lockbox` CLI against a malicious server (issue
 * 11, finding 12): the real binary talks to the hostile proxy in front of the
 * real stack. The decrypted note is shown; a note the server swapped,
 * re-attributed or made from a message is a warning on stderr and exit 1,
 * never text; a legacy plaintext note is labelled unencrypted.
 */
import { type HostileServer, type HostileStack, startHostileStack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliUser, cliUser, json, lockbox, ok } from './helpers/cli';

const stamp = Date.now().toString(36).slice(-5);
let n = 0;
const uname = (base: string) => `${base}_${stamp}_${n++}`;

type Sealed = { encrypted_blob: string; signature: string };
type RawRequest = Record<string, unknown> & { from_user_id: string };

describe('request notes in the CLI against a hostile server', () => {
  let hostile: HostileServer;
  let stop: HostileStack['stop'] | undefined;
  const user = async (base: string) => {
    const name = uname(base);
    const u = cliUser(hostile.url, `Pass-${name}-x9`);
    await ok(u, 'register', name);
    const me = await json<{ id: string }>(u, 'whoami');
    return { ...u, name, id: me.id } as CliUser & { name: string; id: string };
  };
  /** The sealed note of the last request sent to `toId`, as the server saw it. */
  const sentNote = (toId: string): Sealed => {
    const send = [...hostile.calls]
      .reverse()
      .find(
        (c) => c.path === 'chatRequests.send' && (c.input as { to_user_id?: string }).to_user_id === toId,
      );
    if (!send) throw new Error(`no request to ${toId} was sent`);
    return (send.input as { sealed_message: Sealed }).sealed_message;
  };

  beforeAll(async () => {
    ({ hostile, stop } = await startHostileStack());
  });
  afterAll(() => stop?.());

  it('shows the decrypted note; a note swapped for one sealed to someone else is a warning and exit 1', async () => {
    hostile.reset();
    const [alice, bob, carol] = [await user('ca'), await user('cb'), await user('cc')];
    await ok(alice, 'request', carol.name, '-m', 'meant for carol');
    await ok(alice, 'request', bob.name, '-m', 'hello bob');
    expect(await ok(bob, 'requests')).toContain(`${alice.name}: "hello bob"`);

    const forCarol = sentNote(carol.id);
    hostile.rewrite('chatRequests.incoming', (data) =>
      (data as RawRequest[]).map((r) => ({ ...r, sealed_message: forCarol })),
    );
    const r = await lockbox(bob, 'requests');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${alice.name}  [note refused: metadata_mismatch]`);
    expect(r.stderr).toMatch(/warning: the note of the request req_\w+ \(from .+\) was refused/);
    expect(r.stdout + r.stderr).not.toContain('meant for carol');
  });

  it('a note re-attributed to another sender, or made from a message, is refused', async () => {
    hostile.reset();
    const [alice, bob, carol] = [await user('ra'), await user('rb'), await user('rc')];
    await ok(alice, 'request', bob.name, '-m', 'from alice');
    hostile.rewrite('chatRequests.incoming', (data) =>
      (data as RawRequest[]).map((r) => ({
        ...r,
        from_user_id: carol.id,
        from_user: { id: carol.id, username: carol.name },
      })),
    );
    const moved = await lockbox(bob, '--json', 'requests');
    expect(moved.code).toBe(1);
    const listed = JSON.parse(moved.stdout) as {
      incoming: Array<{ note: { status: string; code: string } }>;
    };
    expect(listed.incoming[0]?.note).toMatchObject({ status: 'refused', code: 'metadata_mismatch' });
    expect(JSON.parse(moved.stderr.trim().split('\n')[0] as string)).toMatchObject({
      warning: { code: 'note_refused', reason: 'metadata_mismatch' },
    });

    hostile.reset();
    await ok(bob, 'accept', alice.name);
    await ok(alice, 'send', bob.name, 'a plain chat message');
    const message = hostile.calls.find((c) => c.path === 'messages.send')?.input as Sealed;
    hostile.rewrite('chatRequests.incoming', () => [
      {
        id: 'req_0000000000000000000000000c',
        from_user_id: alice.id,
        to_user_id: bob.id,
        status: 'pending',
        message: null,
        sealed_message: { encrypted_blob: message.encrypted_blob, signature: message.signature },
        created_at: new Date().toISOString(),
        responded_at: null,
        from_user: { id: alice.id, username: alice.name },
      },
    ]);
    const forged = await lockbox(bob, 'requests');
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain('[note refused: invalid]');
    expect(forged.stdout + forged.stderr).not.toContain('a plain chat message');
  });

  it('a legacy plaintext note is labelled as sent unencrypted', async () => {
    hostile.reset();
    const [alice, bob] = [await user('la'), await user('lb')];
    await ok(alice, 'request', bob.name);
    hostile.rewrite('chatRequests.incoming', (data) =>
      (data as RawRequest[]).map((r) => ({ ...r, message: 'hi from curl' })),
    );
    const r = await lockbox(bob, 'requests');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `${alice.name}: "hi from curl" [sent unencrypted: the server can read and change it]`,
    );
  });
});
