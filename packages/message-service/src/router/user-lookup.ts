/**
 * Who the user ids of a list page name, in one lookup to auth (none for an
 * empty page). Auth may have no record of an id: it reads as an empty name,
 * never an error, so one missing account can't break a whole list.
 */
import type { TUser } from '@lockbox/contracts';
import type { MessagesDeps } from '../deps';

export const userLookup = async (
  deps: Pick<MessagesDeps, 'users'>,
  ids: string[],
): Promise<(id: string) => TUser> => {
  const users = ids.length ? await deps.users.byIds(ids) : new Map<string, TUser>();
  return (id) => users.get(id) ?? { id, username: '' };
};
