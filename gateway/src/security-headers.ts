/**
 * Headers every answer of the gateway carries: its own JSON, the proxied API
 * answers and the pages/assets it serves. One list, so an API answer and a
 * page can never drift apart. Flat [name, value, …] so the hot path builds no
 * header objects.
 */
export const SECURITY_HEADERS: readonly string[] = [
  'x-content-type-options',
  'nosniff',
  'referrer-policy',
  'no-referrer',
  'x-frame-options',
  'DENY',
];
