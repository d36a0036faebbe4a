// A throwaway three-namespace network (A - R - B) for the raw examples, built and removed with iproute2.
/*
 * Host A, a router R, host B:
 *
 *     A                      R                       B
 *   veth-a  ──────────  veth-ra | veth-rb  ──────────  veth-b
 *   10.200.1.2/24     10.200.1.1  10.200.2.1        10.200.2.2/24
 *   fd00:200:1::2/64  fd00:200:1::1  fd00:200:2::1  fd00:200:2::2/64
 *
 * R forwards IPv4 and IPv6; A and B route everything through R. Only private addresses are
 * used, and only inside the namespaces: the host's own interfaces are never touched (the veth
 * pairs are created directly inside the namespaces with `ip link add ... netns`).
 *
 * Namespace names are `bsdsock-raw-<pid>-<random>-{a,r,b}`. destroy() deletes them (their veth
 * pairs go with them); an exit hook does it too if the test process ends first, and
 * removeStale() deletes those left behind by an earlier run whose process is gone.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { run, start, type Child, type Run } from '../../helpers/children';
import { pidAlive } from '../../helpers/machine-lock';
import { CHILD_KILL_AFTER, exampleArgv } from './env';

export const NS_PREFIX = 'bsdsock-raw-';

const IP = { a4: '10.200.1.2', ra4: '10.200.1.1', rb4: '10.200.2.1', b4: '10.200.2.2' } as const;
const IP6 = { a6: 'fd00:200:1::2', ra6: 'fd00:200:1::1', rb6: 'fd00:200:2::1', b6: 'fd00:200:2::2' } as const;

/** Runs `ip args...` and returns its stdout; throws with ip's stderr on failure. */
export function ip(...args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  }
}

function sysctl(ns: string, key: string, value: string): void {
  ip('netns', 'exec', ns, 'sysctl', '-q', '-w', `${key}=${value}`);
}

function listNamespaces(): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(NS_PREFIX));
}

/** Deletes namespaces of earlier runs whose test process no longer exists. */
export function removeStale(): void {
  for (const ns of listNamespaces()) {
    const pid = Number(/^bsdsock-raw-(\d+)-/.exec(ns)?.[1]);
    if (pid === process.pid || (Number.isInteger(pid) && pidAlive(pid))) continue;
    try {
      ip('netns', 'del', ns);
    } catch {
      // already gone
    }
  }
}

const live = new Set<string>();
let exitHook = false;

function deleteNamespaces(names: Iterable<string>): void {
  for (const ns of [...names]) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // already gone
    }
    live.delete(ns);
  }
}

export interface Topology {
  a: string;
  r: string;
  b: string;
  ip: typeof IP & typeof IP6;
  /** Runs a command inside namespace `ns`. */
  exec(ns: string, argv: string[], timeoutMs?: number): Promise<Run>;
  /** Starts a command inside `ns` (for long-running ones such as the sniffer). */
  spawn(ns: string, argv: string[], timeoutMs?: number): Child;
  /** Runs examples/<script> inside `ns`. */
  example(ns: string, script: string, args?: string[], timeoutMs?: number): Promise<Run>;
  /** The MAC address of `ifname` in `ns`, from `ip -j link`. */
  mac(ns: string, ifname: string): string;
  destroy(): void;
}

/** Builds the A - R - B network. Throws (after removing what it built) if a step fails. */
export function createTopology(): Topology {
  removeStale();
  const base = `${NS_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  const a = `${base}-a`;
  const r = `${base}-r`;
  const b = `${base}-b`;
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => deleteNamespaces(live));
  }
  try {
    for (const ns of [a, r, b]) {
      ip('netns', 'add', ns);
      live.add(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    // Created inside the namespaces: nothing appears in the host's own namespace.
    ip('link', 'add', 'veth-a', 'netns', a, 'type', 'veth', 'peer', 'name', 'veth-ra', 'netns', r);
    ip('link', 'add', 'veth-b', 'netns', b, 'type', 'veth', 'peer', 'name', 'veth-rb', 'netns', r);

    sysctl(r, 'net.ipv4.ip_forward', '1');
    sysctl(r, 'net.ipv6.conf.all.forwarding', '1');
    // ICMP errors are rate-limited per peer by default; many probes in a row are expected here.
    for (const ns of [r, b]) {
      sysctl(ns, 'net.ipv4.icmp_ratelimit', '0');
      sysctl(ns, 'net.ipv6.icmp.ratelimit', '0');
    }

    // nodad: the IPv6 addresses are usable at once instead of after duplicate detection.
    const addrs: [string, string, string, string][] = [
      [a, 'veth-a', `${IP.a4}/24`, `${IP6.a6}/64`],
      [r, 'veth-ra', `${IP.ra4}/24`, `${IP6.ra6}/64`],
      [r, 'veth-rb', `${IP.rb4}/24`, `${IP6.rb6}/64`],
      [b, 'veth-b', `${IP.b4}/24`, `${IP6.b6}/64`],
    ];
    for (const [ns, dev, v4, v6] of addrs) {
      ip('-n', ns, 'addr', 'add', v4, 'dev', dev);
      ip('-n', ns, '-6', 'addr', 'add', v6, 'dev', dev, 'nodad');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    ip('-n', a, 'route', 'add', 'default', 'via', IP.ra4);
    ip('-n', a, '-6', 'route', 'add', 'default', 'via', IP6.ra6);
    ip('-n', b, 'route', 'add', 'default', 'via', IP.rb4);
    ip('-n', b, '-6', 'route', 'add', 'default', 'via', IP6.rb6);
  } catch (e) {
    deleteNamespaces([a, r, b].filter((ns) => live.has(ns)));
    throw e;
  }

  const inNs = (ns: string, argv: string[]) => ['netns', 'exec', ns, ...argv];
  return {
    a,
    r,
    b,
    ip: { ...IP, ...IP6 },
    exec: (ns, argv, timeoutMs = CHILD_KILL_AFTER) => run('ip', inNs(ns, argv), timeoutMs),
    spawn: (ns, argv, timeoutMs = CHILD_KILL_AFTER) => start('ip', inNs(ns, argv), timeoutMs),
    example: (ns, script, args = [], timeoutMs = CHILD_KILL_AFTER) =>
      run('ip', inNs(ns, exampleArgv(script, args)), timeoutMs),
    mac: (ns, ifname) =>
      (JSON.parse(ip('-n', ns, '-j', 'link', 'show', 'dev', ifname)) as { address: string }[])[0].address,
    destroy: () => deleteNamespaces([a, r, b]),
  };
}
