/**
 * Peers for blocking calls. A blocking call blocks the test's thread, so whatever must
 * happen *while* it waits runs elsewhere:
 *
 *  - workerPeer: a worker_thread running plain JavaScript with Node's own `net`/`dgram`
 *    (its own event loop keeps going while the test thread is blocked);
 *  - pythonPeer: a python3 subprocess (CPython's socket module, a peer nobody here wrote);
 *  - runTsChild: a child node process running a TypeScript snippet against lib/ (for
 *    signals and garbage collection, which need a process of their own).
 */
import { Worker } from 'node:worker_threads';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const libPath = path.join(repoRoot, 'lib', 'index');

/** Rejects if `p` has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- worker peer ---------------------------------------------------------------------

export interface WorkerPeer<T = unknown> {
  /** The value the body passed to ready(). */
  ready: Promise<any>;
  /** The value the body passed to done(); rejects if the body throws or the worker dies. */
  result: Promise<T>;
  stop(): Promise<void>;
}

/**
 * Runs `body` (the text of an async function body) in a worker_thread. In scope:
 * require, workerData, ready(value), done(value), sleep(ms), and with `bsdsock: true`
 * also `socket` (lib/index.ts loaded through tsx in the worker).
 */
export function workerPeer<T = unknown>(
  body: string,
  data: unknown = {},
  opts: { bsdsock?: boolean } = {},
): WorkerPeer<T> {
  const preamble = opts.bsdsock
    ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();
const socket = require(${JSON.stringify(libPath + '.ts')});`
    : '';
  const source = `
const { parentPort, workerData } = require('node:worker_threads');
${preamble}
const ready = (value) => parentPort.postMessage({ kind: 'ready', value });
const done = (value) => parentPort.postMessage({ kind: 'done', value });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
${body}
})().catch((e) => parentPort.postMessage({ kind: 'error', message: String((e && e.stack) || e) }));
`;
  const w = new Worker(source, { eval: true, workerData: data });
  let resolveReady!: (v: any) => void;
  let rejectReady!: (e: unknown) => void;
  let resolveDone!: (v: T) => void;
  let rejectDone!: (e: unknown) => void;
  const ready = new Promise<any>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
  const result = new Promise<T>((res, rej) => ((resolveDone = res), (rejectDone = rej)));
  // Don't let an unobserved rejection of one of them fail the run.
  ready.catch(() => {});
  result.catch(() => {});
  w.on('message', (m: { kind: string; value?: any; message?: string }) => {
    if (m.kind === 'ready') resolveReady(m.value);
    else if (m.kind === 'done') resolveDone(m.value);
    else if (m.kind === 'error') {
      const err = new Error(`worker peer failed: ${m.message}`);
      rejectReady(err);
      rejectDone(err);
    }
  });
  w.on('error', (e) => {
    rejectReady(e);
    rejectDone(e);
  });
  w.on('exit', (code) => {
    const err = new Error(`worker peer exited (code ${code})`);
    rejectReady(err);
    rejectDone(err);
  });
  return {
    ready,
    result,
    stop: async () => {
      await w.terminate();
    },
  };
}

// ---- python3 peer ----------------------------------------------------------------------

export interface ProcPeer {
  proc: ChildProcess;
  /** Resolves with the next stdout line (waits for it). */
  line(timeoutMs?: number): Promise<string>;
  /** Resolves when the process ends. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal?: NodeJS.Signals): void;
}

function wrapProcess(proc: ChildProcess): ProcPeer {
  const lines: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  let buf = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(l);
      else lines.push(l);
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (stderr += c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      proc.on('exit', (code, signal) => {
        // Let the pipes drain before reporting stderr.
        setImmediate(() => resolve({ code, signal, stderr }));
      });
    },
  );
  return {
    proc,
    exit,
    line(timeoutMs = 10_000) {
      const l = lines.shift();
      if (l !== undefined) return Promise.resolve(l);
      const p = new Promise<string>((resolve) => waiters.push(resolve));
      return within(
        Promise.race([
          p,
          exit.then(({ code, signal, stderr: err }) => {
            throw new Error(
              `process ended (code ${code}, signal ${signal}) before printing a line; stderr: ${err}`,
            );
          }),
        ]),
        timeoutMs,
        'waiting for a line from the child process',
      );
    },
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
}

/** python3 -u -c `code` args... */
export function pythonPeer(code: string, args: (string | number)[] = []): ProcPeer {
  const proc = spawn('python3', ['-u', '-c', code, ...args.map(String)], { stdio: ['pipe', 'pipe', 'pipe'] });
  return wrapProcess(proc);
}

// ---- TypeScript child process ------------------------------------------------------------

let childSeq = 0;

/**
 * Runs `source` (TypeScript; `LIB` in it is replaced by the absolute path of lib/index) in
 * a fresh `node [nodeArgs] -r tsx/cjs` process. The child's stdout lines are readable with
 * line(). tsx's CLI is not used, so no signal handler of tsx is installed in the child.
 */
export function runTsChild(source: string, nodeArgs: string[] = []): ProcPeer {
  childSeq += 1;
  const file = path.join(os.tmpdir(), `bsdsock-child-${process.pid}-${childSeq}.ts`);
  fs.writeFileSync(file, source.replace(/\bLIB\b/g, JSON.stringify(libPath).slice(1, -1)));
  const proc = spawn(process.execPath, [...nodeArgs, '-r', require.resolve('tsx/cjs'), file], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const peer = wrapProcess(proc);
  peer.exit.finally(() => fs.rmSync(file, { force: true }));
  return peer;
}
