/**
 * One info line per request, into the gateway's log file (and stdout when
 * LOCKBOX_LOG_STDOUT is on), through pino's asynchronous, batched destination
 * but not through the shared logger: that one redacts by path on every call,
 * which was the largest cost of logging on the hot path, and every field here
 * is chosen and safe (the path goes through safeUrl; no headers, no bodies).
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

export class AccessLog {
  readonly #streams: Array<ReturnType<typeof pino.destination>>;
  readonly #prefix: string;

  constructor(opts: AccessLogOptions) {
    // Same file as the gateway's other lines; O_APPEND keeps whole lines from both writers intact.
    this.#streams = [
      pino.destination({
        dest: path.join(opts.logDir, `${opts.instance}.log`),
        mkdir: true,
        sync: false,
        minLength: 4096,
      }),
    ];
    if (opts.stdout) this.#streams.push(pino.destination({ fd: 1, sync: false, minLength: 4096 }));
    this.#prefix = `,"service":"gateway","instance":${JSON.stringify(opts.instance)},"requestId":"`;
  }

  /**
   * The line is written by hand in pino's format (level 30 = info) — a fixed
   * shape costs a template string instead of pino's generic serialization.
   * The request id is already restricted to [A-Za-z0-9._-] and the method to
   * an HTTP token, so only the path and upstream need escaping.
   */
  write(e: AccessEntry): void {
    const line =
      `{"level":30,"time":"${new Date().toISOString()}"${this.#prefix}${e.requestId}",` +
      `"method":"${e.method ?? ''}","path":${JSON.stringify(safeUrl(e.url))},"status":${e.status},` +
      `"ms":${Math.round(e.ms * 10) / 10},"upstream":${e.upstream === undefined ? 'null' : JSON.stringify(e.upstream)},` +
      `"msg":"request"}\n`;
    for (const s of this.#streams) s.write(line);
  }

  /** Writes out what is buffered (shutdown); gives up after a second rather than hold the exit. */
  async flush(): Promise<void> {
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
