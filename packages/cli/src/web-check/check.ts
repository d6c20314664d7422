/**
 * `lockbox verify-web`'s check: fetches what a server serves as the web app
 * (the page at `/` and `/index.html`, every file they reference, every file a
 * served script or stylesheet names, and every file of the release manifest)
 * and compares each with the manifest's SHA-256. The server's own copy of
 * the manifest is never read: the manifest comes from the user.
 */
import { type CspReport, checkCsp } from './csp';
import { releaseName, sha256Hex, type WebManifest } from './manifest';
import { assetRefs, htmlRefs } from './page-refs';

export type WebFinding =
  | { path: string; problem: 'differs'; served_sha256: string; expected_sha256: string }
  | { path: string; problem: 'missing'; status: number }
  | { path: string; problem: 'not_in_manifest'; status: number }
  | { path: string; problem: 'inline_code'; detail: string }
  | { path: string; problem: 'external'; url: string };

export interface WebCheck {
  url: string;
  release: string;
  name: string;
  matches: boolean;
  /** Paths fetched and compared (site-relative, `index.html` for `/`). */
  checked: string[];
  findings: WebFinding[];
  csp: CspReport;
}

interface Served {
  status: number;
  bytes: Uint8Array;
  type: string;
  csp: string | undefined;
}

const REQUEST_TIMEOUT_MS = 20_000;

const get = async (fetchFn: typeof fetch, url: string): Promise<Served> => {
  const res = await fetchFn(url, {
    redirect: 'manual',
    headers: { accept: url.endsWith('/') ? 'text/html' : '*/*' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return {
    status: res.status,
    bytes: new Uint8Array(await res.arrayBuffer()),
    type: res.headers.get('content-type') ?? '',
    csp: res.headers.get('content-security-policy') ?? undefined,
  };
};

const isText = (type: string, path: string) =>
  /html|javascript|css|json|svg|text/.test(type) || /\.(m?js|css|html?|svg|json)$/.test(path);

export const checkServedWebApp = async (
  baseUrl: string,
  manifest: WebManifest,
  fetchFn: typeof fetch = fetch,
): Promise<WebCheck> => {
  const base = new URL(`${baseUrl.replace(/\/+$/, '')}/`);
  const findings: WebFinding[] = [];
  const checked: string[] = [];
  // Site paths without the leading slash; '' is the page a browser opens.
  const queue: string[] = ['', 'index.html', ...Object.keys(manifest.files)];
  const seen = new Set<string>();
  let pageCsp: string | undefined;

  const enqueue = (ref: string, from: string) => {
    let target: URL;
    try {
      target = new URL(ref, new URL(from, base));
    } catch {
      return;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return;
    if (target.origin !== base.origin) {
      findings.push({ path: from || 'index.html (served at /)', problem: 'external', url: target.href });
      return;
    }
    let p: string;
    try {
      p = decodeURIComponent(target.pathname).replace(/^\/+/, '');
    } catch {
      p = target.pathname.replace(/^\/+/, '');
    }
    if (!seen.has(p)) queue.push(p);
  };

  while (queue.length > 0) {
    const p = queue.shift() as string;
    if (seen.has(p)) continue;
    seen.add(p);
    const served = await get(fetchFn, new URL(p, base).href);
    const name = p === '' ? 'index.html' : p;
    const label = p === '' ? 'index.html (served at /)' : p;
    if (p === '') pageCsp = served.csp;
    const expected = manifest.files[name];
    if (served.status !== 200) {
      findings.push(
        expected
          ? { path: label, problem: 'missing', status: served.status }
          : { path: label, problem: 'not_in_manifest', status: served.status },
      );
      continue;
    }
    checked.push(label);
    const hash = sha256Hex(served.bytes);
    if (!expected) findings.push({ path: label, problem: 'not_in_manifest', status: served.status });
    else if (hash !== expected)
      findings.push({ path: label, problem: 'differs', served_sha256: hash, expected_sha256: expected });
    if (!isText(served.type, p)) continue;
    const text = new TextDecoder().decode(served.bytes);
    if (/html/.test(served.type) || p === '' || /\.html?$/.test(p)) {
      const page = htmlRefs(text);
      for (const detail of page.inline) findings.push({ path: label, problem: 'inline_code', detail });
      for (const ref of page.refs) enqueue(ref, p);
    } else for (const ref of assetRefs(text)) enqueue(ref, p);
  }

  return {
    url: base.href,
    release: releaseName(manifest),
    name: manifest.name,
    matches: findings.length === 0,
    checked,
    findings,
    csp: checkCsp(pageCsp),
  };
};

/** One line per finding, for people. */
export const describeFinding = (f: WebFinding): string => {
  switch (f.problem) {
    case 'differs':
      return `${f.path}: DIFFERS from the release (served sha256 ${f.served_sha256.slice(0, 16)}…, release ${f.expected_sha256.slice(0, 16)}…)`;
    case 'missing':
      return `${f.path}: MISSING (HTTP ${f.status}), the release has it`;
    case 'not_in_manifest':
      return `${f.path}: served or referenced but NOT IN the release (HTTP ${f.status})`;
    case 'inline_code':
      return `${f.path}: code NOT IN the release: ${f.detail}`;
    case 'external':
      return `${f.path}: loads ${f.url} from ANOTHER ORIGIN (not covered by the release)`;
  }
};
