/**
 * One run of the v2 crypto measurements, in one plain Node process (the bundle
 * `v2-bundle.ts` builds): v1 envelope seal/open and MLS application messages
 * of the same 1 KB, in batches that alternate v1 and v2, then the group
 * operations of a 2-user, 6-device conversation.
 *
 * Every rate is given three ways, because the machine is shared: the best
 * batch (what the code can do when it gets a core), the median batch, and
 * operations per CPU-second of this process (what it costs, whatever the
 * others do).
 */
import { crypto } from '@lockbox/client';
import {
  type AccountKeyResolver,
  createDevice,
  type Device,
  encodeKeyPackage,
  GroupMember,
  generateKeyPackage,
  type LocalKeyPackage,
  signDeviceCertificate,
} from '@lockbox/mls';

export interface V2KernelOptions {
  /** Messages per batch. */
  batch: number;
  /** Batches per operation (each batch of v1 is followed by one of v2). */
  batches: number;
  /** Self-update commits (senders rotating over the devices). */
  updates: number;
  messageBytes: number;
}

/** One operation's rate over the run. */
export interface Rate {
  bestPerS: number;
  medianPerS: number;
  perCpuS: number;
}

export interface V2KernelResult {
  v1Seal: Rate;
  v1Open: Rate;
  mlsEncrypt: Rate;
  mlsDecrypt: Rate;
  v1EnvelopeBytes: number;
  mlsMessageBytes: number;
  /** CPU seconds of the whole run's process (start-up included), to tell its load from the machine's. */
  processCpuS: number;
  /** Milliseconds per operation; lists hold one value per device or per update. */
  group: {
    keyPackageMs: number[];
    createAndAddMs: number;
    joinMs: number[];
    updateMs: number[];
    processUpdateMs: number[];
    commitBytes: number;
    welcomeBytes: number;
  };
}

