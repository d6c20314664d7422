/** Dead sockets are reaped: one missed pong round and the next round terminates them. */
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/socket/connection';
import { startHeartbeat } from '../../src/socket/heartbeat';
import { ConnectionRegistry } from '../../src/socket/registry';
import { FakeSocket, FakeStream, sharedFor, until } from '../helpers/fakes';

class PingableSocket extends FakeSocket {
  pings = 0;
  /** What the peer does on a ping: an answering client's pong sets its connection alive. */
  onPing: () => void = () => undefined;
  ping() {
    this.pings++;
    this.onPing();
  }
}

describe('heartbeat', () => {
  it('pings every socket each round and terminates the ones that did not answer the previous ping', async () => {
    const registry = new ConnectionRegistry();
    const stream = new FakeStream();
    const [answering, silent] = [new PingableSocket(), new PingableSocket()];
    const a = new Connection(answering.asWs(), 'usr_0000000000000000000000000a', 's1', sharedFor(stream));
    const b = new Connection(silent.asWs(), 'usr_0000000000000000000000000b', 's2', sharedFor(stream));
    answering.onPing = () => {
      a.alive = true; // an instant pong (the pong handler's job)
    };
    registry.add(a);
    registry.add(b);
    const stop = startHeartbeat(registry, 20);
    try {
      await until(() => silent.terminated);
      expect(silent.pings).toBe(1);
      expect(answering.pings).toBeGreaterThanOrEqual(2);
      expect(answering.terminated).toBe(false);
      expect(b.closed).toBe(true);
    } finally {
      stop();
    }
  });
});
