/**
 * The same SDK in Chromium: the browser bundle builds (no node: imports),
 * reproduces the committed envelope vectors byte for byte, derives the same
 * account keys as Node, keeps keys in IndexedDB, and a browser user chats
 * with a Node user through the real stack (fetch with CORS + native
 * WebSocket with an Origin check).
 * Skipped where no Chromium is installed.
 */
import fs from 'node:fs';
import type { Stack } from '@lockbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Sdk from '../../src';
import { crypto, type LockboxSession } from '../../src';
import { newSession, startFullStack, uniqueName, until } from '../helpers/stack';
import type { EnvelopeVector } from '../vectors/envelope-vectors';
import { chromiumAvailable, openSdkPage, type SdkPage, type SdkServer, serveSdk } from './page';

type Win = { lockbox: typeof Sdk; session?: LockboxSession; inbox?: string[] };

const vectors = JSON.parse(
  fs.readFileSync(new URL('../vectors/envelope-v1.json', import.meta.url), 'utf8'),
) as { vectors: EnvelopeVector[] };

describe.skipIf(!chromiumAvailable())('the SDK in Chromium', () => {
  let stack: Stack;
  let server: SdkServer;
  let browser: SdkPage;

  beforeAll(async () => {
    // The page has its own origin, allowed by the gateway's CORS list and the realtime Origin
    // check: the API is cross-origin, as for a web app served elsewhere.
    server = await serveSdk();
    stack = await startFullStack({ LOCKBOX_CORS_ORIGINS: server.origin });
    browser = await openSdkPage(server.origin);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await stack?.stop();
  });

  it('reproduces the committed envelope vectors and opens them', async () => {
    const results = await browser.page.evaluate((vs) => {
      const { crypto: c } = (globalThis as unknown as Win).lockbox;
      const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
      return vs.map((v) => {
        const id = (p: typeof v.sender) =>
          c.identityFromSecrets({
            signingSeed: hex(p.signing_seed_hex),
            kemSeed: hex(p.kem_seed_hex),
            createdAt: p.created_at,
          });
        const draws = v.random_hex.map(hex);
        let i = 0;
        const sealed = c.sealMessage({
          sender: { userId: v.sender.user_id, identity: id(v.sender) },
          recipient: { userId: v.recipient.user_id, identity: id(v.recipient) },
          clientMsgId: v.client_msg_id,
          timestamp: v.timestamp,
          payload: v.payload,
          random: () => draws[i++] as Uint8Array,
        });
        const opened = c.openMessage({
          envelope: c.fromBase64(v.envelope_b64),
          signature: c.fromBase64(v.signature_b64),
          metadata: {
            senderId: v.sender.user_id,
            recipientId: v.recipient.user_id,
            clientMsgId: v.client_msg_id,
          },
          senderIdentityKey: hex(v.sender.identity_key_hex),
          reader: { userId: v.recipient.user_id, identities: [id(v.recipient)] },
        });
        return {
          envelope: c.toBase64(sealed.envelope),
          signature: c.toBase64(sealed.signature),
          payload: opened.payload,
        };
      });
    }, vectors.vectors);
    expect(results).toEqual(
      vectors.vectors.map((v) => ({
        envelope: v.envelope_b64,
        signature: v.signature_b64,
        payload: v.payload,
      })),
    );
  });

  it('derives the same login secret as Node (argon2id in WASM, salt bound to the username)', async () => {
    const kdf = { ...crypto.newClientKdf(), memory_kib: 19_456, iterations: 2 };
    const inNode = await crypto.deriveAccountKeys('pässwörd in NFC', kdf, undefined, 'Alice');
    const inBrowser = await browser.page.evaluate(async (k) => {
      const keys = await (globalThis as unknown as Win).lockbox.crypto.deriveAccountKeys(
        'pässwörd in NFC',
        k,
        undefined,
        'Alice',
      );
      return keys.loginSecret;
    }, kdf);
    expect(inBrowser).toBe(inNode.loginSecret);
  });

  it('keeps values in IndexedDB across store objects', async () => {
    const value = await browser.page.evaluate(async () => {
      const { IndexedDbStore } = (globalThis as unknown as Win).lockbox;
      await new IndexedDbStore('lockbox-test').set('identity', 'kept');
      return new IndexedDbStore('lockbox-test').get('identity');
    });
    expect(value).toBe('kept');
  });

  it('a browser user and a Node user chat end to end through the gateway', async () => {
    const webName = uniqueName('web');
    const nodeName = uniqueName('node');
    const nodeUser = await newSession(stack);
    await nodeUser.account.register(nodeName, 'node user password');
    await browser.page.evaluate(
      async ({ baseUrl, name }) => {
        const w = globalThis as unknown as Win;
        const { LockboxSession, IndexedDbStore } = w.lockbox;
        w.session = await LockboxSession.open({
          baseUrl,
          store: new IndexedDbStore(`profile-${name}`),
          webSocket: (url, protocols) => new WebSocket(url, protocols) as never,
        });
        await w.session.account.register(name, 'browser user password');
        w.inbox = [];
        await w.session.live.listen({
          onMessage: (m) => {
            if (m.payload?.type === 'text') w.inbox?.push(m.payload.text);
          },
        });
      },
      { baseUrl: stack.gatewayUrl, name: webName },
    );
    await nodeUser.requests.send(webName);
    await browser.page.evaluate(
      (from) => (globalThis as unknown as Win).session?.requests.respond(from, 'accept'),
      nodeName,
    );

    await browser.page.evaluate(
      (to) => (globalThis as unknown as Win).session?.messages.send(to, 'hi from chromium'),
      nodeName,
    );
    const seen = await nodeUser.messages.history(webName);
    expect(seen.map((m) => m.payload)).toEqual([{ type: 'text', text: 'hi from chromium' }]);

    await nodeUser.messages.send(webName, 'hi from node');
    await until(async () => {
      const inbox = await browser.page.evaluate(() => (globalThis as unknown as Win).inbox ?? []);
      expect(inbox).toContain('hi from node');
    });
    const safety = await browser.page.evaluate(
      (peer) => (globalThis as unknown as Win).session?.verification.safetyNumber(peer).then((s) => s.groups),
      nodeName,
    );
    expect(safety).toEqual((await nodeUser.verification.safetyNumber(webName)).groups);
  });
});
