/**
 * argon2id for the SDK (`LockboxSession.open({ argon2id })`), run in a Web
 * Worker (argon2.worker.ts) instead of on the page's main thread. One worker,
 * started on the first derivation and kept for the next (sign-in, password
 * change); requests are matched to answers by id. The password bytes go
 * to the worker as a transferred copy (nothing left behind in the page's
 * copy), and the worker zeroes them once hashed.
 */
import type { crypto } from '@lockbox/client';
import type { Argon2Reply, Argon2Request } from './argon2-protocol';

type Argon2id = crypto.Argon2id;

export const workerArgon2id = (): Argon2id => {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (h: Uint8Array) => void; reject: (e: Error) => void }>();

  const failAll = (message: string) => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
    worker?.terminate();
    worker = undefined;
  };

  const start = (): Worker => {
    const w = new Worker(new URL('./argon2.worker.ts', import.meta.url), {
      type: 'module',
      name: 'lockbox-argon2id',
    });
    w.onmessage = (event: MessageEvent<Argon2Reply>) => {
      const reply = event.data;
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if ('hash' in reply) waiting.resolve(reply.hash);
      else waiting.reject(new Error(`argon2id: ${reply.error}`));
    };
    w.onerror = (event) => {
      event.preventDefault();
      failAll('the argon2id worker failed to run');
    };
    return w;
  };

  return (password, salt, kdf) => {
    worker ??= start();
    const id = nextId++;
    const copy = password.slice();
    const request: Argon2Request = {
      id,
      password: copy,
      salt: salt.slice(),
      memory_kib: kdf.memory_kib,
      iterations: kdf.iterations,
      parallelism: kdf.parallelism,
    };
    const answer = new Promise<Uint8Array>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.postMessage(request, [copy.buffer]);
    return answer;
  };
};
