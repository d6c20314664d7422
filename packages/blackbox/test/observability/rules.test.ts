/**
 * The committed Prometheus files are valid for Debian's promtool, and the
 * alert rules fire in their unit tests (deploy/prometheus/alerts.test.yml:
 * service down, 5xx rate, delivery lag, fan-out disconnected).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { deployable, instancePort } from '@lockbox/contracts/deployables';
import { describe, expect, it } from 'vitest';
import {
  ALERT_RULES,
  ALERT_RULES_TEST,
  committedTargets,
  dashboardExpressions,
  PROMETHEUS_CONFIG,
} from '../../src/prometheus';

const run = promisify(execFile);
const promtool = (...args: string[]) => run('/usr/bin/promtool', args, { timeout: 60_000 });

describe('deploy/prometheus', () => {
  it('promtool check config accepts prometheus.yml (and the rules it loads)', async () => {
    const { stdout } = await promtool('check', 'config', PROMETHEUS_CONFIG);
    expect(stdout).toMatch(/SUCCESS: .*prometheus\.yml is valid/);
  });

  it('promtool check rules accepts the four alerts', async () => {
    const { stdout } = await promtool('check', 'rules', ALERT_RULES);
    expect(stdout).toContain('SUCCESS: 4 rules found');
  });

  it('promtool test rules: every alert fires on its unit test, and stays quiet below its threshold', async () => {
    const { stdout } = await promtool('test', 'rules', ALERT_RULES_TEST);
    expect(stdout).toContain('SUCCESS');
  });

  it('scrapes the gateway admin port and each service port, from the deployables list, one job each', () => {
    expect(committedTargets()).toEqual([
      ['lockbox-gateway', [`127.0.0.1:${deployable('gateway').adminPort}`]],
      ['lockbox-auth', [`127.0.0.1:${instancePort('auth')}`]],
      ['lockbox-messages', [`127.0.0.1:${instancePort('messages')}`]],
      ['lockbox-realtime', [`127.0.0.1:${instancePort('realtime')}`]],
    ]);
    // Never the public port: /metrics answers 404 there.
    expect(deployable('gateway').adminPort).not.toBe(instancePort('gateway'));
  });

  it('the dashboard has the panels an operator needs, each with an expression', () => {
    const exprs = dashboardExpressions().join('\n');
    for (const metric of [
      'lockbox_gateway_request_duration_seconds_count',
      'lockbox_gateway_request_duration_seconds_bucket',
      'lockbox_gateway_websocket_connections',
      'lockbox_realtime_websocket_connections',
      'lockbox_realtime_delivery_lag_seconds_bucket',
      'lockbox_realtime_fanout_connected',
    ])
      expect(exprs).toContain(metric);
  });
});
