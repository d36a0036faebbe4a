// The addon is context-aware (one Addon per environment): it must load in several
// worker_threads at once, keep per-worker state (the error factories of init()),
// and survive a worker being terminated while it is loaded and busy.
// It loads the raw binding through node-gyp-build, not through lib/.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { repoRoot } from '../helpers/paths';
import { childEnv, start } from '../helpers/children';

// An fd number that can't be open (RLIMIT_NOFILE is far below it), so closing it
// is always EBADF and never closes another thread's socket.
const BAD_FD = 1 << 30;

// Runs inside each worker (plain CommonJS, eval'd).
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const native = require(workerData.nodeGypBuild)(workerData.repoRoot);
const id = workerData.id;
native.init({
  oserror: (e, s) => Object.assign(new Error('os ' + e), { errno: e, syscall: s, worker: id }),
  timeout: () => new Error('timed out'),
  gaierror: (c, m) => new Error(m),
  herror: (c, m) => new Error(m),
});
if (workerData.mode === 'spin') {
  // Keep the addon busy until terminated.
  parentPort.postMessage({ ready: true });
  for (;;) native.close(native.socket(2, 1, 0));
}
const fds = [];
for (let round = 0; round < workerData.rounds; round++) {
  for (let i = 0; i < 20; i++) fds.push(native.socket(2, 1, 0));
  for (let i = 0; i < 10; i++) fds.push(native.socket(2, 2, 0));
  while (fds.length) native.close(fds.pop());
}
let error = null;
try {
  native.close(workerData.badFd);
} catch (e) {
  error = { message: e.message, errno: e.errno, syscall: e.syscall, worker: e.worker };
}
parentPort.postMessage({
  id,
  created: workerData.rounds * 30,
  hasConstants: typeof native.constants === 'object' || typeof native.AF_INET === 'number',
  error,
});
`;

function startWorker(data: Record<string, unknown>): Worker {
  return new Worker(workerSource, {
    eval: true,
    workerData: { repoRoot, nodeGypBuild: require.resolve('node-gyp-build'), badFd: BAD_FD, ...data },
  });
}

interface Result {
  id: number;
  created: number;
  hasConstants: boolean;
  error: { message: string; errno: number; syscall: string; worker: number } | null;
}

function runToEnd(w: Worker): Promise<{ result: Result | undefined; code: number }> {
  return new Promise((resolve, reject) => {
    let result: Result | undefined;
    w.on('message', (m: Result) => (result = m));
    w.on('error', reject);
    w.on('exit', (code) => resolve({ result, code }));
  });
}

describe('addon in worker_threads', () => {
  it('loads and works in 4 workers at once, with per-worker init()', async () => {
    const workers = [0, 1, 2, 3].map((id) => startWorker({ id, rounds: 50 }));
    const outcomes = await Promise.all(workers.map(runToEnd));
    outcomes.forEach(({ result, code }, id) => {
      expect(code).toBe(0);
      expect(result).toBeDefined();
      expect(result!.id).toBe(id);
      expect(result!.created).toBe(1500);
      expect(result!.hasConstants).toBe(true);
      // The error came from this worker's own factory.
      expect(result!.error).toMatchObject({ message: 'os 9', errno: 9, worker: id });
    });
  });

  it('survives terminating a worker while the addon is loaded and busy', async () => {
    const busy = startWorker({ id: 99, mode: 'spin' });
    const exited = new Promise<number>((resolve, reject) => {
      busy.on('error', reject);
      busy.on('exit', resolve);
    });
    await new Promise<void>((resolve, reject) => {
      busy.once('message', () => resolve());
      busy.once('error', reject);
    });
    // Let it run some syscalls, with other workers loading the addon meanwhile.
    // (runToEnd right away: a fast worker may finish before the terminate below.)
    const others = [0, 1, 2].map((id) => runToEnd(startWorker({ id, rounds: 10 })));
    await new Promise((r) => setTimeout(r, 50));
    await busy.terminate();
    expect(await exited).toBe(1);
    const outcomes = await Promise.all(others);
    for (const { code, result } of outcomes) {
      expect(code).toBe(0);
      expect(result?.error?.errno).toBe(9);
    }
  });

  // .ci/run's arm64 slice runs Node under qemu-user without binfmt_misc, where a child
  // process cannot exec the arm64 Node binary: there this test is skipped, and says why.
  const emulated = process.env.BSDSOCK_EMULATED;
  const why = emulated ? ` (skipped: under ${emulated} a child Node cannot be started)` : '';
  it.skipIf(emulated)(
    `survives workers terminated at every point of loading the addon and starting its engine${why}`,
    async () => {
      // In a child process: a crash here would take the test runner with it. Each worker
      // loads the addon, sets the error factories and starts the engine (its epoll fd and
      // uv_poll_t), and is terminated after 0 to 29 ms, so termination lands in each of
      // those steps. A throw that could not be thrown used to abort the process, and the
      // engine's close callback could run after the addon was unloaded.
      const script = `
      const { Worker } = require('node:worker_threads');
      const src = ${JSON.stringify(`
        const { workerData } = require('node:worker_threads');
        const native = require(workerData.nodeGypBuild)(workerData.repoRoot);
        native.init({ oserror: () => new Error('os'), timeout: () => new Error('t'),
          gaierror: () => new Error('g'), herror: () => new Error('h') });
        native.engine_init(() => {}, []);
        const [a, b] = [native.socket(1, 1, 0), native.socket(1, 1, 0)];
      `)};
      (async () => {
        let n = 0;
        for (let i = 0; i < 60; i++) {
          const w = new Worker(src, { eval: true, workerData: ${JSON.stringify({
            repoRoot,
            nodeGypBuild: require.resolve('node-gyp-build'),
          })} });
          w.on('error', () => {});
          await new Promise((r) => setTimeout(r, i % 30));
          await w.terminate();
          n++;
        }
        console.log('ok ' + n);
      })();
    `;
      const child = start(process.execPath, ['-e', script], 60_000, { env: childEnv() });
      const r = await child.exit;
      expect(r.stderr).not.toMatch(/FATAL|Segmentation/);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe('ok 60');
    },
    90_000,
  );

  it('terminates workers right after loading, then loads on the main thread', async () => {
    for (let i = 0; i < 4; i++) {
      const w = startWorker({ id: i, mode: 'spin' });
      await new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', reject);
      });
      await w.terminate();
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const native = require('node-gyp-build')(repoRoot);
    const fd = native.socket(2, 1, 0);
    expect(typeof fd).toBe('number');
    expect(fd).toBeGreaterThanOrEqual(0);
    native.close(fd);
  });
});
