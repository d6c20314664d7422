/** Identity-slice helpers for the web tests: forged bundles, a relabelled contact list, numbers on screen. */
import { crypto } from '@lockbox/client';
import type { HostileServer } from '@lockbox/testkit';
import type { Locator } from 'playwright-core';

/** From now on `keys.get` for `userId` answers a bundle a fresh key signs for that id and `username`. */
export const forgeFreshBundle = (hostile: HostileServer, userId: string, username: string) => {
  const bundle = {
    ...crypto.signKeyBundle(userId, username, crypto.generateIdentity()),
    user_id: userId,
    published_at: new Date().toISOString(),
  };
  hostile.respond('keys.get', (call) =>
    (call.input as { user_id?: string } | undefined)?.user_id === userId
      ? { status: 200, body: { result: { data: bundle } } }
      : undefined,
  );
};

/** From now on contacts.list shows the impostor's account under the victim's username, and the impostor's own entry not at all. */
export const listImpostorAs = (hostile: HostileServer, victim: { id: string }, impostor: { id: string }) =>
  hostile.rewrite('contacts.list', (data) => {
    const list = data as Array<{ id: string; username: string; conversation_id: string }>;
    const real = list.find((c) => c.id === impostor.id);
    return list
      .filter((c) => c.id !== impostor.id)
      .map((c) =>
        c.id === victim.id && real ? { ...c, id: impostor.id, conversation_id: real.conversation_id } : c,
      );
  });

/** From now on answers of `path` show `toId` wherever they showed `fromId` (same username and the rest). */
export const relabel = (hostile: HostileServer, path: string, fromId: string, toId: string) =>
  hostile.rewrite(path, (data) => JSON.parse(JSON.stringify(data).split(`"${fromId}"`).join(`"${toId}"`)));

/** The 12 groups a safety-number list shows. */
export const groupsIn = (list: Locator) => list.locator('li').allTextContents();
