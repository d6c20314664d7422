/** Which files under a folder contain any of the given strings (raw bytes, so binary database pages count too). */
import fs from 'node:fs';
import path from 'node:path';

const filesUnder = (dir: string): string[] => {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
};

export const filesContaining = (dirs: string[], needles: string[]): { files: number; hits: string[] } => {
  const patterns = needles.flatMap((n) => [Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le')]);
  const files = dirs.filter((d) => fs.existsSync(d)).flatMap(filesUnder);
  const hits: string[] = [];
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    const found = patterns.find((p) => bytes.includes(p));
    if (found) hits.push(`${file}: ${found.toString('utf8').replace(/\0/g, '')}`);
  }
  return { files: files.length, hits };
};
