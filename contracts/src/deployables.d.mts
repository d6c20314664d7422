/** Types for deployables.mjs (see there). */
export type DeployableKind = 'service' | 'gateway' | 'cli';

export interface Deployable {
  /** `auth`, `messages`, `realtime`, `gateway` or `cli`. */
  readonly name: string;
  readonly kind: DeployableKind;
  readonly packageName: string;
  /** Package folder, relative to the repository root. */
  readonly packageDir: string;
  /** TypeScript entry point, relative to the repository root (run with `node --import tsx`). */
  readonly entry: string;
  /** Built release, relative to the repository root (run with `node`). */
  readonly bundle: string;
  /** Default port of the first instance (none for the CLI). */
  readonly port?: number;
  /** The operator listener's default port (the gateway's /metrics); instance i adds the same stride. */
  readonly adminPort?: number;
  /** Gateway env naming this service's instances (`http://a:8001,http://b:8001`). */
  readonly upstreamsEnv?: string;
  /** Env other services use to call this one. */
  readonly urlsEnv?: string;
}

export declare const INSTANCE_PORT_STRIDE: number;
export declare const DEPLOYABLES: readonly Deployable[];
export declare const deployable: (name: string) => Deployable;
export declare const instancePort: (name: string, index?: number) => number;
