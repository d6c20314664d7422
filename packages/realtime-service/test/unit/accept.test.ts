/**
 * Where a socket without `?after=` starts: at the user's latest cursor read
 * before the 101, so a message committed after the client saw its socket open
 * is never skipped when a later one arrives first (seen with two instances: a
 * direct hand-over overtook the other instance's Redis fan-out).
 */
import { describe, expect, it } from 'vitest';
import { createAcceptor } from '../../src/socket/accept';
import { ConnectionRegistry } from '../../src/socket/registry';
import type { AcceptedUpgrade } from '../../src/upgrade/handler';
import { FakeSocket, FakeStream, sharedFor, silentLog, until } from '../helpers/fakes';

class AcceptedSocket extends FakeSocket {
  on() {
    return this;
  }
}

const accept = (stream: FakeStream, startCursor: string | undefined) => {
  const registry = new ConnectionRegistry();
  const presence = { connected: () => undefined, disconnected: () => undefined };
  const acceptor = createAcceptor({
    registry,
    shared: sharedFor(stream),
    presence: presence as unknown as Parameters<typeof createAcceptor>[0]['presence'],
    onFrame: () => undefined,
    isRevoked: () => false,
    log: silentLog,
  });
  const socket = new AcceptedSocket();
  acceptor({
    ws: socket.asWs(),
    user: { id: stream.userId, sessionId: 'ses_x' },
    ask: {},
    clientIp: '127.0.0.1',
    startCursor,
  } as unknown as AcceptedUpgrade);
  const conn = [...(registry.forUser(stream.userId) ?? [])][0];
  if (!conn) throw new Error('not registered');
  return { socket, conn };
};

describe('a socket without ?after=', () => {
  it('starts at the latest cursor: a later message arriving first does not skip an earlier one', async () => {
    const stream = new FakeStream();
    stream.commit(); // before the socket opened: not for this socket
    const { socket, conn } = accept(stream, await stream.headCursor());
    const [second, third] = [stream.commit(), stream.commit()];
    const offer = (m: typeof second) => conn.offerMessage(stream.frame(m), JSON.stringify(stream.frame(m)));
    offer(third); // overtook message 2's delivery
    await until(() => socket.cursors().length === 2);
    offer(second); // arrives late: already sent from history
    expect(socket.cursors()).toEqual(['2', '3']);
  });

  it('with no known start (message-service unreachable at open), the first live message starts it', () => {
    const stream = new FakeStream();
    stream.commit();
    const { socket, conn } = accept(stream, undefined);
    const m = stream.commit();
    conn.offerMessage(stream.frame(m), JSON.stringify(stream.frame(m)));
    expect(socket.cursors()).toEqual(['2']);
  });
});
