/**
 * verify-web's readers without a server: what a page makes the browser load
 * or run (so tampered pages are caught however the code is added), and the
 * CSP report.
 */
import { describe, expect, it } from 'vitest';
import { checkCsp } from '../src/web-check/csp';
import { assetRefs, htmlRefs } from '../src/web-check/page-refs';

describe('htmlRefs', () => {
  it('finds every loaded file and every piece of code no file covers', () => {
    const page = htmlRefs(`<!doctype html><html><head>
      <script type="module" crossorigin src="/assets/index-A.js"></script>
      <link rel="stylesheet" href='/assets/index-B.css'>
      <link rel=modulepreload href=/assets/chunk-C.js>
      <script>steal()</script>
      <script src="data:text/javascript,steal()"></script>
      <img srcset="/a.png 1x, /b.png 2x" onerror="steal()">
      <iframe src="javascript:steal()"></iframe>
      <a href="https://elsewhere.example/">a link runs nothing</a>
    </head><body><div id="root"></div></body></html>`);
    expect(page.refs).toEqual([
      '/assets/index-A.js',
      '/assets/index-B.css',
      '/assets/chunk-C.js',
      '/a.png',
      '/b.png',
    ]);
    expect(page.inline).toEqual([
      'inline <script>: steal()',
      'data: URL in <script src>: data:text/javascript,steal()',
      'event handler onerror= on <img>: steal()',
      'javascript: URL in <iframe src>',
    ]);
  });

  it('finds nothing to flag in a plain Vite page', () => {
    const page = htmlRefs(
      '<script type="module" crossorigin src="/assets/index-x.js"></script><noscript>needs JavaScript</noscript>',
    );
    expect(page).toEqual({ refs: ['/assets/index-x.js'], inline: [] });
  });
});

describe('assetRefs', () => {
  it('finds the files a script names (the worker, lazy chunks), once each', () => {
    const js =
      'new URL("/assets/argon2.worker-Q1.js",import.meta.url);import("./assets/lazy-Z9.js");"assets/argon2.worker-Q1.js"';
    expect(assetRefs(js)).toEqual(['/assets/argon2.worker-Q1.js', '/assets/lazy-Z9.js']);
  });
});

describe('checkCsp', () => {
  it("reports nothing for the gateway's policy", () => {
    expect(
      checkCsp("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:")
        .weaknesses,
    ).toEqual([]);
  });

  it('reports what lets other scripts in, and a missing policy', () => {
    expect(checkCsp("script-src 'self' 'unsafe-inline' https://cdn.example https:").weaknesses).toEqual([
      "script-src allows inline scripts ('unsafe-inline')",
      'script-src allows scripts from https://cdn.example',
      'script-src allows scripts from a whole scheme',
    ]);
    expect(checkCsp('default-src *').weaknesses).toEqual(['script-src allows scripts from any origin (*)']);
    expect(checkCsp("img-src 'self'").weaknesses).toEqual([
      'no script-src or default-src: scripts from anywhere',
    ]);
    expect(checkCsp(undefined).weaknesses[0]).toMatch(/no Content-Security-Policy/);
  });
});
