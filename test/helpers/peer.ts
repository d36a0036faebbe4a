// Worker-thread peers: JavaScript that keeps running while a blocking call holds the test's thread.
/*
 * A blocking call blocks the test's thread, so whatever must happen *while* it waits runs
 * elsewhere: in a worker_thread with Node's own `net`/`dgram` (workerPeer, here), in a
 * python3 subprocess (pythonPeer) or a child node process (runTsChild); the last two live
 * in children.ts and are re-exported here for the files that import them from this module.
 */
import { Worker } from 'node:worker_threads';
import { libPath } from './paths';
import { onCleanup } from './tracker';

export { within, sleep } from './timing';
export { pythonPeer, runTsChild, type Child as ProcPeer } from './children';
export { repoRoot, libPath } from './paths';

export interface WorkerPeer<T = unknown> {
  /** The value the body passed to ready(). */
  ready: Promise<any>;
  /** The value the body passed to done(); rejects if the body throws or the worker dies. */
  result: Promise<T>;
  stop(): Promise<void>;
}

/**
 * Runs `body` (the text of an async function body) in a worker_thread, terminated after the
 * test at the latest. In scope: require, workerData, ready(value), done(value), sleep(ms),
 * and with `bsdsock: true` also `socket` (lib/index.ts loaded through tsx in the worker).
 */
export function workerPeer<T = any>(
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
  const stop = async () => {
    await w.terminate();
  };
  onCleanup(stop);
  return { ready, result, stop };
}

/**
 * A TCP sink on 127.0.0.1 in a worker: accepts one connection, reads it to the end and
 * returns all the bytes. `ready` resolves with the port.
 */
export function tcpSink(): WorkerPeer<Uint8Array> {
  return workerPeer(`
const net = require('node:net');
const srv = net.createServer((c) => {
  const chunks = [];
  c.on('data', (d) => chunks.push(d));
  c.on('end', () => {
    const all = Buffer.concat(chunks);
    done(new Uint8Array(all.buffer, all.byteOffset, all.length));
    srv.close();
  });
  c.on('error', (e) => { throw e; });
});
srv.listen(0, '127.0.0.1', () => ready(srv.address().port));
`);
}
