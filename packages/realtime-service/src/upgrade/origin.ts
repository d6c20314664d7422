/**
 * Cross-site WebSocket hijacking guard: a browser always sends Origin, and a
 * page from another site must not open a socket with the user's token. No
 * Origin at all is a non-browser client (CLI, curl, tests) and is allowed.
 */
export const createOriginCheck = (allowed: string[]) => {
  const set = new Set(allowed.map((o) => o.toLowerCase()));
  return (origin: string | string[] | undefined): boolean => {
    if (origin === undefined) return true;
    if (typeof origin !== 'string') return false;
    return set.has(origin.toLowerCase());
  };
};
