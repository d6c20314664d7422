/**
 * `/docs`: a browsable API reference that needs no internet. Swagger UI's
 * prebuilt files come from the `swagger-ui-dist` package in node_modules
 * (only the two it needs), pointed at /openapi.json, with the online
 * validator turned off. Loaded into memory (and gzipped) on first use.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CONTENT_TYPES, DOCS_CSP, type MemoryAsset, memoryAsset } from './static-answers';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LockBox API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/** Files taken from swagger-ui-dist, by the name they are served under. */
const DIST_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js'];

const ONE_HOUR = 'public, max-age=3600';

let assets: Map<string, MemoryAsset> | undefined;

const load = (): Map<string, MemoryAsset> => {
  const require = createRequire(import.meta.url);
  const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const map = new Map<string, MemoryAsset>();
  const page = memoryAsset(CONTENT_TYPES['.html'] as string, Buffer.from(PAGE), 'no-cache', DOCS_CSP);
  map.set('/docs', page);
  map.set('/docs/', page);
  map.set('/docs/init.js', memoryAsset(CONTENT_TYPES['.js'] as string, Buffer.from(INIT), 'no-cache'));
  for (const file of DIST_FILES) {
    const type = CONTENT_TYPES[path.extname(file)] as string;
    map.set(`/docs/${file}`, memoryAsset(type, fs.readFileSync(path.join(distDir, file)), ONE_HOUR));
  }
  return map;
};

/** The asset for a `/docs…` path, or undefined (→ 404). */
export const docsAsset = (pathname: string): MemoryAsset | undefined => {
  assets ??= load();
  return assets.get(pathname);
};
