/**
 * Reads one sample out of the gateway's Prometheus text (`GET /metrics` on
 * its admin listener), so a test can show what the gateway counted: upstream
 * errors by kind, open WebSockets.
 */
import { client, type Stack } from '@lockbox/testkit';

/** The gateway's /metrics text, from its admin listener (the public port answers 404). */
export const gatewayMetricsText = async (stack: Stack): Promise<string> => {
  const adminUrl = stack.get('gateway').adminUrl;
  if (!adminUrl) throw new Error('the stack has no gateway admin listener');
  return (await client(adminUrl).get('/metrics')).text;
};

/** The value of `name` whose labels include all of `labels`; 0 when there is no such sample yet. */
export const counterValue = (text: string, name: string, labels: Record<string, string> = {}): number => {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(match[3]);
  }
  return 0;
};
