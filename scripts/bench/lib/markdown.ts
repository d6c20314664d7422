/** Markdown for the reports: tables, a text bar chart, number formats, and the results file. */
import fs from 'node:fs';
import path from 'node:path';

export const table = (headers: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string => {
  const sep = headers.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : ':---'));
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(sep), ...rows.map(line)].join('\n');
};

/** A horizontal bar per label, scaled to the largest value (a chart that survives any renderer). */
export const bars = (items: { label: string; value: number; note?: string }[], width = 40): string => {
  const max = Math.max(...items.map((i) => i.value), 1);
  const pad = Math.max(...items.map((i) => i.label.length));
  const lines = items.map((i) => {
    const n = Math.round((i.value / max) * width);
    return `${i.label.padEnd(pad)}  ${'█'.repeat(n)}${' '.repeat(width - n)}  ${i.note ?? fmt(i.value)}`;
  });
  return ['```text', ...lines, '```'].join('\n');
};

/** Rounds to a sensible number of digits for a report. */
export const fmt = (n: number, digits?: number): string => {
  if (!Number.isFinite(n)) return '—';
  const d = digits ?? (Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);
  return n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
};

export const ratio = (n: number) => `${fmt(n, 2)}×`;

export const verdict = (ok: boolean) => (ok ? '✅ meets goal' : '❌ misses goal');

/** Writes `results/<name>-<YYYY-MM-DD>.md` next to the benches (a rerun the same day replaces it). */
export const writeResults = (name: string, markdown: string): string => {
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().slice(0, 10)}.md`);
  fs.writeFileSync(file, `${markdown.trimEnd()}\n`);
  return file;
};
