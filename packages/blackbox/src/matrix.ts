/**
 * The cases of shared/RELIABILITY.md, one id each. Every test in this suite
 * names the case it proves with its id in brackets (`[B7] …`); the matrix
 * test fails when a case has no test, and `pnpm --filter @lockbox/blackbox
 * report` prints which cases held.
 */
export interface Case {
  id: string;
  section: 'Bad input' | 'Authorization' | 'Faults';
  title: string;
}

const section = (prefix: string, name: Case['section'], titles: string[]): Case[] =>
  titles.map((title, i) => ({ id: `${prefix}${i + 1}`, section: name, title }));

export const CASES: readonly Case[] = [
  ...section('B', 'Bad input', [
    'Body over the limit → 413 before parsing',
    'Truncated JSON, invalid UTF-8 → 400',
    'Wrong or missing Content-Type on a JSON body → 415',
    'Unknown keys, __proto__, constructor → rejected; Object.prototype untouched',
    'Huge integers, NaN, arrays or null where ids belong → 400',
    '10k-character username, over-sized ciphertext → 400/413',
    'JSON nested 10,000 levels deep → 400, no stack overflow',
    '1 MB password refused before argon2; a 64-character password works',
    'JWT attacks (alg none, HS256 with the public key, expired, future nbf, wrong aud/iss, no exp, 20 KB, refresh as access) → 401',
    'Path ids that are not ids, ../, %00 → 400/404',
    'Thousands of headers, or both Content-Length and Transfer-Encoding → refused, not forwarded',
    'WebSocket: oversized frame (1009), non-JSON, unknown type, bad close code → clean close or error frame',
    'tRPC batch with 1,000 calls → refused',
    'The same client_msg_id twice (even with other content) → one message; the retry gets the original answer',
  ]),
  ...section('A', 'Authorization', [
    'Every route without a token or with a bad one → 401 (over the contracts route table)',
    'Reading a conversation you are not part of → 403/404',
    'Sending to a non-contact, to someone who blocked you, before acceptance → 403',
    "Accepting or declining someone else's chat request → 403; request spam → 429",
    'sender_id / user_id in a body ignored or refused: identity from the token only',
    'WebSocket: no token, bad token, foreign path id, disallowed Origin → refused before 101; logout closes the socket',
    'Internal procedures not reachable through the gateway; refused without the service credential',
    'Client-sent x-user-id / x-forwarded-for cannot change identity or dodge a rate limit',
    'Brute force → 429 with Retry-After, the real owner not locked out forever',
    'No user enumeration: unknown user and wrong password answer alike',
  ]),
  ...section('F', 'Faults', [
    'Kill the realtime service mid-stream → reconnect and resume; every committed message exactly once',
    'Kill the message service between commit and reply → the retry with the same client_msg_id yields one message',
    'Database down (stop PostgreSQL, or cut the TCP path) → 503 with Retry-After; recovery when back',
    'Upstream resets a connection mid-response → 502, gateway alive',
    'Upstream stalls → 504 after the configured timeout; sockets do not pile up',
    'A WebSocket client that stops reading → bounded buffers, then closed; its messages wait for resume',
    'Redis down with several realtime instances → delivery degrades to resume, nothing lost, service alive',
  ]),
];

/** The case ids a test title claims, e.g. `[B2][B3] …` → ['B2', 'B3']. */
export const caseIdsOf = (title: string): string[] =>
  [...title.matchAll(/\[([BAF]\d+)\]/g)].map((m) => m[1] as string);
