/**
 * Reads the page's Content-Security-Policy for `lockbox verify-web`. It is a
 * report, not a verdict: the server that sets the header is the one being
 * checked, so a strict policy proves nothing on its own. It does tell whether
 * the verified files are all the page can run: with script-src limited to
 * 'self' (plus 'wasm-unsafe-eval' for the crypto), no inline or remote script
 * can join them.
 */

export interface CspReport {
  /** The header as served, or undefined when there is none. */
  header: string | undefined;
  /** What the policy lets in beyond this origin's own files (empty: nothing). */
  weaknesses: string[];
}

const directives = (header: string): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !out.has(name.toLowerCase())) out.set(name.toLowerCase(), sources);
  }
  return out;
};

const RISKY: Array<[RegExp, string]> = [
  [/^'unsafe-inline'$/i, "inline scripts ('unsafe-inline')"],
  [/^'unsafe-eval'$/i, "eval ('unsafe-eval')"],
  [/^\*$/, 'scripts from any origin (*)'],
  [/^(https?|data|blob):$/i, 'scripts from a whole scheme'],
];

export const checkCsp = (header: string | undefined): CspReport => {
  if (!header)
    return { header, weaknesses: ['no Content-Security-Policy: the page may run inline or remote scripts'] };
  const d = directives(header);
  const scripts = d.get('script-src') ?? d.get('default-src');
  if (!scripts) return { header, weaknesses: ['no script-src or default-src: scripts from anywhere'] };
  const weaknesses: string[] = [];
  for (const source of scripts) {
    const risky = RISKY.find(([re]) => re.test(source));
    if (risky) weaknesses.push(`script-src allows ${risky[1]}`);
    else if (!source.startsWith("'")) weaknesses.push(`script-src allows scripts from ${source}`);
  }
  return { header, weaknesses };
};
