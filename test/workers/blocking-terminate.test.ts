// A worker blocked in a blocking call must still be terminable: long waits poll in
// slices and notice that the environment is stopping (native/sock_call.cc). The
// environment's teardown hook then closes every fd the worker's sockets owned.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { fdCount } from '../helpers/fds';
import { repoRoot } from '../helpers/paths';
import { sleep } from '../helpers/timing';

// The worker loads the binding directly (no TypeScript needed) and blocks in `op`.
function blockedWorker(op: string): Worker {
  return new Worker(
    `
    const b = require('node-gyp-build')(${JSON.stringify(repoRoot)});
    b.init({
      oserror: (e, s) => Object.assign(new Error('[Errno ' + e + '] ' + s), { errno: e }),
      timeout: () => new Error('timed out'),
      gaierror: (c, m) => new Error(m),
      herror: (c, m) => new Error(m),
    }, false);
    const [a, c] = b.socketpair(1, 1, 0);
    // SOCK_NONBLOCK, as lib/ creates every fd on a worker thread (fdNonblocking): accept(2)
    // has no per-call flag, so only an O_NONBLOCK listener keeps accept out of a kernel sleep.
    const l = b.socket(2, 1 | 2048, 0);
    b.bind(l, 2, ['127.0.0.1', 0]);
    b.listen(l, 8);
    require('node:worker_threads').parentPort.postMessage('ready');
    ${op}
    `,
    { eval: true },
  );
}

describe('terminating a worker blocked in a blocking call', () => {
  for (const [name, op] of [
    ['recv with no timeout', 'b.recv_into(a, Buffer.alloc(8), 8, 0, -1);'],
    ['accept with a long timeout', 'b.accept(l, 3600);'],
  ] as const) {
    it(`ends promptly and leaks no fd (${name})`, async () => {
      const before = fdCount();
      const w = blockedWorker(op);
      const errors: Error[] = [];
      w.on('error', (e) => errors.push(e));
      await new Promise<void>((resolve) => w.once('message', () => resolve()));
      await sleep(100);
      const t0 = Date.now();
      const code = await w.terminate();
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(code).toBe(1);
      expect(errors).toEqual([]);
      expect(fdCount()).toBe(before);
    });
  }
});
