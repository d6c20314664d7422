/** Typing hints go to contacts only, through the fan-out so they reach whichever instance holds the socket. */
import type { FanOut } from '../delivery/fan-out';
import type { Connection } from '../socket/connection';
import type { ContactsCache } from './contacts';

export const createTypingRelay =
  (contacts: ContactsCache, fanOut: FanOut) =>
  async (conn: Connection, to: string, typing: boolean): Promise<boolean> => {
    if (!(await contacts.isContact(conn.userId, to))) return false;
    await fanOut.publish([{ to: [to], frame: { type: 'typing', data: { from: conn.userId, typing } } }]);
    return true;
  };
