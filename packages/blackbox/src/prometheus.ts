/**
 * Debian's Prometheus against a test stack: the committed scrape
 * configuration (deploy/prometheus/prometheus.yml) with each job's targets
 * pointed at the stack's ports, a one-second scrape interval, a private TSDB
 * directory; queries through its HTTP API. Also reads the PromQL expressions
 * out of the committed Grafana dashboard.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO_ROOT } from '@lockbox/testkit';
import { parse, stringify } from 'yaml';

export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
export const PROMETHEUS_CONFIG = path.join(DEPLOY_DIR, 'prometheus', 'prometheus.yml');
export const ALERT_RULES = path.join(DEPLOY_DIR, 'prometheus', 'alerts.yml');
export const ALERT_RULES_TEST = path.join(DEPLOY_DIR, 'prometheus', 'alerts.test.yml');
export const DASHBOARD = path.join(DEPLOY_DIR, 'grafana', 'lockbox-dashboard.json');

interface ScrapeConfig {
  job_name: string;
  static_configs?: Array<{ targets: string[] }>;
  [key: string]: unknown;
}
interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  scrape_configs: ScrapeConfig[];
}

/** The committed jobs and their static targets, in file order (the alerts and the dashboard select on the names). */
export const committedTargets = (): Array<[job: string, targets: string[]]> =>
  (parse(fs.readFileSync(PROMETHEUS_CONFIG, 'utf8')) as PrometheusConfig).scrape_configs.map((s) => [
    s.job_name,
    (s.static_configs ?? []).flatMap((c) => c.targets),
  ]);

/**
 * The committed configuration with each job's static targets replaced by
 * `targets[job]` (host:port list); every committed job must be given targets,
 * so a job added to the file without a test target fails here, not silently.
 */
export const configForTargets = (targets: Record<string, string[]>): string => {
  const config = parse(fs.readFileSync(PROMETHEUS_CONFIG, 'utf8')) as PrometheusConfig;
  for (const job of config.scrape_configs) {
    const wanted = targets[job.job_name];
    if (!wanted) throw new Error(`no test targets for the committed job ${job.job_name}`);
    if (!job.static_configs)
      throw new Error(`job ${job.job_name} has no static_configs to point at the stack`);
    job.static_configs = [{ targets: wanted }];
  }
  config.global = {
    ...config.global,
    scrape_interval: '1s',
    scrape_timeout: '1s',
    evaluation_interval: '1s',
  };
  // Rule files are relative to the config file; the generated one lives elsewhere.
  config.rule_files = (config.rule_files ?? []).map((f) => path.resolve(path.dirname(PROMETHEUS_CONFIG), f));
  return stringify(config);
};

/** Every PromQL expression of the dashboard's panels, with Grafana's interval variable made concrete. */
export const dashboardExpressions = (rateWindow = '1m'): string[] => {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr?: string }> }>;
  };
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr.replaceAll('$__rate_interval', rateWindow)] : [])),
  );
};

export interface RunningPrometheus {
  url: string;
  /** Instant query; the result vector (empty when the expression has no data). */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Stops the process and removes its directory (TSDB and config). */
  stop(): Promise<void>;
}

export const startPrometheus = async (configYaml: string): Promise<RunningPrometheus> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockbox-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(configFile, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dir, 'prometheus.log'), 'a');
  const child: ChildProcess = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const out = fs.readFileSync(path.join(dir, 'prometheus.log'), 'utf8').slice(-2000);
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}:\n${out}`);
    }
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('prometheus not ready after 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    stop,
    query: async (expr) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
        signal: AbortSignal.timeout(5_000),
      });
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: {
          resultType: string;
          result: Array<{ metric: Record<string, string>; value: [number, string] }>;
        };
      };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
      return body.data?.result ?? [];
    },
  };
};
