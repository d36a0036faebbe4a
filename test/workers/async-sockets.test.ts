// AsyncSockets in worker_threads (API.md, "The async twin"): they work there, and
// terminating a worker with operations pending neither crashes nor leaks: the addon's
// teardown hook closes the watchers and every fd bsdsock owns.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { aio } from '../helpers/aio';
import { runTsFile, start } from '../helpers/children';
import { repoRoot } from '../helpers/paths';
import { within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

function message<T = any>(w: Worker, ms = 20_000): Promise<T> {
  return within(
    new Promise<T>((resolve, reject) => {
      w.once('message', (m) => (m && m.error ? reject(new Error(`worker failed: ${m.error}`)) : resolve(m)));
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`worker exited (code ${code}) before posting`)));
    }),
    ms,
    'a message from the worker',
  );
}

describe('worker_threads', () => {
  // The scenarios that terminate workers run in a child process of their own: if the
  // addon crashes during a worker's teardown, that shows here as an exit signal and
  // the output, instead of taking the vitest fork (and every other test) down with it.
  async function result(name: string, args: (string | number)[] = [], ms = 45_000): Promise<any> {
    const child = runTsFile(fixture(name), args);
    track(() => child.kill());
    const r = await within(child.exit, ms, name);
    const out = (await Promise.resolve(child.line(1).catch(() => ''))) as string;
    expect(
      { code: r.code, signal: r.signal, fatal: /FATAL ERROR|Aborted|Segmentation/.test(r.stderr) },
      `${name} stderr:\n${r.stderr.slice(0, 3000)}`,
    ).toEqual({ code: 0, signal: null, fatal: false });
    expect(out).toMatch(/^result /);
    return JSON.parse(out.slice('result '.length));
  }

  it('an echo server in each of two workers serves AsyncSocket clients of the main thread', async () => {
    const r = await result('workers-echo.ts');
    expect(r.error).toBeUndefined();
    expect(r.ports[0]).not.toBe(r.ports[1]);
    expect(r.roundTrips).toBe(15);
    expect(r.mismatches).toBe(0);
    expect(r.codes).toEqual([1, 1]);
  }, 60_000);

  it('terminating a worker with operations pending: no crash, no abort, its sockets closed by the teardown hook', async () => {
    const r = await result('workers-terminate.ts', [1]);
    expect(r.error).toBeUndefined();
    expect(r.reports).toEqual([{ sockets: 7, allOpen: true, code: 1, leaked: [] }]);
    expect(r.after).toBeLessThanOrEqual(r.before);
    expect(r.live).toBe('live');
  }, 60_000);

  it('terminating workers with operations pending, five times over, leaks no fd', async () => {
    const r = await result('workers-terminate.ts', [5], 90_000);
    expect(r.error).toBeUndefined();
    expect(r.reports).toHaveLength(5);
    for (const rep of r.reports) expect(rep).toEqual({ sockets: 7, allOpen: true, code: 1, leaked: [] });
    expect(r.after).toBeLessThanOrEqual(r.before);
  }, 100_000);

  it("terminating a worker just as its pending recv's socket becomes readable does not crash", async () => {
    const child = start(process.execPath, [fixture('terminate-readable.cjs')]);
    track(() => child.kill());
    const r = await within(child.exit, 40_000, 'the terminate-readable process');
    expect({ code: r.code, signal: r.signal }, r.stderr.slice(0, 3000)).toEqual({ code: 0, signal: null });
    expect(r.stderr).not.toMatch(/FATAL ERROR/);
  }, 50_000);

  it('a worker terminated while its blocking sendall fails (peer closed) ends cleanly, no abort', async () => {
    // Runs in its own process so a fatal error shows as an exit signal, not a lost vitest fork.
    const child = start(process.execPath, [fixture('terminate-blocking.cjs')]);
    track(() => child.kill());
    const r = await within(child.exit, 20_000, 'the terminate-blocking process');
    expect(r.stderr).not.toMatch(/FATAL ERROR/);
    expect(r).toMatchObject({ code: 0, signal: null });
  }, 30_000);

  it('a socket fd handed to a worker (dup + detach, then fromfd there) works in the worker', async () => {
    const [a, b] = aio.socketpair().map(track);
    const fd = b.dup().detach();
    b.close();
    const w = new Worker(
      `
      const { workerData, parentPort } = require('node:worker_threads');
      require(workerData.tsx).register();
      const socket = require(workerData.lib);
      (async () => {
        const s = socket.aio.socket(undefined, undefined, undefined, workerData.fd);
        const d = await s.recv(100);
        await s.sendall(Buffer.from('echo:' + d.toString()));
        s.close();
        parentPort.postMessage({ ok: true });
      })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
      `,
      {
        eval: true,
        workerData: { fd, tsx: require.resolve('tsx/cjs/api'), lib: path.join(repoRoot, 'lib', 'index.ts') },
      },
    );
    track(() => void w.terminate());
    const done = message(w);
    await a.send(Buffer.from('ping'));
    expect((await within(a.recv(100), 20_000)).toString()).toBe('echo:ping');
    expect(await done).toEqual({ ok: true });
    expect(await within(new Promise((r) => w.once('exit', r)), 20_000, 'the worker to exit by itself')).toBe(
      0,
    );
  }, 45_000);
});
