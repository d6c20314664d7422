/**
 * A private network of "hosts" on this machine: one Linux network namespace
 * per host, each joined by a veth pair to a bridge the test creates, with its
 * own address in a /24 that is not on the machine. The root namespace holds
 * the bridge's .1 (so the test itself and its DNS server can reach every
 * host). No namespace has a default route and the bridge has no uplink, so no
 * packet leaves the machine; nothing touches sysctl, forwarding or iptables.
 *
 * Every name starts with NETNS_PREFIX, so a crashed run's leftovers are found
 * and removed by the next one (`removeLeftovers`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const NETNS_PREFIX = 'lbmh';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const quietIp = (...args: string[]) => spawnSync('ip', args, { stdio: 'ignore' }).status === 0;

/** Why namespaces cannot be made here (not root, no `ip`, not permitted), or undefined when they can. */
export const netnsUnavailable = (): string | undefined => {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0)
    return 'no `ip` command (Debian package iproute2)';
  const probe = `${NETNS_PREFIX}probe${randomBytes(2).toString('hex')}`;
  const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (made.status !== 0) return `ip netns add is not permitted here: ${made.stderr.trim()}`;
  quietIp('netns', 'del', probe);
  return undefined;
};

/** Kills what runs in a namespace of ours, then removes it, its /etc/netns dir and our links. */
export const removeLeftovers = (): void => {
  const namespaces = ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(NETNS_PREFIX));
  for (const ns of namespaces) removeNamespace(ns);
  const links = ip('-o', 'link', 'show')
    .split('\n')
    .map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter((n) => n.startsWith(NETNS_PREFIX));
  for (const link of links) quietIp('link', 'del', link);
  for (const dir of fs.existsSync('/etc/netns') ? fs.readdirSync('/etc/netns') : [])
    if (dir.startsWith(NETNS_PREFIX))
      fs.rmSync(path.join('/etc/netns', dir), { recursive: true, force: true });
};

const removeNamespace = (ns: string) => {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  quietIp('netns', 'del', ns);
  fs.rmSync(path.join('/etc/netns', ns), { recursive: true, force: true });
};

/** A /24 of 10.x.y.0 that no address or route on this machine is in. */
const freeSubnet = (): string => {
  const used = ip('-o', 'addr') + ip('route') + ip('-6', 'route');
  for (let tries = 0; tries < 64; tries++) {
    const subnet = `10.${200 + ((randomBytes(1)[0] as number) % 50)}.${randomBytes(1)[0] as number}`;
    if (!used.includes(`${subnet}.`)) return subnet;
  }
  throw new Error('no free 10.x.y.0/24 found');
};

export interface NetnsHost {
  name: string;
  /** The namespace (run commands in it with `ip netns exec <ns>`). */
  ns: string;
  address: string;
  /** The root-namespace end of its veth pair (attached to the bridge). */
  link: string;
}

export class NetnsNetwork {
  readonly id = randomBytes(2).toString('hex');
  readonly subnet = freeSubnet();
  /** The bridge's address in the root namespace: the test and its DNS server. */
  readonly gatewayAddress = `${this.subnet}.1`;
  readonly bridge = `${NETNS_PREFIX}${this.id}br`;
  readonly hosts = new Map<string, NetnsHost>();
  #nextOctet = 10;

  constructor() {
    ip('link', 'add', this.bridge, 'type', 'bridge');
    ip('addr', 'add', `${this.gatewayAddress}/24`, 'dev', this.bridge);
    ip('link', 'set', this.bridge, 'up');
  }

  /** A new host: its namespace, a veth pair on the bridge, an address, and resolv.conf → `nameserver`. */
  addHost(name: string, nameserver: string): NetnsHost {
    const n = this.#nextOctet++;
    const ns = `${NETNS_PREFIX}${this.id}-${name}`;
    const link = `${NETNS_PREFIX}${this.id}h${n}`;
    const inner = `${NETNS_PREFIX}${this.id}i${n}`;
    const address = `${this.subnet}.${n}`;
    // Written before the namespace exists: `ip netns exec` bind-mounts these over /etc.
    const etc = path.join('/etc/netns', ns);
    fs.mkdirSync(etc, { recursive: true });
    fs.writeFileSync(
      path.join(etc, 'resolv.conf'),
      `nameserver ${nameserver}\noptions timeout:1 attempts:2\n`,
    );
    fs.writeFileSync(path.join(etc, 'hosts'), `127.0.0.1 localhost\n${address} ${name}\n`);
    ip('netns', 'add', ns);
    ip('link', 'add', link, 'type', 'veth', 'peer', 'name', inner);
    ip('link', 'set', inner, 'netns', ns);
    ip('link', 'set', link, 'master', this.bridge, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', inner);
    ip('-n', ns, 'link', 'set', inner, 'up');
    const host = { name, ns, address, link };
    this.hosts.set(name, host);
    return host;
  }

  host(name: string): NetnsHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  /** Cuts the host off the bridge: its packets go nowhere (as a pulled cable), its processes keep running. */
  partition(name: string): void {
    ip('link', 'set', this.host(name).link, 'nomaster');
    ip('link', 'set', this.host(name).link, 'down');
  }

  heal(name: string): void {
    ip('link', 'set', this.host(name).link, 'master', this.bridge, 'up');
  }

  /** Kills what runs in every host, removes the namespaces, their /etc/netns dirs and the bridge. */
  destroy(): void {
    for (const h of this.hosts.values()) {
      removeNamespace(h.ns);
      quietIp('link', 'del', h.link);
    }
    this.hosts.clear();
    quietIp('link', 'del', this.bridge);
  }
}
