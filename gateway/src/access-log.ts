/**
 * One info line per request, into the gateway's log file (and stdout when
 * LOCKBOX_LOG_STDOUT is on). A pino instance of its own, without the shared
 * logger's redaction: every field here is chosen and safe (the path goes
 * through safeUrl, no headers, no bodies), and redaction was the largest cost
 * of logging on the hot path. Writes are asynchronous and batched.
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
  readonly #log: pino.Logger;
  readonly #streams: Array<ReturnType<typeof pino.destination>>;

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
    const target = this.#streams.length === 1 ? this.#streams[0] : pino.multistream(this.#streams);
    this.#log = pino(
      {
        level: 'info',
        base: { service: 'gateway', instance: opts.instance },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      target,
    );
  }

  write(e: AccessEntry): void {
    this.#log.info(
      {
        requestId: e.requestId,
        method: e.method,
        path: safeUrl(e.url),
        status: e.status,
        ms: Math.round(e.ms * 10) / 10,
        upstream: e.upstream,
      },
      'request',
    );
  }

  flush(): void {
    for (const s of this.#streams) {
      try {
        s.flushSync();
      } catch {
        // not opened yet, or already closed
      }
    }
  }
}
