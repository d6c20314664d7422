/**
 * This browser's name in the account's device list ("Chromium on Linux"):
 * what a person needs to tell their devices apart when revoking one. It is
 * signed into the device list, so it says only what the user agent already
 * tells every site (browser family and platform), never a version or more.
 */

export interface BrowserHints {
  userAgent: string;
  /** navigator.userAgentData.brands, where the browser has it (Chromium-based ones). */
  brands?: readonly { brand: string }[] | undefined;
  /** navigator.userAgentData.platform ("Linux", "macOS", "Windows", …). */
  platform?: string | undefined;
}

const NAME_MAX = 64;

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChromium\//, 'Chromium'],
  [/\b(?:Headless)?Chrome\/|\bCriOS\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

const PLATFORMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/CrOS/, 'ChromeOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Windows/, 'Windows'],
  [/Linux|X11/, 'Linux'],
];

const first = (table: [RegExp, string][], text: string): string | undefined =>
  table.find(([pattern]) => pattern.test(text))?.[1];

/** The brand a Chromium-based browser names itself by: not the GREASE entry, and "Chromium" only if alone. */
const brandOf = (brands: readonly { brand: string }[]): string | undefined => {
  const real = brands.map((b) => b.brand).filter((b) => !/not.?a.?brand/i.test(b));
  return real.find((b) => b !== 'Chromium') ?? real[0];
};

export const browserDeviceName = (hints: BrowserHints): string => {
  const browser = (hints.brands && brandOf(hints.brands)) ?? first(BROWSERS, hints.userAgent) ?? 'Browser';
  const platform = hints.platform?.trim() || first(PLATFORMS, hints.userAgent);
  const name = platform ? `${browser} on ${platform}` : browser;
  return name.slice(0, NAME_MAX);
};

/** The running browser's name (no userAgentData outside Chromium: then the user agent string alone). */
export const thisBrowserName = (): string => {
  const data = (
    navigator as Navigator & { userAgentData?: { brands?: { brand: string }[]; platform?: string } }
  ).userAgentData;
  return browserDeviceName({
    userAgent: navigator.userAgent,
    brands: data?.brands,
    platform: data?.platform,
  });
};
