/**
 * Runs inside Chromium (bundled by esbuild for the browser): two accounts, three devices, one
 * group built from KeyPackages and a Welcome, a message each way, a removal. Returns what each
 * device decrypted so the Node side can assert it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  createDevice,
  encodeKeyPackage,
  GroupMember,
  generateKeyPackage,
  type MlsRefusedError,
  signDeviceCertificate,
} from '../../src';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const account = (userId: string) => {
  const signingSeed = ed25519.utils.randomSecretKey();
  return { userId, signingSeed, identityKey: ed25519.getPublicKey(signingSeed) };
};

const runFlow = async (): Promise<Record<string, string>> => {
  const alice = account('usr_alice');
  const bob = account('usr_bob');
  const accountKeyFor = (u: string) => [alice, bob].find((a) => a.userId === u)?.identityKey;
  const device = (a: ReturnType<typeof account>, deviceId: string) =>
    createDevice({ userId: a.userId, deviceId, certify: (r) => signDeviceCertificate(r, a.signingSeed) });

  const a1 = await GroupMember.create(await device(alice, 'dev_a1'), utf8('cnv_browser'), { accountKeyFor });
  const b1Device = await device(bob, 'dev_b1');
  const b2Device = await device(bob, 'dev_b2');
  const b1Kp = await generateKeyPackage(b1Device);
  const b2Kp = await generateKeyPackage(b2Device);
  const add = await a1.addDevices([
    encodeKeyPackage(b1Kp.publicPackage),
    encodeKeyPackage(b2Kp.publicPackage),
  ]);
  await a1.merge(add);
  const b1 = (await GroupMember.join(add.welcome!, [b1Kp], { accountKeyFor })).member;
  const b2 = (await GroupMember.join(add.welcome!, [b2Kp], { accountKeyFor })).member;

  const out: Record<string, string> = {};
  const hello = await a1.encrypt(utf8('hello from Chromium'));
  for (const [name, m] of [['b1', b1] as const, ['b2', b2] as const]) {
    const got = await m.receive(hello);
    if (got.kind === 'application') out[name] = `${got.sender.deviceId}: ${text(got.plaintext)}`;
  }
  const reply = await b1.encrypt(utf8('reply'));
  const gotReply = await a1.receive(reply);
  if (gotReply.kind === 'application') out.a1 = `${gotReply.sender.deviceId}: ${text(gotReply.plaintext)}`;
  await b2.receive(reply);

  const removal = await a1.removeDevices([{ userId: 'usr_bob', deviceId: 'dev_b2' }]);
  await a1.merge(removal);
  await b1.receive(removal.commit);
  const removedView = await b2.receive(removal.commit);
  out.b2Removed = String(removedView.kind === 'commit' && removedView.removedSelf);
  const after = await a1.encrypt(utf8('after removal'));
  const b1After = await b1.receive(after);
  out.b1After = b1After.kind === 'application' ? text(b1After.plaintext) : '';
  out.b2After = await b2.receive(after).then(
    () => 'opened',
    (e: MlsRefusedError) => e.reason,
  );
  return out;
};

(globalThis as unknown as { runFlow: typeof runFlow }).runFlow = runFlow;
