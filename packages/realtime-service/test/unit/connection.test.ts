/**
 * The exactly-once, in-order rules of one socket (Signal-Server's
 * WebSocketConnectionIntegrationTest cases: mixed backlogs, live messages
 * landing mid-drain, a client that stops reading), against an in-memory stream.
 */
import { WS_CLOSE } from '@lockbox/contracts';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/socket/connection';
import { FetchRetryWaits } from '../../src/socket/fetch-waits';
import { FakeSocket, FakeStream, sharedFor, until } from '../helpers/fakes';

const setup = (overrides = {}) => {
  const stream = new FakeStream();
  const socket = new FakeSocket();
  const conn = new Connection(socket.asWs(), stream.userId, 'ses_x', sharedFor(stream, overrides));
  const live = (m = stream.commit()) => {
    const frame = stream.frame(m);
    conn.offerMessage(frame, JSON.stringify(frame));
    return m;
  };
  return { stream, socket, conn, live };
};

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe('Connection delivery', () => {
  it('live only: sends live messages in order and never the same cursor twice', () => {
    const { socket, conn, live, stream } = setup();
    const a = live();
    live();
    conn.offerMessage(stream.frame(a), JSON.stringify(stream.frame(a))); // a retried hand-over
    expect(socket.cursors()).toEqual(['1', '2']);
  });

  it('resume replays a backlog of several pages, then answers resumed', async () => {
    const { socket, conn, stream } = setup();
    for (let i = 0; i < 10; i++) stream.commit();
    conn.resume('4');
    await until(() => socket.frames().some((f) => f.type === 'resumed'));
    expect(socket.cursors()).toEqual(range(5, 10));
    expect(socket.frames().at(-1)).toEqual({ type: 'resumed', data: { cursor: '10', replayed: 6 } });
  });

  it('live messages that arrive during the replay are sent once, after it, in order (no gap, no duplicate at the seam)', async () => {
    const { socket, conn, stream, live } = setup();
    for (let i = 0; i < 7; i++) stream.commit(); // pages of 3: 1-3, 4-6, 7
    stream.hold(1);
    conn.resume(null);
    await until(() => stream.reads === 1);
    live(); // 8 and 9 commit after the first read: they arrive live and are in a later page too
    live();
    stream.release();
    await until(() => socket.frames().some((f) => f.type === 'resumed'));
    live();
    expect(socket.cursors()).toEqual(range(1, 10));
  });

  it('a live message that commits after the last history read is sent from the held ones, not lost', async () => {
    const { socket, conn, stream, live } = setup();
    for (let i = 0; i < 4; i++) stream.commit(); // pages: 1-3, 4 (the last)
    stream.hold(2);
    conn.resume(null);
    await until(() => stream.reads === 2);
    live(); // 5 and 6: not in any page, only live
    live();
    stream.release();
    await until(() => socket.frames().some((f) => f.type === 'resumed'));
    expect(socket.cursors()).toEqual(range(1, 6));
    expect(stream.reads).toBe(2);
  });

  it('a live message that overtakes an earlier one triggers a history read, so order holds', async () => {
    const { socket, conn, stream, live } = setup();
    live(); // cursor 1, position established
    const late = stream.commit(); // 2: its hand-over is still in flight
    live(); // 3 arrives first
    await until(() => socket.cursors().length === 3);
    conn.offerMessage(stream.frame(late), JSON.stringify(stream.frame(late))); // 2 arrives late: a duplicate now
    expect(socket.cursors()).toEqual(['1', '2', '3']);
  });

  it('a resume at or before what the socket already sent replays nothing twice (?after=C, then resume {after: C})', async () => {
    const { socket, conn, stream } = setup();
    for (let i = 0; i < 4; i++) stream.commit();
    conn.resume('1'); // the connect's ?after=1
    await until(() => socket.frames().filter((f) => f.type === 'resumed').length === 1);
    conn.resume('1'); // the same client then also sends resume {after: 1}
    await until(() => socket.frames().filter((f) => f.type === 'resumed').length === 2);
    conn.resume(null); // and even one from the very beginning
    await until(() => socket.frames().filter((f) => f.type === 'resumed').length === 3);
    expect(socket.cursors()).toEqual(['2', '3', '4']);
    expect(
      socket
        .frames()
        .filter((f) => f.type === 'resumed')
        .map((f) => f.data),
    ).toEqual([
      { cursor: '4', replayed: 3 },
      { cursor: '4', replayed: 0 },
      { cursor: '4', replayed: 0 },
    ]);
  });

  it('a resume past what the socket sent skips ahead to where the client says it is', async () => {
    const { socket, conn, stream } = setup();
    for (let i = 0; i < 5; i++) stream.commit();
    conn.resume('3');
    await until(() => socket.frames().some((f) => f.type === 'resumed'));
    expect(socket.cursors()).toEqual(['4', '5']);
  });

  it('catchUp after a lost fan-out fetches what was missed', async () => {
    const { socket, conn, stream, live } = setup();
    live();
    stream.commit(); // delivered nowhere: the fan-out was down
    stream.commit();
    conn.catchUp();
    await until(() => socket.cursors().length === 3);
    expect(socket.cursors()).toEqual(['1', '2', '3']);
  });

  it('history unavailable: the socket waits, tells the client once, and delivers everything when it is back', async () => {
    const { socket, conn, stream, live } = setup();
    stream.commit();
    stream.failuresLeft = 8;
    conn.resume(null);
    await until(() => socket.frames().some((f) => f.type === 'error'));
    live(); // arrives while history is down: held, not lost
    await until(() => socket.frames().some((f) => f.type === 'resumed'));
    expect(socket.closedWith).toBeUndefined();
    expect(socket.frames().filter((f) => f.type === 'error')).toEqual([
      { type: 'error', data: { code: 'unavailable', message: expect.any(String) } },
    ]);
    expect(socket.cursors()).toEqual(['1', '2']);
    expect(stream.reads).toBe(9);
  });

  it('a live message ends a long wait between history retries: message-service is back, delivery resumes at once', async () => {
    const { socket, conn, stream, live } = setup({ fetchRetryDelays: [1, 60_000] });
    stream.commit();
    stream.failuresLeft = 2;
    conn.resume(null);
    await until(() => socket.frames().some((f) => f.type === 'error')); // now waiting 60 s
    live(); // committed and handed over: message-service answers again
    await until(() => socket.frames().some((f) => f.type === 'resumed'));
    expect(socket.cursors()).toEqual(['1', '2']);
    expect(stream.reads).toBe(3);
  });

  it("another socket's successful history fetch ends a long wait between retries, with no live traffic for this one", async () => {
    const fetchWaits = new FetchRetryWaits();
    const idle = setup({ fetchRetryDelays: [1, 60_000], fetchWaits });
    const other = setup({ fetchWaits });
    idle.stream.commit();
    idle.stream.failuresLeft = 2;
    idle.conn.resume(null);
    await until(() => idle.socket.frames().some((f) => f.type === 'error')); // now waiting 60 s
    other.conn.resume(null); // message-service answers again
    await until(() => idle.socket.frames().some((f) => f.type === 'resumed'));
    expect(idle.socket.cursors()).toEqual(['1']);
    expect(idle.stream.reads).toBe(3);
  });

  it("a socket woken by another's success that fails again waits out its own delay, not for the next success", async () => {
    const fetchWaits = new FetchRetryWaits(0);
    const failing = setup({ fetchRetryDelays: [1, 60_000], fetchWaits });
    const other = setup({ fetchWaits });
    const resumedCount = () => other.socket.frames().filter((f) => f.type === 'resumed').length;
    failing.stream.failuresLeft = 100;
    failing.conn.resume(null);
    await until(() => failing.socket.frames().some((f) => f.type === 'error'));
    expect(fetchWaits.size).toBe(1);
    other.conn.resume(null);
    await until(() => failing.stream.reads === 3 && resumedCount() === 1); // woken once, failed again
    expect(fetchWaits.size).toBe(0);
    other.conn.resume(null);
    await until(() => resumedCount() === 2);
    expect(failing.stream.reads).toBe(3);
    failing.conn.markClosed();
  });

  it('a socket closed while waiting to retry history stops waiting, and reads nothing more', async () => {
    const { socket, conn, stream } = setup({ fetchRetryDelays: [1, 60_000] });
    stream.failuresLeft = 2;
    conn.resume(null);
    await until(() => socket.frames().some((f) => f.type === 'error'));
    conn.markClosed();
    await until(() => !conn.isPumping);
    expect(stream.reads).toBe(2);
  });

  it('a transient history failure is retried without the client noticing', async () => {
    const { socket, conn, stream } = setup();
    stream.commit();
    stream.failuresLeft = 1;
    conn.resume(null);
    await until(() => socket.frames().some((f) => f.type === 'resumed'));
    expect(socket.cursors()).toEqual(['1']);
    expect(socket.closedWith).toBeUndefined();
  });

  it('a client that stops reading is closed with 1013 once its buffer passes the bound', () => {
    const { socket, live } = setup({ sendBufferLimit: 100 });
    live();
    socket.bufferedAmount = 101;
    live();
    expect(socket.closedWith?.code).toBe(WS_CLOSE.tryAgainLater);
    expect(socket.cursors()).toEqual(['1']);
  });

  it('a replay waits for a slow reader to drain instead of overflowing, and gives up on one that never reads', async () => {
    const { socket, conn, stream } = setup({ sendBufferLimit: 100, drainTimeoutMs: 50 });
    for (let i = 0; i < 5; i++) stream.commit();
    socket.bufferedAmount = 80; // over half the bound: the replay must wait
    conn.resume(null);
    await until(() => socket.closedWith !== undefined);
    expect(socket.closedWith?.code).toBe(WS_CLOSE.tryAgainLater);
    expect(socket.cursors()).toEqual([]);
  });

  it('holds a bounded number of live messages during a replay, and fetches the rest instead', async () => {
    const { socket, conn, stream, live } = setup({ replayPage: 500 });
    stream.hold(1);
    conn.resume(null);
    await until(() => stream.reads === 1);
    for (let i = 0; i < 1_500; i++) live();
    stream.release();
    await until(() => socket.frames().some((f) => f.type === 'resumed'));
    expect(socket.cursors()).toEqual(range(1, 1_500));
  });
});
