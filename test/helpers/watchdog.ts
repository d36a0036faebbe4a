// A hang guard for blocking calls: a worker thread shuts the test's sockets down past a deadline.
/*
 * A blocking call blocks the test's JavaScript thread, so vitest's own test timeout can
 * never fire while it waits. The watchdog is a worker_thread that shares memory with the
 * test thread: the test thread writes a deadline and the fds of the sockets it uses; if
 * the deadline passes while the test is still running, the worker shutdown(2)s those
 * sockets (which wakes any recv/accept/send blocked on them), so the test fails instead
 * of hanging the run. If even that does not help within 10 s, it kills the process.
 *
 * Each fd is recorded with its inode (from /proc/self/fd), and the worker only touches an
 * fd that still refers to that same socket.
 */
import { Worker } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAX = 4096;
const repoRoot = path.resolve(__dirname, '..', '..');

const workerSource = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const f64 = new Float64Array(workerData.sab, 0, 2 + workerData.max);
const i32 = new Int32Array(workerData.sab, 8 * (2 + workerData.max), 2 + workerData.max);
let native = null;
try {
  native = require(workerData.nodeGypBuild)(workerData.repoRoot);
  const mk = (m) => () => new Error(m);
  native.init({ oserror: mk('oserror'), timeout: mk('timeout'), gaierror: mk('gaierror'), herror: mk('herror') });
} catch (e) {
  native = null;
}
// Loaded: from here on terminate() is safe (an addon must not be torn down inside its own init).
require('node:worker_threads').parentPort.postMessage('loaded');
let firedAt = 0;
let firedFor = 0;
setInterval(() => {
  const deadline = f64[0];
  if (!deadline) return;
  const now = Date.now();
  if (now <= deadline) return;
  if (Atomics.load(i32, 0) === 0) {
    Atomics.store(i32, 0, 1);
    firedAt = now;
    firedFor = deadline;
    const n = Math.min(Atomics.load(i32, 1), workerData.max);
    for (let k = 0; k < n; k++) {
      const fd = i32[2 + k];
      const ino = f64[2 + k];
      let target = null;
      try { target = fs.readlinkSync('/proc/self/fd/' + fd); } catch {}
      if (target !== 'socket:[' + ino + ']') continue;
      try { if (native) native.shutdown(fd, 2); } catch {}
    }
  } else if (firedFor === deadline && now - firedAt > 10000) {
    process.stderr.write('watchdog: blocking call still stuck 10 s after shutdown(); killing the test process\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, 50);
`;

class Watchdog {
  private sab = new SharedArrayBuffer(8 * (2 + MAX) + 4 * (2 + MAX));
  private f64 = new Float64Array(this.sab, 0, 2 + MAX);
  private i32 = new Int32Array(this.sab, 8 * (2 + MAX), 2 + MAX);
  private worker: Worker | null = null;

  async start(): Promise<void> {
    if (this.worker) return;
    const w = new Worker(workerSource, {
      eval: true,
      workerData: { sab: this.sab, max: MAX, repoRoot, nodeGypBuild: require.resolve('node-gyp-build') },
    });
    w.unref();
    w.on('error', () => {
      // A broken watchdog must not break the tests it guards.
    });
    // Wait until the worker has loaded the addon, not just until it is online: a short test
    // file would otherwise stop() (terminate) it while the addon's init is still running,
    // which the addon does not survive (FATAL ERROR in napi_register_module_v1). On a busy
    // machine that load takes long enough for this to happen.
    await new Promise<void>((resolve) => {
      w.once('message', () => resolve());
      w.once('error', () => resolve());
      w.once('exit', () => resolve());
    });
    this.worker = w;
  }

  /** Whether start() has run (and stop() has not). */
  get running(): boolean {
    return this.worker !== null;
  }

  async stop(): Promise<void> {
    this.f64[0] = 0;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  /** Starts the clock for one test: after `seconds` the watched sockets get shut down. */
  arm(seconds: number): void {
    Atomics.store(this.i32, 0, 0);
    Atomics.store(this.i32, 1, 0);
    this.f64[0] = Date.now() + seconds * 1000;
  }

  /** Moves the deadline of the current test to `seconds` from now (keeps the watched fds). */
  deadline(seconds: number): void {
    this.f64[0] = Date.now() + seconds * 1000;
  }

  /** Stops the clock; true if it fired during the test. */
  disarm(): boolean {
    this.f64[0] = 0;
    return Atomics.load(this.i32, 0) === 1;
  }

  /** Adds an fd (a socket) the current test may block on. */
  watch(fd: number): void {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return;
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (!m) return;
    const n = Atomics.load(this.i32, 1);
    if (n >= MAX) return;
    this.i32[2 + n] = fd;
    this.f64[2 + n] = Number(m[1]);
    Atomics.store(this.i32, 1, n + 1);
  }
}

export const watchdog = new Watchdog();
