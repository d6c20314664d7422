/**
 * What a served page or asset makes the browser load or run: the files it
 * references (script src, stylesheets, icons, preloads, assets named inside a
 * script or stylesheet) and any code that no file covers (inline scripts,
 * event-handler attributes, javascript: and data: script URLs). A regular
 * expression scan, deliberately broad: it only has to find more than a
 * browser would run, never less, since anything it finds is then checked
 * against the release manifest.
 */

export interface PageRefs {
  /** Every src/href/... value found, as written (resolved later against the page's URL). */
  refs: string[];
  /** Code in the page itself, which no manifest file covers; each a short description. */
  inline: string[];
}

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const TAG = /<([a-zA-Z][a-zA-Z0-9-]*)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
const ATTR = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;
/** Attributes that make the browser fetch something. */
const URL_ATTRS = new Set(['src', 'href', 'data', 'poster', 'srcset', 'action', 'formaction', 'manifest']);
/** Navigation, not loading: a link elsewhere runs nothing in this page. */
const NAVIGATION_TAGS = new Set(['a', 'area']);
/** Files a script or stylesheet names: Vite puts every emitted file under assets/. */
const ASSET_NAME = /(?:^|[^A-Za-z0-9._-])(assets\/[A-Za-z0-9._-]+\.[A-Za-z0-9]+)/g;

const unquote = (v: string | undefined) => (v === undefined ? '' : v.replace(/^["']|["']$/g, ''));

const short = (code: string) => {
  const flat = code.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 60)}…` : flat;
};

const attributesOf = (text: string): Array<[string, string]> =>
  [...text.matchAll(ATTR)].map((m) => [(m[1] ?? '').toLowerCase(), unquote(m[2])]);

export const htmlRefs = (html: string): PageRefs => {
  const refs: string[] = [];
  const inline: string[] = [];
  for (const m of html.matchAll(SCRIPT)) {
    const hasSrc = attributesOf(m[1] ?? '').some(([name]) => name === 'src');
    if (!hasSrc && (m[2] ?? '').trim() !== '') inline.push(`inline <script>: ${short(m[2] ?? '')}`);
  }
  for (const m of html.matchAll(TAG)) {
    const tag = (m[1] ?? '').toLowerCase();
    for (const [name, value] of attributesOf(m[2] ?? '')) {
      if (name.startsWith('on')) inline.push(`event handler ${name}= on <${tag}>: ${short(value)}`);
      if (!URL_ATTRS.has(name) || value === '' || NAVIGATION_TAGS.has(tag)) continue;
      if (/^\s*javascript:/i.test(value)) inline.push(`javascript: URL in <${tag} ${name}>`);
      else if (/^\s*data:/i.test(value)) {
        if (tag === 'script' || tag === 'iframe' || tag === 'object' || tag === 'embed')
          inline.push(`data: URL in <${tag} ${name}>: ${short(value)}`);
      } else if (name === 'srcset') refs.push(...value.split(',').map((c) => c.trim().split(/\s+/)[0] ?? ''));
      else refs.push(value);
    }
  }
  return { refs: refs.filter((r) => r !== ''), inline };
};

/** Asset paths a script or stylesheet names (relative to the site root). */
export const assetRefs = (text: string): string[] => [
  ...new Set([...text.matchAll(ASSET_NAME)].map((m) => `/${m[1] ?? ''}`)),
];
