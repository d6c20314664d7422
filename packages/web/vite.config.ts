/**
 * Builds the app into dist/ (the gateway serves it at /). `LOCKBOX_WEB_OUT_DIR`
 * builds elsewhere: the browser test builds a fresh copy into a temp folder.
 * `vite dev` proxies the API and the WebSocket to a gateway on :8000.
 *
 * Builds are reproducible: the same source gives byte-identical files in any
 * folder, on any machine (content-hashed names, no timestamps, no absolute
 * paths, no source maps), and the build ends by writing the release hash
 * manifest (scripts/manifest-web.ts) that `lockbox verify-web` checks a served
 * app against. docs/SECURITY.md, "Server-delivered web code".
 */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };
import { writeManifest } from './scripts/manifest-web';

const gateway = process.env.LOCKBOX_GATEWAY_URL ?? 'http://localhost:8000';
const outDir = process.env.LOCKBOX_WEB_OUT_DIR ?? 'dist';

/** Writes dist/lockbox-web-manifest.json once every file (public/ copies included) is on disk. */
const releaseManifest = (): Plugin => {
  let root = '';
  return {
    name: 'lockbox-web-manifest',
    apply: 'build',
    configResolved(config) {
      root = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      writeManifest(root, pkg.name, pkg.version);
    },
  };
};

const config: UserConfig = {
  plugins: [react(), releaseManifest()],
  // The argon2id worker is an ES module like the app (the CSP allows workers from 'self').
  worker: { format: 'es' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The crypto (noble + hash-wasm) is one chunk on purpose: every screen needs it.
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's explanatory comments next to @__PURE__ marks: harmless, and noisy on every build.
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      // The SDK calls /v1/...; the unversioned paths are kept for anything older.
      '/v1/trpc': gateway,
      '/v1/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
      '/trpc': gateway,
      '/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
    },
  },
};

export default defineConfig(({ command }) => {
  // A release is always a production build, whatever NODE_ENV the caller has: under vitest it is
  // 'test', which would give React's development build, with absolute source paths in it.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return config;
});
