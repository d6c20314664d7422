/**
 * Cross-site WebSocket hijacking guard: a browser always sends Origin, and a
 * page from another site must not open a socket with the user's token. No
 * Origin at all is a non-browser client (CLI, curl, tests) and is allowed.
 * A page from the host the request was sent to (the web app the gateway
 * serves, whatever name or port it was reached by) is its own origin: allowed.
 */
export const isSameOrigin = (origin: string, host: string | undefined): boolean => {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
};

export const createOriginCheck = (allowed: string[]) => {
  const set = new Set(allowed.map((o) => o.toLowerCase()));
  return (origin: string | string[] | undefined, host?: string): boolean => {
    if (origin === undefined) return true;
    if (typeof origin !== 'string') return false;
    return set.has(origin.toLowerCase()) || isSameOrigin(origin, host);
  };
};
