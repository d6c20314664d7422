/**
 * Which user id this device believes a username belongs to. The server alone
 * maps usernames to ids, so a hostile one could list `{id: <mallory's>,
 * username: "alice"}`; pins are keyed by id, so without this map Mallory's key
 * would be pinned as a fresh "alice" with no warning. The map is read from the
 * pins themselves (each pin carries the contact's canonical username, and pins
 * survive sign-out and travel in the vault): the binding of a username is the
 * pin naming it that was bound last (an accepted identity change rebinds it).
 */
import { canonicalUsername } from '@lockbox/contracts';
import type { Pin } from './profile';

/** When a pin's username was bound to its id: an explicit rebind, else when it was pinned. */
const boundAt = (pin: Pin): number => Date.parse(pin.username_bound_at ?? pin.pinned_at);

/** The pin that currently holds `username` on this device, if any. */
export const pinBoundTo = (pins: Pin[], username: string): Pin | undefined => {
  const name = canonicalUsername(username);
  let holder: Pin | undefined;
  for (const pin of pins) {
    if (pin.username === undefined || canonicalUsername(pin.username) !== name) continue;
    if (!holder || boundAt(pin) > boundAt(holder)) holder = pin;
  }
  return holder;
};

export type NameProblem =
  /** The username is pinned to another id on this device: the server moved it. */
  | { reason: 'username_moved'; pinned: Pin }
  /** This id is pinned under another username: the server renamed it. */
  | { reason: 'username_mismatch'; pinned: Pin };

/** Whether the server's claim "`userId` is `username`" contradicts what this device pinned. */
export const nameBindingProblem = (
  pins: Pin[],
  userId: string,
  username: string,
): NameProblem | undefined => {
  const holder = pinBoundTo(pins, username);
  if (holder && holder.user_id !== userId) return { reason: 'username_moved', pinned: holder };
  const own = pins.find((p) => p.user_id === userId);
  // LockBox has no renames: an id pinned under one name and listed under another is a lie.
  if (own?.username !== undefined && canonicalUsername(own.username) !== canonicalUsername(username))
    return { reason: 'username_mismatch', pinned: own };
  return undefined;
};
