/**
 * One history page for a socket's pump, retried for as long as message-service
 * is unreachable. Kept apart from the connection so the socket itself only
 * decides what to send; the waiting and waking live here.
 */
import type { TServerFrame } from '@lockbox/contracts';
import type { HistoryPage } from '../delivery/history';
import type { ConnectionShared } from './connection-shared';

/** The parts of a connection a history fetch needs. */
export interface FetchingSocket {
  readonly userId: string;
  readonly closed: boolean;
  send(frame: TServerFrame): boolean;
  /** Holds `wake` as the way to end the current wait early (a live message, a close). */
  holdFetchWake(wake: () => void): void;
  /** Forgets `wake` if it is still the one held. */
  releaseFetchWake(wake: () => void): void;
}

/**
 * One history page. While message-service is unreachable the socket waits and retries (the
 * delays, the last one repeating), holding live messages meanwhile; closing it would only
 * send the client back through the upgrade to the same wait. After the first delays run out
 * the client is told once, with an `unavailable` error frame. A live message for this socket,
 * or any socket's fetch that succeeds, ends a wait early: message-service is back (the long
 * delays only spare a service that is still down). Woken so and failing again, the socket
 * waits out its own delays: another socket's success is no evidence for it twice.
 */
export const fetchHistoryPage = async (
  socket: FetchingSocket,
  shared: ConnectionShared,
  after: string | null,
): Promise<HistoryPage | undefined> => {
  const delays = shared.fetchRetryDelays;
  let wakeOnRecovery = true;
  for (let attempt = 0; ; attempt++) {
    try {
      const page = await shared.history.messagesAfter(socket.userId, after, shared.replayPage);
      shared.fetchWaits.wakeAll();
      return page;
    } catch (err) {
      if (socket.closed) return undefined;
      if (attempt === delays.length - 1) {
        const now = Date.now();
        if (now - shared.warnedAt.history > 10_000) {
          shared.warnedAt.history = now;
          shared.log.warn(
            { err: (err as Error).message, userId: socket.userId },
            'history unavailable; retrying',
          );
        }
        socket.send({
          type: 'error',
          data: { code: 'unavailable', message: 'message history is unavailable right now; still trying' },
        });
      }
      const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1_000;
      if (await waitToRetry(socket, shared, delay, wakeOnRecovery)) wakeOnRecovery = false;
      if (socket.closed) return undefined;
    }
  }
};

/**
 * Waits `delay` ms before the next fetch attempt. A live message or a close ends it early, and
 * so, when `onRecovery`, does another fetch succeeding; resolves true in that last case.
 */
const waitToRetry = (
  socket: FetchingSocket,
  shared: ConnectionShared,
  delay: number,
  onRecovery: boolean,
): Promise<boolean> => {
  const waits = shared.fetchWaits;
  return new Promise<boolean>((resolve) => {
    let recovered = false;
    const wake = () => {
      clearTimeout(timer);
      waits.delete(recoveredWake);
      socket.releaseFetchWake(wake);
      resolve(recovered);
    };
    const recoveredWake = () => {
      recovered = true;
      wake();
    };
    const timer = setTimeout(wake, delay);
    socket.holdFetchWake(wake);
    if (onRecovery) waits.add(recoveredWake);
  });
};
