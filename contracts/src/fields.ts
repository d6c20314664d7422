/** Reusable field schemas: one definition of what a valid username, id or blob is. */
import { z } from 'zod';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
export const ZUsername = z
  .string()
  .min(3, 'username must be 3–32 characters')
  .max(32, 'username must be 3–32 characters')
  .regex(USERNAME_PATTERN, 'username may hold letters, digits, "_", "." and "-"');

/** Bounded before any hashing runs: a 1 MB password never reaches argon2. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
export const ZPassword = z
  .string()
  .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`);

/** Standard base64 (with padding) of bounded length; the server never decodes content it stores. */
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const zBase64 = (maxChars: number) =>
  z.string().max(maxChars, `at most ${maxChars} base64 characters`).regex(BASE64_PATTERN, 'must be base64');

/**
 * Base64 of an exact decoded byte length (keys, salts, signatures). The padding
 * must fit the length too: 44 characters can decode to 31, 32 or 33 bytes.
 */
export const zBase64Bytes = (bytes: number) => {
  const tail = ['', '[A-Za-z0-9+/]{2}==', '[A-Za-z0-9+/]{3}='][bytes % 3];
  const exact = new RegExp(`^(?:[A-Za-z0-9+/]{4}){${Math.floor(bytes / 3)}}${tail}$`);
  return z
    .string()
    .length(Math.ceil(bytes / 3) * 4, `must be ${bytes} bytes in base64`)
    .regex(exact, `must be ${bytes} bytes in base64`);
};

export const ZIsoTime = z.string();

/** Page size of every list: bounded so no request can ask for the whole table. */
export const zLimit = (fallback: number, max = 100) =>
  z.coerce.number().int().min(1).max(max).default(fallback);
