/**
 * How the CLI speaks: human lines by default, JSON with `--json` (one document
 * per command, or one line per event for `listen`). Errors go to stderr in the
 * same mode, with a stable `code`, and a non-zero exit.
 */
import { CryptoError, LockboxApiError, type NoVaultError, SessionError } from '@lockbox/client';

export interface Output {
  json: boolean;
  /** A command's result: `human()` renders it for people, `data` is the JSON form. */
  result(data: unknown, human: () => string): void;
  /** A line for people only (progress, hints); silent in JSON mode. */
  info(line: string): void;
  /** A warning both modes show (on stderr). */
  warn(code: string, message: string, extra?: Record<string, unknown>): void;
}

export const createOutput = (json: boolean): Output => ({
  json,
  result(data, human) {
    process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${human()}\n`);
  },
  info(line) {
    if (!json) process.stderr.write(`${line}\n`);
  },
  warn(code, message, extra = {}) {
    process.stderr.write(
      json ? `${JSON.stringify({ warning: { code, message, ...extra } })}\n` : `warning: ${message}\n`,
    );
  },
});

/** A failure the CLI itself detects, with its stable code. */
export class CliError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface CliFailure {
  code: string;
  message: string;
}

/** The server answers a revoked device exactly like an ended session (401), so the sentence names both. */
const SIGNED_OUT_WHY =
  'it was revoked from another device (`lockbox devices revoke`), logged out, or its session ended';
const SIGNED_OUT = `If this device was signed in before, ${SIGNED_OUT_WHY}.`;

/** Turns anything thrown into a code and a sentence a person can act on. */
export const describeFailure = (err: unknown, serverUrl: string): CliFailure => {
  if (err instanceof CliError) return { code: err.code, message: err.message };
  if (err instanceof SessionError) {
    const hints: Partial<Record<string, string>> = {
      not_signed_in: `not signed in: run \`lockbox login <username>\` (or \`lockbox register <username>\`). ${SIGNED_OUT}`,
      wrong_password: 'wrong username or password',
    };
    if (err.code === 'kdf_changed' && !/downgrade/.test(err.message))
      return {
        code: err.code,
        message: `${err.message} If you did change it elsewhere: \`lockbox login <username> --accept-kdf-change\`.`,
      };
    if (err.code === 'no_vault')
      return {
        code: err.code,
        message: `${err.message}. If you really lost your keys, run \`lockbox reset-identity ${(err as NoVaultError).username}\``,
      };
    if (err.code === 'vault_rollback')
      return {
        code: err.code,
        message: `${err.message}; nothing was changed. Do not trust this server's answer`,
      };
    return { code: err.code, message: hints[err.code] ?? err.message };
  }
  if (err instanceof CryptoError) {
    if (err.code === 'key_changed')
      return {
        code: err.code,
        message: `${err.message}; nothing was sent. Compare safety numbers with \`lockbox verify <user>\` and, if they match, accept the new key with \`lockbox verify <user> --accept-new-key\``,
      };
    if (err.code === 'identity_changed')
      return {
        code: err.code,
        message: `${err.message}; nothing was sent or accepted. If they really have a new account, compare the new safety number with \`lockbox verify <user>\` first`,
      };
    if (err.code === 'identity_mismatch')
      return { code: err.code, message: `${err.message}; refused: nothing was sent or accepted` };
    return { code: err.code, message: err.message };
  }
  if (err instanceof LockboxApiError) {
    if (err.code === 'network')
      return { code: 'network', message: `cannot reach the LockBox server at ${serverUrl} (${err.message})` };
    if (err.code === 'rate_limited')
      return {
        code: err.code,
        message: `slow down: ${err.message}${err.retryAfter ? ` (retry in ${err.retryAfter} s)` : ''}`,
      };
    if (err.code === 'invalid_response')
      return {
        code: err.code,
        message: `the server at ${serverUrl} sent an answer LockBox refuses: ${err.message}`,
      };
    if (err.code === 'unauthorized' || err.code === 'token_expired')
      return {
        code: 'not_signed_in',
        message: `this device was signed out: ${SIGNED_OUT_WHY}. Run \`lockbox login <username>\` to sign in again`,
      };
    return { code: err.code, message: err.message };
  }
  return { code: 'error', message: (err as Error)?.message ?? String(err) };
};

export const reportFailure = (out: Output, failure: CliFailure) => {
  process.stderr.write(
    out.json ? `${JSON.stringify({ error: failure })}\n` : `lockbox: ${failure.message}\n`,
  );
};
