// Child processes for tests: one wrapper (stdout lines, output patterns, exit, kill-after) and its runners.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { libPath, repoRoot } from './paths';
import { within } from './timing';

export const tsxCli = require.resolve('tsx/cli');

/** How a child ended, with everything it wrote. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the child was killed for running longer than allowed. */
  killed: boolean;
}

export interface Child {
  proc: ChildProcess;
  /** Resolves with the next stdout line (waits up to `ms`; rejects if the child ends first). */
  line(ms?: number): Promise<string>;
  /** Resolves once `re` matches all of stdout or stderr so far (rejects if the child ends first). */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** Resolves when the child has ended and its pipes are closed. */
  exit: Promise<Run>;
  /** Whether the process has ended. */
  readonly exited: boolean;
  kill(signal?: NodeJS.Signals): void;
}

/** The environment for children: no colours, none of vitest's NODE_OPTIONS. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_OPTIONS;
  return env;
}

/** Wraps a spawned process whose stdout and stderr are pipes; SIGKILLs it after `killAfterMs`. */
export function wrapChild(proc: ChildProcess, killAfterMs?: number): Child {
  const lines: string[] = [];
  const lineWaiters: ((l: string) => void)[] = [];
  const watchers: { re: RegExp; resolve: () => void }[] = [];
  let buf = '';
  let stdout = '';
  let stderr = '';
  let exited = false;
  let killed = false;
  const check = () => {
    for (let i = watchers.length - 1; i >= 0; i--) {
      if (watchers[i].re.test(stdout) || watchers[i].re.test(stderr)) {
        watchers[i].resolve();
        watchers.splice(i, 1);
      }
    }
  };
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = lineWaiters.shift();
      if (w) w(l);
      else lines.push(l);
    }
    check();
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
  };
  const killer =
    killAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          killed = true;
          kill();
        }, killAfterMs);
  const exit = new Promise<Run>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(killer);
      exited = true;
      resolve({ code, signal, stdout, stderr, killed });
    };
    // 'close' comes once the pipes are drained too; a grandchild that keeps them open (tsx's
    // CLI runs the script in one) must not hold the result back for long.
    proc.on('exit', (code, signal) => {
      exited = true;
      setTimeout(() => finish(code, signal), 2000).unref();
    });
    proc.on('close', finish);
    proc.on('error', (e) => {
      clearTimeout(killer);
      exited = true;
      resolve({ code: null, signal: null, stdout, stderr: stderr + String(e), killed });
    });
  });
  const ended = (what: string) =>
    exit.then((r) => {
      throw new Error(
        `process ended (code ${r.code}, signal ${r.signal}) before ${what}; stdout: ${r.stdout}; stderr: ${r.stderr}`,
      );
    });
  return {
    proc,
    exit,
    get exited() {
      return exited;
    },
    line(ms = 15_000) {
      const l = lines.shift();
      if (l !== undefined) return Promise.resolve(l);
      const next = new Promise<string>((resolve) => lineWaiters.push(resolve));
      return within(Promise.race([next, ended('printing a line')]), ms, 'waiting for a line from the child');
    },
    waitFor(re, ms = 15_000) {
      const seen = new Promise<void>((resolve) => {
        watchers.push({ re, resolve });
        check();
      });
      return within(Promise.race([seen, ended(String(re))]), ms, `waiting for ${re} from the child`);
    },
    kill,
  };
}

/** Starts `cmd args` (cwd: the repository, env: childEnv()); SIGKILLed after `killAfterMs`. */
export function start(cmd: string, args: string[], killAfterMs?: number, options: SpawnOptions = {}): Child {
  const proc = spawn(cmd, args, {
    cwd: repoRoot,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  return wrapChild(proc, killAfterMs);
}

/** Runs `cmd args` to completion (SIGKILLed after `killAfterMs`). */
export function run(
  cmd: string,
  args: string[],
  killAfterMs = 20_000,
  options: SpawnOptions = {},
): Promise<Run> {
  return start(cmd, args, killAfterMs, options).exit;
}

/** python3 -u -c `code` args... */
export function pythonPeer(code: string, args: (string | number)[] = []): Child {
  return start('python3', ['-u', '-c', code, ...args.map(String)]);
}

/** Runs a TypeScript file under tsx's CLI (`node <tsx/cli> file args...`). */
export function runTsFile(file: string, args: (string | number)[] = [], killAfterMs?: number): Child {
  return start(process.execPath, [tsxCli, file, ...args.map(String)], killAfterMs);
}

let childSeq = 0;

/**
 * Runs `source` (TypeScript; `LIB` in it is replaced by the absolute path of lib/index) in
 * a fresh `node [nodeArgs] -r tsx/cjs` process. The child's stdout lines are readable with
 * line(). tsx's CLI is not used, so no signal handler of tsx is installed in the child.
 */
export function runTsChild(source: string, nodeArgs: string[] = []): Child {
  childSeq += 1;
  const file = path.join(os.tmpdir(), `bsdsock-child-${process.pid}-${childSeq}.ts`);
  fs.writeFileSync(file, source.replace(/\bLIB\b/g, JSON.stringify(libPath).slice(1, -1)));
  const child = start(process.execPath, [...nodeArgs, '-r', require.resolve('tsx/cjs'), file]);
  void child.exit.finally(() => fs.rmSync(file, { force: true }));
  return child;
}
