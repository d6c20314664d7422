/**
 * argon2id for the SDK (`LockboxSession.open({ argon2id })`), run in a Web
 * Worker (argon2.worker.ts) instead of on the page's main thread, so the
 * derivation at sign-in does not freeze the page. One worker per derivation,
 * ended as soon as it answers: derivations are rare (sign-in, password
 * change), and ending it frees the 64 MiB of WebAssembly memory the
 * derivation ran in, and whatever of the password's state was left there.
 * The password bytes go to the worker as a transferred copy, which the worker
 * zeroes once hashed.
 */
import type { crypto } from '@lockbox/client';
import type { Argon2Reply, Argon2Request } from './argon2-protocol';

export const workerArgon2id: crypto.Argon2id = (password, salt, kdf) =>
  new Promise<Uint8Array>((resolve, reject) => {
    const worker = new Worker(new URL('./argon2.worker.ts', import.meta.url), {
      type: 'module',
      name: 'lockbox-argon2id',
    });
    worker.onmessage = (event: MessageEvent<Argon2Reply>) => {
      worker.terminate();
      const reply = event.data;
      if ('hash' in reply) resolve(reply.hash);
      else reject(new Error(`argon2id: ${reply.error}`));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      reject(new Error('the argon2id worker could not run'));
    };
    const copy = password.slice();
    const request: Argon2Request = {
      password: copy,
      salt: salt.slice(),
      memory_kib: kdf.memory_kib,
      iterations: kdf.iterations,
      parallelism: kdf.parallelism,
    };
    worker.postMessage(request, [copy.buffer]);
  });
