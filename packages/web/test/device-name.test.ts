/** The browser's device name: browser family and platform only, whatever the user agent says. */
import { describe, expect, it } from 'vitest';
import { browserDeviceName } from '../src/lib/device-name';

const UA = {
  chromeLinux:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  firefoxMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  chromeAndroid:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
};

describe('browserDeviceName', () => {
  it('names browser family and platform from the user agent', () => {
    expect(browserDeviceName({ userAgent: UA.chromeLinux })).toBe('Chrome on Linux');
    expect(browserDeviceName({ userAgent: UA.headless })).toBe('Chrome on Linux');
    expect(browserDeviceName({ userAgent: UA.edgeWindows })).toBe('Edge on Windows');
    expect(browserDeviceName({ userAgent: UA.firefoxMac })).toBe('Firefox on macOS');
    expect(browserDeviceName({ userAgent: UA.safariIphone })).toBe('Safari on iOS');
    expect(browserDeviceName({ userAgent: UA.chromeAndroid })).toBe('Chrome on Android');
  });

  it('prefers the client hints of a Chromium-based browser, skipping the GREASE brand', () => {
    const brands = [{ brand: 'Chromium' }, { brand: 'Not_A Brand' }];
    expect(browserDeviceName({ userAgent: UA.chromeLinux, brands, platform: 'Linux' })).toBe(
      'Chromium on Linux',
    );
    const chrome = [{ brand: 'Not)A;Brand' }, { brand: 'Chromium' }, { brand: 'Google Chrome' }];
    expect(browserDeviceName({ userAgent: UA.chromeLinux, brands: chrome, platform: 'macOS' })).toBe(
      'Google Chrome on macOS',
    );
  });

  it('falls back to a generic name, and never exceeds the 64 characters a device list allows', () => {
    expect(browserDeviceName({ userAgent: '' })).toBe('Browser');
    const long = browserDeviceName({
      userAgent: '',
      brands: [{ brand: 'x'.repeat(100) }],
      platform: 'Linux',
    });
    expect(long.length).toBe(64);
  });
});
