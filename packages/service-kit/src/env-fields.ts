/**
 * The setting kinds every LockBox process reads (services and gateway alike),
 * written once so each variable accepts the same words wherever it is read.
 */
import { z } from 'zod';

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);

/**
 * A yes/no setting: `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`; empty
 * means no. The union of the words the services and the gateway accepted
 * before they shared this helper, so no documented value changes meaning.
 */
export const zBoolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => TRUE_WORDS.has(v));

/** Integer setting with a default and bounds (the lower bound defaults to 1). */
export const zIntSetting = (fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** `http://127.0.0.1:8001,http://127.0.0.1:8011`: the instances of a service this one calls. */
export const zUrlList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((u) => u.trim().replace(/\/+$/, ''))
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1));

/** Like zUrlList, but `off` (or empty) turns the dependency off (an empty list). */
export const zOptionalUrlList = z
  .string()
  .transform((v) => (v.trim() === '' || v.trim().toLowerCase() === 'off' ? 'off' : v))
  .pipe(z.union([z.literal('off'), zUrlList]))
  .transform((v) => (v === 'off' ? [] : v));

/**
 * Browser origins allowed with credentials (LOCKBOX_CORS_ORIGINS), for the
 * gateway and realtime alike: a comma list of `scheme://host[:port]`,
 * compared lowercased, never `*`. Empty entries are dropped.
 */
export const zOriginList = z
  .string()
  .default('http://localhost:8000,http://127.0.0.1:8000')
  .transform((v) => v.split(',').map((s) => s.trim().toLowerCase()))
  .pipe(
    z.array(
      z
        .string()
        .refine(
          (s) => s === '' || /^https?:\/\/[^/\s*]+$/.test(s),
          'an origin is scheme://host[:port], no path',
        )
        .refine((s) => s !== '*', '"*" is never allowed'),
    ),
  )
  .transform((list) => list.filter((s) => s !== ''));
