/** What the page and the argon2id worker say to each other (argon2.worker.ts, worker-argon2.ts). */
export interface Argon2Request {
  password: Uint8Array;
  salt: Uint8Array;
  memory_kib: number;
  iterations: number;
  parallelism: number;
}

export type Argon2Reply = { hash: Uint8Array } | { error: string };
