/**
 * One info line per request, into the gateway's log file (and stdout when
 * LOCKBOX_LOG_STDOUT is on), in pino's JSON format (level 30 = info).
 *
 * Not through the shared logger: it redacts by path on every call, and with a
 * pino destination write per line the access log was the largest cost on the
 * hot path. Here a line is a template string (every field is chosen and safe:
 * the path goes through safeUrl; no headers, no bodies), copied at once into a
 * batch buffer — so the string dies young instead of burdening the old
 * generation — and every FLUSH_MS, or when the batch is full, the batch goes
 * out as one write to pino's asynchronous destination (sonic-boom), which
 * handles partial writes, retries, and drops rather than grow without bound.
 */
import path from 'node:path';
import { safeUrl } from '@lockbox/service-kit';
import pino from 'pino';

export interface AccessLogOptions {
  logDir: string;
  instance: string;
  stdout: boolean;
}

export interface AccessEntry {
  requestId: string;
  method: string | undefined;
  url: string | undefined;
  status: number;
  ms: number;
  upstream: string | undefined;
}

/** Batches go out this often, or as soon as one is full. */
const FLUSH_MS = 100;
const BATCH_BYTES = 64 * 1024;
/** A destination that can't keep up (slow disk) drops batches past this much queued. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Masked, JSON-escaped paths of recent URLs: hot endpoints repeat. */
const PATH_CACHE_MAX = 2048;

type Destination = ReturnType<typeof pino.destination>;

export class AccessLog {
  readonly #streams: Destination[];
  readonly #prefix: string;
  #batch = Buffer.allocUnsafe(BATCH_BYTES);
  #used = 0;
  #timer: NodeJS.Timeout | undefined;
  #dropped = 0;
  #lastMs = 0;
  #lastIso = '';
  readonly #paths = new Map<string, string>();
  /** The last upstream and its JSON: a service's few instances repeat. */
  #lastUpstream: string | undefined;
  #lastUpstreamJson = 'null';

  constructor(opts: AccessLogOptions) {
    const options = {
      sync: false,
      contentMode: 'buffer' as const,
      // 1, not 0: writes still go out at once, and flush(cb) waits for the one in flight.
      minLength: 1,
      maxLength: MAX_QUEUED_BYTES,
    };
    // Same file as the gateway's other lines; O_APPEND keeps whole writes from both writers intact.
    this.#streams = [
      pino.destination({ dest: path.join(opts.logDir, `${opts.instance}.log`), mkdir: true, ...options }),
    ];
    if (opts.stdout) this.#streams.push(pino.destination({ fd: 1, ...options }));
    for (const s of this.#streams) s.on('drop', () => this.#dropped++);
    this.#prefix = `,"service":"gateway","instance":${JSON.stringify(opts.instance)},"requestId":"`;
  }

  /** The request id is already restricted to [A-Za-z0-9._-] and the method to an HTTP token. */
  write(e: AccessEntry): void {
    const now = Date.now();
    if (now !== this.#lastMs) {
      this.#lastMs = now;
      this.#lastIso = new Date(now).toISOString();
    }
    const line =
      `{"level":30,"time":"${this.#lastIso}"${this.#prefix}${e.requestId}",` +
      `"method":"${e.method ?? ''}","path":${this.#path(e.url ?? '')},"status":${e.status},` +
      `"ms":${Math.round(e.ms * 10) / 10},"upstream":${this.#upstream(e.upstream)},` +
      `"msg":"request"}\n`;
    // Worst case 3 bytes per UTF-16 unit: a line that might not fit starts the next batch.
    if (this.#used + line.length * 3 > BATCH_BYTES) this.#drain();
    this.#used += this.#batch.write(line, this.#used, 'utf8');
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#drain, FLUSH_MS);
      this.#timer.unref();
    }
  }

  #upstream(upstream: string | undefined): string {
    if (upstream !== this.#lastUpstream) {
      this.#lastUpstream = upstream;
      this.#lastUpstreamJson = upstream === undefined ? 'null' : JSON.stringify(upstream);
    }
    return this.#lastUpstreamJson;
  }

  #path(url: string): string {
    let escaped = this.#paths.get(url);
    if (escaped === undefined) {
      escaped = JSON.stringify(safeUrl(url));
      if (this.#paths.size >= PATH_CACHE_MAX) this.#paths.clear();
      this.#paths.set(url, escaped);
    }
    return escaped;
  }

  readonly #drain = (): void => {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#dropped > 0) {
      const note = `{"level":40,"time":"${new Date().toISOString()}","service":"gateway","msg":"access log fell behind; ${this.#dropped} batches dropped"}\n`;
      this.#dropped = 0;
      if (this.#used + note.length <= BATCH_BYTES)
        this.#used += this.#batch.write(note, this.#used, 'latin1');
    }
    if (this.#used === 0) return;
    const data = this.#batch.subarray(0, this.#used);
    // The destinations hold on to it until written: the next batch gets a fresh buffer.
    this.#batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.#used = 0;
    // contentMode 'buffer' takes Buffers; sonic-boom's typings only declare strings.
    for (const s of this.#streams) s.write(data as unknown as string);
  };

  /** Writes out what is queued (shutdown); gives up after a second rather than hold the exit. */
  async flush(): Promise<void> {
    this.#drain();
    await Promise.all(
      this.#streams.map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 1_000);
            try {
              s.flush(() => {
                clearTimeout(timer);
                resolve();
              });
            } catch {
              clearTimeout(timer);
              resolve(); // already closed
            }
          }),
      ),
    );
  }
}
