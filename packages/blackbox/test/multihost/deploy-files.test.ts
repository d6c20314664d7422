/**
 * deploy/ cannot be executed on these machines (no container runtime, no cluster), so this
 * checks what can be checked without them: every file parses as YAML, kustomization lists
 * every manifest (and, where the kubectl client is installed, `kubectl kustomize` renders
 * them with the image set), and each LockBox process runs the bundle, port and probes the
 * one list of deployables and the services define.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { deployable, instancePort } from '@lockbox/contracts/deployables';
import { REPO_ROOT } from '@lockbox/testkit';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const DEPLOY = path.join(REPO_ROOT, 'deploy');
const K8S = path.join(DEPLOY, 'kubernetes');
const PROCESSES = ['auth', 'messages', 'realtime', 'gateway'] as const;
const SERVICES = ['auth', 'messages', 'realtime'] as const;

// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form YAML, checked field by field
type Doc = any;

const parseFile = (file: string): Doc[] => {
  // merge: compose files use YAML 1.1 merge keys (`<<: *lockbox`), as docker compose reads them.
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'), { merge: true });
  for (const d of docs) if (d.errors.length) throw new Error(`${file}: ${d.errors[0]?.message}`);
  return docs.map((d) => d.toJS()).filter((d) => d !== null);
};

const manifests = fs.readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const all: Doc[] = manifests.flatMap((f) => parseFile(path.join(K8S, f)));
const find = (kind: string, name: string): Doc => {
  const found = all.find((d) => d.kind === kind && d.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const envOf = (container: Doc): Record<string, string> =>
  Object.fromEntries((container.env ?? []).map((e: Doc) => [e.name, e.value]));

describe('deploy/kubernetes', () => {
  it('parses, and kustomization lists every manifest', () => {
    const kustomization = parseFile(path.join(K8S, 'kustomization.yaml'))[0];
    expect([...kustomization.resources].sort()).toEqual([...manifests].sort());
    for (const d of all) expect(d.apiVersion && d.kind && d.metadata?.name).toBeTruthy();
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!kubectl)('renders with `kubectl kustomize` (run where the kubectl client is installed)', () => {
    const out = spawnSync('kubectl', ['kustomize', K8S], { encoding: 'utf8', timeout: 60_000 });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const rendered = parseAllDocuments(out.stdout).map((d) => d.toJS() as Doc);
    expect(rendered).toHaveLength(all.length);
    for (const d of rendered)
      if (d.metadata?.namespace !== undefined) expect(d.metadata.namespace).toBe('lockbox');
    const images = rendered
      .filter((d) => d.kind === 'Deployment' && PROCESSES.includes(d.metadata.name))
      .map((d) => d.spec.template.spec.containers[0].image);
    expect(images).toHaveLength(PROCESSES.length);
    for (const image of images) expect(image).toBe('registry.example/lockbox:0.1.0');
  });

  it.each(PROCESSES)('%s runs its bundle on its port', (name) => {
    const container = find('Deployment', name).spec.template.spec.containers[0];
    expect(container.command).toEqual(['node', deployable(name).bundle]);
    expect(envOf(container).PORT).toBe(String(instancePort(name)));
    expect(container.ports[0].containerPort).toBe(instancePort(name));
  });

  it.each(SERVICES)('%s: readiness from /ready, two Services, a PodDisruptionBudget', (name) => {
    const deployment = find('Deployment', name);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    const labels = deployment.spec.template.metadata.labels;
    for (const svc of [find('Service', name), find('Service', `${name}-instances`)])
      for (const [k, v] of Object.entries(svc.spec.selector)) expect(labels[k]).toBe(v);
    expect(find('Service', `${name}-instances`).spec.clusterIP).toBe('None');
    expect(find('PodDisruptionBudget', name).spec.minAvailable).toBe(1);
  });

  it("points the gateway's upstreams at the headless Services and the services' URLs at ClusterIPs", () => {
    const env = envOf(find('Deployment', 'gateway').spec.template.spec.containers[0]);
    const config = find('ConfigMap', 'lockbox-config').data;
    for (const s of SERVICES) {
      const upstreams = deployable(s).upstreamsEnv as string;
      const urls = deployable(s).urlsEnv as string;
      expect(env[upstreams]).toBe(`http://${s}-instances:${instancePort(s)}`);
      expect(config[urls]).toBe(`http://${s}:${instancePort(s)}`);
    }
  });

  it('scales realtime with a HorizontalPodAutoscaler', () => {
    const hpa = find('HorizontalPodAutoscaler', 'realtime');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'realtime' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parseFile(path.join(DEPLOY, 'compose.yaml'))[0];

  it.each(PROCESSES)('%s runs its bundle on its port', (name) => {
    const svc = compose.services[name];
    expect(svc.command).toEqual(['node', deployable(name).bundle]);
    expect(svc.environment.PORT).toBe(String(instancePort(name)));
    expect(svc.environment.LOCKBOX_INTERNAL_SECRET).toBeDefined();
  });

  it('runs two instances of each service, found by name', () => {
    const gw = compose.services.gateway.environment;
    for (const s of SERVICES) {
      expect(compose.services[s].deploy.replicas).toBeGreaterThanOrEqual(2);
      expect(gw[deployable(s).upstreamsEnv as string]).toBe(`http://${s}:${instancePort(s)}`);
    }
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'redis']));
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
  it.each([...PROCESSES, 'cli'])('the image carries the %s bundle the manifests run', (name) => {
    const distDir = path.dirname(deployable(name).bundle);
    expect(dockerfile).toContain(`COPY --from=build /lockbox/${distDir} ${distDir}`);
  });
  it('builds with the pinned pnpm and the frozen lockfile, and runs as a non-root user', () => {
    const pinned = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).packageManager;
    expect(dockerfile).toContain(`pnpm@${pinned.split('@')[1]}`);
    expect(dockerfile.match(/pnpm install --frozen-lockfile/g)?.length).toBe(2);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
