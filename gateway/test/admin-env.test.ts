/** The admin listener's settings: on by default, loopback, its port from the deployables list; 0 is off. */
import { deployable } from '@lockbox/contracts/deployables';
import { describe, expect, it } from 'vitest';
import { parseGatewayEnv } from '../src/env';

describe('GATEWAY_ADMIN_PORT / GATEWAY_ADMIN_HOST', () => {
  it('default to the deployables admin port on loopback, apart from the public port', () => {
    const env = parseGatewayEnv({});
    expect(env.GATEWAY_ADMIN_PORT).toBe(deployable('gateway').adminPort);
    expect(env.GATEWAY_ADMIN_PORT).not.toBe(env.PORT);
    expect(env.GATEWAY_ADMIN_HOST).toBe('127.0.0.1');
  });

  it('accept 0 (off) and another host, refuse a port out of range', () => {
    expect(parseGatewayEnv({ GATEWAY_ADMIN_PORT: '0' }).GATEWAY_ADMIN_PORT).toBe(0);
    expect(parseGatewayEnv({ GATEWAY_ADMIN_HOST: '10.0.0.5' }).GATEWAY_ADMIN_HOST).toBe('10.0.0.5');
    expect(() => parseGatewayEnv({ GATEWAY_ADMIN_PORT: '70000' })).toThrow();
  });
});
