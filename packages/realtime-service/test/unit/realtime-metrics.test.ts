/** The realtime metrics as Prometheus reads them: delivery lag into the right bucket, gauges at scrape time. */
import { createMetrics } from '@lockbox/service-kit';
import { describe, expect, it } from 'vitest';
import type { FanOut } from '../../src/delivery/fan-out';
import { deliveryLagRecorder, watchFanOut } from '../../src/realtime-metrics';

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('realtime metrics', () => {
  it('delivery lag is now minus created_at, in seconds; unreadable or future times do not count as lag', async () => {
    const metrics = createMetrics('realtime', 'rt-test');
    const now = Date.parse('2026-01-01T00:00:10.000Z');
    const record = deliveryLagRecorder(metrics, () => now);
    record('2026-01-01T00:00:09.700Z'); // 0.3 s
    record('2026-01-01T00:00:20.000Z'); // clock ahead: counted as 0
    record('not a date');
    record(undefined);
    const text = await metrics.registry.metrics();
    expect(sample(text, 'lockbox_realtime_delivery_lag_seconds_count')).toBe(2);
    expect(sample(text, 'lockbox_realtime_delivery_lag_seconds_sum')).toBeCloseTo(0.3, 6);
    expect(sample(text, 'lockbox_realtime_delivery_lag_seconds_bucket{le="0.25"')).toBe(1);
    expect(sample(text, 'lockbox_realtime_delivery_lag_seconds_bucket{le="0.5"')).toBe(2);
  });

  it('the fan-out gauge follows the fan-out when scraped, labelled with its mode', async () => {
    const metrics = createMetrics('realtime', 'rt-test');
    const fanOut = { mode: 'redis', connected: true } as FanOut;
    watchFanOut(metrics, fanOut);
    expect(sample(await metrics.registry.metrics(), 'lockbox_realtime_fanout_connected{mode="redis"')).toBe(
      1,
    );
    (fanOut as { connected: boolean }).connected = false;
    expect(sample(await metrics.registry.metrics(), 'lockbox_realtime_fanout_connected{mode="redis"')).toBe(
      0,
    );
  });
});
