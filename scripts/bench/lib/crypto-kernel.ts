/**
 * The crypto bench's measuring loop, written against the SDK's crypto module
 * only, so the very same code runs in Node and (bundled) in Chromium.
 */
import type { crypto as SdkCrypto } from '@lockbox/client';

export interface KernelOptions {
  /** Seconds per timed loop. */
  seconds: number;
  /** argon2id derivations to time (64 MiB, 3 passes). */
  kdfRuns: number;
  messageBytes: number;
}

export interface KernelResult {
  sealOpsPerS: number;
  openOpsPerS: number;
  envelopeBytes: number;
  kdfMs: number[];
  /** The pieces, per operation (ms), to see where the time goes. */
  parts: Record<string, number>;
}

const timed = (seconds: number, fn: () => void): number => {
  for (let i = 0; i < 5; i++) fn(); // warm-up
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    fn();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
};

export const runCryptoKernel = async (c: typeof SdkCrypto, opts: KernelOptions): Promise<KernelResult> => {
  const alice = { userId: 'usr_aaaaaaaaaaaaaaaaaaaaaaaaaa', identity: c.generateIdentity() };
  const bob = { userId: 'usr_bbbbbbbbbbbbbbbbbbbbbbbbbb', identity: c.generateIdentity() };
  const alphabet = 'abcdefghijklmnopqrstuvwxyz ';
  let text = '';
  for (let i = 0; i < opts.messageBytes; i++) text += alphabet[i % alphabet.length];
  let counter = 0;
  let last = c.sealMessage({
    sender: alice,
    recipient: bob,
    clientMsgId: 'bench-0',
    payload: { type: 'text', text },
  });
  const sealOpsPerS = timed(opts.seconds, () => {
    last = c.sealMessage({
      sender: alice,
      recipient: bob,
      clientMsgId: `bench-${++counter}`,
      payload: { type: 'text', text },
    });
  });
  const clientMsgId = `bench-${counter}`;
  const openOpsPerS = timed(opts.seconds, () => {
    c.openMessage({
      envelope: last.envelope,
      signature: last.signature,
      metadata: { senderId: alice.userId, recipientId: bob.userId, clientMsgId },
      senderIdentityKey: alice.identity.identityKey,
      reader: { userId: bob.userId, identities: [bob.identity] },
    });
  });

  const header = c.decodeEnvelope(last.envelope).headerBytes;
  const key = new Uint8Array(32);
  const wrap = c.wrapContentKey(key, bob.identity.kemPublicKey, c.ROLE.recipient, header, c.systemRandom);
  const perOp = (seconds: number, fn: () => void) => 1000 / timed(seconds, fn);
  const short = Math.max(0.3, opts.seconds / 4);
  const parts = {
    'X-Wing encapsulate + HKDF + wrap': perOp(short, () =>
      c.wrapContentKey(key, bob.identity.kemPublicKey, c.ROLE.recipient, header, c.systemRandom),
    ),
    'X-Wing decapsulate + HKDF + unwrap': perOp(short, () =>
      c.unwrapContentKey(wrap, bob.identity.secrets.kemSeed, header),
    ),
    'payload encode + pad (1 KB)': perOp(short, () => c.encodePayload({ type: 'text', text })),
  };

  const kdfMs: number[] = [];
  for (let i = 0; i < opts.kdfRuns; i++) {
    const start = performance.now();
    await c.deriveAccountKeys('correct horse battery staple', c.newClientKdf(), undefined, 'bench');
    kdfMs.push(performance.now() - start);
  }
  return { sealOpsPerS, openOpsPerS, envelopeBytes: last.envelope.length, kdfMs, parts };
};
