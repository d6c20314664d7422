/**
 * Distinct client addresses on one machine: every 127.x.y.z is loopback on
 * Linux, so a test that needs "another IP" binds its requests to a fresh one
 * (`localAddress`) and the gateway sees a different client.
 */
let counter = 0;

/** A loopback address no earlier call of this process returned (never 127.0.0.1). */
export const freshLoopbackIp = (): string => {
  counter++;
  return `127.1.${Math.floor(counter / 250) % 256}.${1 + (counter % 250)}`;
};
