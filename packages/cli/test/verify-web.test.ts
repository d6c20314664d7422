/**
 * `lockbox verify-web` against the real gateway serving a fresh build, and
 * against a hostile server in front of it that serves tampered web code
 * (issue 11, finding 3): one flipped byte in the app's script, a script tag
 * added to index.html, a page that loads a file the release does not have.
 * Each must exit non-zero and name what differs; the honest server must pass.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildWebApp,
  type HostileServer,
  type Stack,
  startHostileServer,
  startStack,
} from '@lockbox/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type CliUser, cliUser, lockbox } from './helpers/cli';

let work: string;
let manifestPath: string;
let manifest: { digest: string; version: string; files: Record<string, string> };
let stack: Stack;
let hostile: HostileServer;
let user: CliUser;

const mainScript = () => {
  const name = Object.keys(manifest.files).find((f) => /^assets\/index-[^/]+\.js$/.test(f));
  if (!name) throw new Error('no main script in the manifest');
  return name;
};

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-verify-web-'));
  const dist = path.join(work, 'dist');
  manifestPath = await buildWebApp(dist);
  manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  stack = await startStack({ services: [], gatewayEnv: { LOCKBOX_WEB_DIST: dist } });
  hostile = await startHostileServer(stack.gatewayUrl);
  user = cliUser(stack.gatewayUrl, 'unused password 1');
});

afterAll(async () => {
  await hostile?.close();
  await stack?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
  if (user) fs.rmSync(user.home, { recursive: true, force: true });
});

afterEach(() => hostile.reset());

const verify = (url: string, ...extra: string[]) =>
  lockbox(user, 'verify-web', url, '--manifest', manifestPath, ...extra);

describe('lockbox verify-web', () => {
  it('passes on the honest gateway and through an honest proxy, naming the release and the CSP', async () => {
    const release = `${manifest.version}+${manifest.digest.slice(0, 12)}`;
    for (const url of [stack.gatewayUrl, hostile.url]) {
      const r = await verify(url);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`matches release ${release}`);
      expect(r.stdout).toMatch(/content-security-policy: default-src 'self'.*script-src 'self'/);
      expect(r.stdout).not.toContain('note:');
    }
    const json = JSON.parse(
      (await lockbox(user, '--json', 'verify-web', hostile.url, '--manifest', manifestPath)).stdout,
    );
    expect(json).toMatchObject({ matches: true, findings: [] });
    // Every file of the release was fetched, including the argon2id worker the page starts.
    for (const f of Object.keys(manifest.files)) expect(json.checked).toContain(f);
    expect(Object.keys(manifest.files).some((f) => f.includes('argon2.worker'))).toBe(true);
  });

  it('fails naming the script when the server changes one byte of it', async () => {
    const script = mainScript();
    hostile.rewriteFile(`/${script}`, (body) => {
      const changed = Buffer.from(body);
      changed[changed.length >> 1] = (changed[changed.length >> 1] ?? 0) ^ 0x01;
      return changed;
    });
    const r = await verify(hostile.url);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(script);
    expect(r.stderr).toMatch(/is NOT release .*do not enter your password/);
    expect(r.stdout).toContain(`${script}: DIFFERS from the release`);
  });

  it('fails naming index.html and the inline script when the server adds a script tag', async () => {
    hostile.rewriteFile('/', (body) =>
      body.toString('utf8').replace('</head>', '<script>fetch("/steal?"+document.cookie)</script></head>'),
    );
    const r = await verify(hostile.url);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('index.html (served at /)');
    expect(r.stdout).toContain('index.html (served at /): DIFFERS from the release');
    expect(r.stdout).toContain('code NOT IN the release: inline <script>: fetch("/steal?"+document.cookie)');
    // /index.html itself was served untouched: the report does not blame it.
    expect(r.stdout).not.toMatch(/^ {2}index\.html: /m);
  });

  it('fails naming a file the page loads that the release does not have, and a script from elsewhere', async () => {
    hostile.rewriteFile('/index.html', (body) =>
      body
        .toString('utf8')
        .replace(
          '</head>',
          '<script type="module" src="/assets/extra-1234.js"></script><script src="https://cdn.example/x.js"></script></head>',
        ),
    );
    const r = await lockbox(user, '--json', 'verify-web', hostile.url, '--manifest', manifestPath);
    expect(r.code).not.toBe(0);
    const report = JSON.parse(r.stdout) as {
      findings: Array<{ path: string; problem: string; url?: string }>;
    };
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'index.html', problem: 'differs' }),
        expect.objectContaining({ path: 'assets/extra-1234.js', problem: 'not_in_manifest' }),
        expect.objectContaining({ path: 'index.html', problem: 'external', url: 'https://cdn.example/x.js' }),
      ]),
    );
    expect(JSON.parse(r.stderr).error.message).toContain('assets/extra-1234.js');
  });

  it('fails naming a release file the server does not serve', async () => {
    // A release with one more file than this server has (its digest recomputed, so the manifest is valid).
    const files = { ...manifest.files, 'assets/worker-extra.js': 'a'.repeat(64) };
    const lines = Object.keys(files)
      .sort()
      .map((f) => `${files[f as keyof typeof files]}  ${f}\n`)
      .join('');
    const bigger = path.join(work, 'bigger-manifest.json');
    fs.writeFileSync(
      bigger,
      JSON.stringify({ ...manifest, files, digest: createHash('sha256').update(lines).digest('hex') }),
    );
    const r = await lockbox(user, 'verify-web', hostile.url, '--manifest', bigger);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('assets/worker-extra.js: MISSING (HTTP 404)');
    expect(r.stderr).toContain('assets/worker-extra.js');
  });

  it('refuses a manifest whose digest does not match its files', async () => {
    const edited = path.join(work, 'edited-manifest.json');
    const copy = structuredClone(manifest);
    copy.files[mainScript()] = 'f'.repeat(64);
    fs.writeFileSync(edited, JSON.stringify(copy));
    const r = await lockbox(user, 'verify-web', stack.gatewayUrl, '--manifest', edited);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('its digest does not match its list of files');
  });
});
