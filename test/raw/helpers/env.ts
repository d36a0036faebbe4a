// What the raw-socket tests need from the machine (capabilities, commands), and how they run examples.
/*
 * Raw and packet sockets need CAP_NET_RAW; building network namespaces needs root (CAP_SYS_ADMIN
 * for `ip netns`, CAP_NET_ADMIN for links) and iproute2. A test that lacks one of them is
 * skipped with `it.skipIf(...)`, and its title says exactly what is missing. CI runs as root, so
 * nothing is skipped there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, tsxCli, type Run } from '../../helpers/children';

// ---- requirements --------------------------------------------------------------------------

const CAP_BITS = { CAP_SETPCAP: 8n, CAP_NET_ADMIN: 12n, CAP_NET_RAW: 13n, CAP_SYS_ADMIN: 21n } as const;
export type Requirement = 'root' | keyof typeof CAP_BITS | 'ip' | 'setpriv' | 'capsh';

function effectiveCaps(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

/** Whether an executable `cmd` is on PATH (or in the sbin directories `ip` usually lives in). */
export function which(cmd: string): string | null {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function has(req: Requirement): boolean {
  if (req === 'root') return process.getuid?.() === 0;
  if (req in CAP_BITS) return ((effectiveCaps() >> CAP_BITS[req as keyof typeof CAP_BITS]) & 1n) === 1n;
  return which(req) !== null;
}

/**
 * `skip` when any requirement is missing, and `why`: a title suffix naming what is missing
 * ('' when nothing is), e.g. " [skipped: needs CAP_NET_RAW (not root)]".
 */
export function need(...reqs: Requirement[]): { skip: boolean; why: string } {
  const lacking = reqs.filter((r) => !has(r));
  if (lacking.length === 0) return { skip: false, why: '' };
  const names = lacking.map((r) => (r === 'root' ? 'root' : r in CAP_BITS ? r : `the \`${r}\` command`));
  const notRoot = process.getuid?.() === 0 ? '' : ' (not running as root)';
  return { skip: true, why: ` [skipped: needs ${names.join(', ')}${notRoot}]` };
}

/** Raw and packet sockets. */
export const RAW = need('CAP_NET_RAW');
/** Network namespaces, veth pairs and raw sockets inside them. */
export const NETNS = need('root', 'CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'ip');

// ---- example programs ---------------------------------------------------------------------

/**
 * Timeout of a test that waits for example programs in child processes: each starts `tsx`
 * (about a second of CPU), several run at once, and the machine may be running another
 * copy of the suite or a CPU hog beside this one (then a start takes ten times longer).
 */
export const CHILD_TEST_TIMEOUT = 120_000;
/**
 * How long an example may run before it is killed: inside the test's timeout, so that a
 * stuck one fails its test with its output shown rather than by the test timing out.
 */
export const CHILD_KILL_AFTER = CHILD_TEST_TIMEOUT - 10_000;

/** The argv that runs examples/<script> with tsx under this node. */
export function exampleArgv(script: string, args: string[] = []): string[] {
  return [process.execPath, tsxCli, path.join('examples', script), ...args];
}

/** Runs examples/<script> in the host's own network namespace. */
export function runExample(script: string, args: string[] = [], timeoutMs = CHILD_KILL_AFTER): Promise<Run> {
  const [node, ...rest] = exampleArgv(script, args);
  return run(node, rest, timeoutMs);
}

/** A random 16-bit value that is never 0 (ICMP identifiers, port offsets). */
export function random16(): number {
  return 1 + Math.floor(Math.random() * 0xfffe);
}
