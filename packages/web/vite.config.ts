/**
 * Builds the app into dist/ (the gateway serves it at /). `LOCKBOX_WEB_OUT_DIR`
 * builds elsewhere: the browser test builds a fresh copy into a temp folder.
 * `vite dev` proxies the API and the WebSocket to a gateway on :8000.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const gateway = process.env.LOCKBOX_GATEWAY_URL ?? 'http://localhost:8000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: process.env.LOCKBOX_WEB_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    target: 'es2022',
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
      '/trpc': gateway,
      '/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
    },
  },
});