/** A conversation id of the real length (the MLS group id is its UTF-8 bytes, so it is on the wire). */
const CONVERSATION_ID = `cnv_${'b'.repeat(26)}`;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Times `fn` over `n` items: wall ms and this process's CPU ms. */
const timeBatch = async (n: number, fn: (i: number) => unknown | Promise<unknown>) => {
  const cpu0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return { wallMs: performance.now() - t0, cpuMs: cpuMs() - cpu0 };
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

class RateMeter {
  readonly #rates: number[] = [];
  #ops = 0;
  #cpuMs = 0;

  add(n: number, t: { wallMs: number; cpuMs: number }) {
    this.#rates.push((n * 1000) / t.wallMs);
    this.#ops += n;
    this.#cpuMs += t.cpuMs;
  }

  rate(): Rate {
    return {
      bestPerS: Math.max(...this.#rates),
      medianPerS: median(this.#rates),
      perCpuS: (this.#ops * 1000) / Math.max(this.#cpuMs, 1e-3),
    };
  }
}

const ms = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
};

interface BenchDevice {
  device: Device;
  keyPackage: LocalKeyPackage;
}

const accountsAndDevices = async () => {
  const users = ['usr_benchalice', 'usr_benchbob'].map((userId) => ({
    userId,
    identity: crypto.generateIdentity(),
  }));
  const accountKeyFor: AccountKeyResolver = (userId) =>
    users.find((u) => u.userId === userId)?.identity.identityKey;
  const devices: BenchDevice[] = [];
  const keyPackageMs: number[] = [];
  for (const user of users)
    for (let d = 1; d <= 3; d++) {
      const device = await createDevice({
        userId: user.userId,
        deviceId: `dev_${user.userId.slice(9)}${d}`,
        certify: (request) => signDeviceCertificate(request, user.identity.secrets.signingSeed),
      });
      const [keyPackage, t] = await ms(() => generateKeyPackage(device));
      keyPackageMs.push(t);
      devices.push({ device, keyPackage });
    }
  return { users, accountKeyFor, devices, keyPackageMs };
};

export const runV2Kernel = async (opts: V2KernelOptions): Promise<V2KernelResult> => {
  const { users, accountKeyFor, devices, keyPackageMs } = await accountsAndDevices();
  const options = { accountKeyFor };
  const [creator, ...others] = devices as [BenchDevice, ...BenchDevice[]];

  // Group operations: create + add the five other devices in one commit, each joins from the Welcome.
  const [{ first, staged }, createAndAddMs] = await ms(async () => {
    const first = await GroupMember.create(
      creator.device,
      new TextEncoder().encode(CONVERSATION_ID),
      options,
    );
    const staged = await first.addDevices(others.map((o) => encodeKeyPackage(o.keyPackage.publicPackage)));
    await first.merge(staged);
    return { first, staged };
  });
  const welcome = staged.welcome as Uint8Array;
  const members = [first];
  const joinMs: number[] = [];
  for (const o of others) {
    const [joined, t] = await ms(() => GroupMember.join(welcome, [o.keyPackage], options));
    joinMs.push(t);
    members.push(joined.member);
  }

  // Self-updates (post-compromise security): the sender stages and merges, every other device processes.
  const updateMs: number[] = [];
  const processUpdateMs: number[] = [];
  for (let u = 0; u < opts.updates; u++) {
    const sender = members[(u + 1) % members.length] as GroupMember;
    const [update, t] = await ms(async () => {
      const s = await sender.selfUpdate();
      await sender.merge(s);
      return s;
    });
    updateMs.push(t);
    for (const m of members)
      if (m !== sender) processUpdateMs.push((await ms(() => m.receive(update.commit)))[1]);
  }

  // Messages: v1 and v2 batches alternate so both see the same machine.
  const [alice, bob] = users as [(typeof users)[0], (typeof users)[0]];
  const sender = members[0] as GroupMember;
  const reader = members[3] as GroupMember; // one of bob's devices
  const text = 'abcdefghijklmnopqrstuvwxyz '
    .repeat(Math.ceil(opts.messageBytes / 27))
    .slice(0, opts.messageBytes);
  const plaintext = new TextEncoder().encode(text);
  const meters = {
    v1Seal: new RateMeter(),
    v1Open: new RateMeter(),
    mlsEncrypt: new RateMeter(),
    mlsDecrypt: new RateMeter(),
  };
  let v1EnvelopeBytes = 0;
  let mlsMessageBytes = 0;
  let counter = 0;
  for (let b = 0; b < opts.batches; b++) {
    const sealed: ReturnType<typeof crypto.sealMessage>[] = [];
    const ids: string[] = [];
    meters.v1Seal.add(
      opts.batch,
      await timeBatch(opts.batch, () => {
        const clientMsgId = `bench-${++counter}`;
        ids.push(clientMsgId);
        sealed.push(
          crypto.sealMessage({ sender: alice, recipient: bob, clientMsgId, payload: { type: 'text', text } }),
        );
      }),
    );
    meters.v1Open.add(
      opts.batch,
      await timeBatch(opts.batch, (i) => {
        const s = sealed[i] as (typeof sealed)[number];
        crypto.openMessage({
          envelope: s.envelope,
          signature: s.signature,
          metadata: { senderId: alice.userId, recipientId: bob.userId, clientMsgId: ids[i] as string },
          senderIdentityKey: alice.identity.identityKey,
          reader: { userId: bob.userId, identities: [bob.identity] },
        });
      }),
    );
    v1EnvelopeBytes = sealed[0]?.envelope.length ?? 0;

    const wires: Uint8Array[] = [];
    meters.mlsEncrypt.add(
      opts.batch,
      await timeBatch(opts.batch, async () => {
        wires.push(await sender.encrypt(plaintext));
      }),
    );
    meters.mlsDecrypt.add(
      opts.batch,
      await timeBatch(opts.batch, async (i) => {
        const got = await reader.receive(wires[i] as Uint8Array);
        if (got.kind !== 'application' || got.plaintext.length !== plaintext.length)
          throw new Error('MLS round trip returned something else');
      }),
    );
    mlsMessageBytes = wires[0]?.length ?? 0;
  }

  return {
    v1Seal: meters.v1Seal.rate(),
    v1Open: meters.v1Open.rate(),
    mlsEncrypt: meters.mlsEncrypt.rate(),
    mlsDecrypt: meters.mlsDecrypt.rate(),
    v1EnvelopeBytes,
    mlsMessageBytes,
    processCpuS: cpuMs() / 1000,
    group: {
      keyPackageMs,
      createAndAddMs,
      joinMs,
      updateMs,
      processUpdateMs,
      commitBytes: staged.commit.length,
      welcomeBytes: welcome.length,
    },
  };
};
