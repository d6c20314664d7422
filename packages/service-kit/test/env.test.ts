/** The shared setting kinds: the words and values the README and .env.example promise, read alike everywhere. */
import { describe, expect, it } from 'vitest';
import { zBoolish, zIntSetting, zOptionalUrlList, zOriginList, zUrlList } from '../src/env';

describe('zBoolish', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['yes', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['no', false],
    ['off', false],
    ['', false],
  ])('reads %j as %s', (word, value) => {
    expect(zBoolish.parse(word)).toBe(value);
  });

  it('refuses other words (a typo stops the process, it does not silently mean no)', () => {
    for (const word of ['2', 'TRUE', 'enabled', ' 1']) expect(zBoolish.safeParse(word).success).toBe(false);
  });

  it('takes its default when unset', () => {
    expect(zBoolish.default(true).parse(undefined)).toBe(true);
  });
});

describe('zIntSetting', () => {
  const setting = zIntSetting(300);

  it('coerces, defaults, and bounds below at 1 unless told', () => {
    expect(setting.parse(undefined)).toBe(300);
    expect(setting.parse('42')).toBe(42);
    expect(setting.parse('1e9')).toBe(1e9);
    expect(setting.safeParse('0').success).toBe(false);
    expect(zIntSetting(300, 0).parse('0')).toBe(0);
  });

  it('refuses fractions, words and values out of bounds', () => {
    expect(setting.safeParse('1.5').success).toBe(false);
    expect(setting.safeParse('many').success).toBe(false);
    expect(zIntSetting(10, 1, 100).safeParse('101').success).toBe(false);
  });
});

describe('zOriginList', () => {
  it('defaults to the local web app origins', () => {
    expect(zOriginList.parse(undefined)).toEqual(['http://localhost:8000', 'http://127.0.0.1:8000']);
  });

  it('trims, lowercases and drops empty entries', () => {
    expect(zOriginList.parse(' https://Chat.Example.org , ,http://127.0.0.1:8000,')).toEqual([
      'https://chat.example.org',
      'http://127.0.0.1:8000',
    ]);
    expect(zOriginList.parse('')).toEqual([]);
  });

  it.each(['*', 'https://*.example.org', 'https://example.org/app', 'example.org', 'ftp://example.org'])(
    'refuses %s',
    (value) => {
      expect(zOriginList.safeParse(value).success).toBe(false);
    },
  );
});

describe('zUrlList and zOptionalUrlList', () => {
  it('split a comma list of base URLs, trailing slashes dropped', () => {
    expect(zUrlList.parse('http://127.0.0.1:8001/, http://127.0.0.1:8011')).toEqual([
      'http://127.0.0.1:8001',
      'http://127.0.0.1:8011',
    ]);
    expect(zUrlList.safeParse('').success).toBe(false);
  });

  it('`off` or empty turns an optional dependency off', () => {
    expect(zOptionalUrlList.parse('off')).toEqual([]);
    expect(zOptionalUrlList.parse(' OFF ')).toEqual([]);
    expect(zOptionalUrlList.parse('')).toEqual([]);
    expect(zOptionalUrlList.parse('http://127.0.0.1:8003')).toEqual(['http://127.0.0.1:8003']);
  });
});
