/**
 * The argon2id worker: derives the account's master key off the page's main
 * thread, so the 64 MiB, three-pass derivation at sign-in does not freeze the
 * page. It answers one request (the page then ends it); the password bytes it
 * received are zeroed once hashed.
 */
import { argon2id } from 'hash-wasm';
import type { Argon2Reply, Argon2Request } from './argon2-protocol';

const post = (reply: Argon2Reply, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(reply, transfer);

self.addEventListener('message', async (event: MessageEvent<Argon2Request>) => {
  const { password, salt, memory_kib, iterations, parallelism } = event.data;
  try {
    const hash = await argon2id({
      password,
      salt,
      iterations,
      memorySize: memory_kib,
      parallelism,
      hashLength: 32,
      outputType: 'binary',
    });
    post({ hash }, [hash.buffer]);
  } catch (err) {
    // The message only: it never contains the password (hash-wasm reports parameter errors).
    post({ error: err instanceof Error ? err.message : 'argon2id failed' });
  } finally {
    password.fill(0);
  }
});
