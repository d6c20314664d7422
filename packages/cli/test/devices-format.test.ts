/** The device table and device names, without a server. */
import { describe, expect, it } from 'vitest';
import { deviceTable } from '../src/commands/devices';
import { checkDeviceName, defaultDeviceName } from '../src/device-name';

describe('deviceTable', () => {
  it('one aligned row per device; this device is starred and named', () => {
    const table = deviceTable([
      {
        device_id: 'dev_A',
        name: 'desk',
        added_at: '2026-12-01T10:00:00.000Z',
        last_seen_at: '2026-12-03T18:00:00.000Z',
        current: false,
      },
      {
        device_id: 'dev_B',
        name: 'a much longer laptop name',
        added_at: '2026-12-02T09:30:00.000Z',
        last_seen_at: null,
        current: true,
      },
    ]).split('\n');
    expect(table).toHaveLength(3);
    expect(table[0]).toMatch(/NAME +ID +ADDED +LAST SEEN/);
    expect(table[1]).toMatch(/^ {3}desk +dev_A +2026-12-01 10:00 +2026-12-03 18:00$/);
    expect(table[2]).toMatch(/^\* +a much longer laptop name +dev_B +2026-12-02 09:30 +never +this device$/);
    // Columns line up: every row has its id where the header has ID.
    const at = table[0]?.indexOf('ID');
    expect(table[1]?.indexOf('dev_A')).toBe(at);
    expect(table[2]?.indexOf('dev_B')).toBe(at);
  });
});

describe('device names', () => {
  it('defaults to the host name, within the 64 characters the signed list carries', () => {
    expect(defaultDeviceName('studio')).toBe('lockbox CLI on studio');
    expect(defaultDeviceName('h'.repeat(100))).toHaveLength(64);
    expect(defaultDeviceName('  ')).toBe('lockbox CLI on this computer');
  });

  it('--device-name is trimmed; empty or longer than 64 characters is refused', () => {
    expect(checkDeviceName('  laptop ')).toBe('laptop');
    expect(() => checkDeviceName('   ')).toThrow(/1 to 64 characters/);
    expect(() => checkDeviceName('x'.repeat(65))).toThrow(/1 to 64 characters/);
    expect(checkDeviceName('x'.repeat(64))).toHaveLength(64);
  });
});
