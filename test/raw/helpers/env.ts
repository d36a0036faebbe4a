/**
 * What the raw-socket tests need from the machine, and how they run child processes.
 *
 * Raw and packet sockets need CAP_NET_RAW; building network namespaces needs root (CAP_SYS_ADMIN
 * for `ip netns`, CAP_NET_ADMIN for links) and iproute2. A test that lacks one of them is
 * skipped with `it.skipIf(...)`, and its title says exactly what is missing. CI runs as root, so
 * nothing is skipped there.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const tsxCli = require.resolve('tsx/cli');

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

// ---- child processes -----------------------------------------------------------------------

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  /** Resolves once `re` matches stdout or stderr (rejects if the child ends first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<Run>;
}

/**
 * Timeout of a test that waits for example programs in child processes: each starts `tsx`
 * (about a second of CPU), and several run at once on a small CI machine.
 */
export const CHILD_TEST_TIMEOUT = 60_000;

/** The environment for children: no colours, none of vitest's NODE_OPTIONS. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_OPTIONS;
  return env;
}

/** Starts `cmd args` in the repo root; it is killed (SIGKILL) after `timeoutMs`. */
export function start(cmd: string, args: string[], timeoutMs = 20_000, options: SpawnOptions = {}): Started {
  const child = spawn(cmd, args, {
    cwd: repoRoot,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  let stdout = '';
  let stderr = '';
  const watchers: { re: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (let i = watchers.length - 1; i >= 0; i--) {
      if (watchers[i].re.test(stdout) || watchers[i].re.test(stderr)) {
        watchers[i].resolve();
        watchers.splice(i, 1);
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
    child.on('error', (e) => {
      clearTimeout(killer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + String(e) });
    });
  });
  const waitFor = (re: RegExp, ms = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`timed out waiting for ${re}; stdout: ${stdout}; stderr: ${stderr}`)),
        ms,
      );
      watchers.push({
        re,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      });
      check();
      void done.then((r) => {
        clearTimeout(t);
        reject(
          new Error(`process ended (code ${r.code}) before ${re}; stdout: ${r.stdout}; stderr: ${r.stderr}`),
        );
      });
    });
  return { child, waitFor, done };
}

/** Runs `cmd args` to completion (killed after `timeoutMs`). */
export function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<Run> {
  return start(cmd, args, timeoutMs).done;
}

/** The argv that runs examples/<script> with tsx under this node. */
export function exampleArgv(script: string, args: string[] = []): string[] {
  return [process.execPath, tsxCli, path.join('examples', script), ...args];
}

/** Runs examples/<script> in the host's own network namespace. */
export function runExample(script: string, args: string[] = [], timeoutMs = 20_000): Promise<Run> {
  const [node, ...rest] = exampleArgv(script, args);
  return run(node, rest, timeoutMs);
}

/** A random 16-bit value that is never 0 (ICMP identifiers, port offsets). */
export function random16(): number {
  return 1 + Math.floor(Math.random() * 0xfffe);
}
