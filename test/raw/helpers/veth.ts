/**
 * One network namespace holding a veth pair, rv0 <-> rv1, for the ring tests: frames sent on
 * rv0 arrive on rv1. IPv6 is off inside it, so the link carries only what a test sends.
 * The name, `bsdsock-raw-<pid>-<random>-ring`, is unique per process (concurrent runs never
 * collide) and matches netns.ts's removeStale(), which deletes namespaces of dead runs.
 */
import { randomBytes } from 'node:crypto';
import { run, type Run } from '../../helpers/children';
import { NS_PREFIX, ip, removeStale } from './netns';

export interface VethNamespace {
  ns: string;
  /**
   * Runs `node --import tsx script` (script: a path from the repo root) inside the namespace;
   * worker_threads inherit the flag, so they load TypeScript too.
   */
  tsx(script: string, args: string[], timeoutMs?: number, prefix?: string[]): Promise<Run>;
  destroy(): void;
}

const live = new Set<string>();
let hooked = false;

export function createVethNamespace(): VethNamespace {
  removeStale();
  const ns = `${NS_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}-ring`;
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const n of live) {
        try {
          ip('netns', 'del', n);
        } catch {
          // already gone
        }
      }
    });
  }
  const destroy = () => {
    try {
      ip('netns', 'del', ns);
    } catch {
      // already gone
    }
    live.delete(ns);
  };
  try {
    ip('netns', 'add', ns);
    live.add(ns);
    ip('netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1');
    ip('netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1');
    ip('-n', ns, 'link', 'add', 'rv0', 'type', 'veth', 'peer', 'name', 'rv1');
    for (const dev of ['lo', 'rv0', 'rv1']) ip('-n', ns, 'link', 'set', dev, 'up');
  } catch (e) {
    destroy();
    throw e;
  }
  return {
    ns,
    tsx: (script, args, timeoutMs = 30_000, prefix = []) =>
      run(
        'ip',
        ['netns', 'exec', ns, ...prefix, process.execPath, '--import', 'tsx', script, ...args],
        timeoutMs,
      ),
    destroy,
  };
}
