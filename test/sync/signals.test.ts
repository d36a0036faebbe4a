// Signals and blocking calls, in child processes (a signal must hit a process that is
// really blocked in the addon):
//  - Ctrl+C (SIGINT) still ends a process blocked in recv()/accept()/sendall(), with or
//    without a timeout;
//  - PEP 475: a signal that has a JavaScript listener interrupts the wait with EINTR, and
//    the call is retried, keeping its deadline (TCPTimeoutTest.testInterruptedTimeout and
//    check_sendall_interrupted_with_timeout, adapted: a JavaScript handler cannot run while
//    the thread is blocked, so the call must just go on).
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { runTsChild } from '../helpers/children';
import { sleep, within } from '../helpers/timing';

// Each test starts a node + tsx child that compiles lib/ before it prints anything: about a
// second alone, far longer beside another run of the suite or a CPU hog. The waits for the
// child and the tests' own timeouts leave room for that; none of them is a speed check.
const STARTUP = 60_000;
const TEST_TIMEOUT = 90_000;
const EXIT = 20_000;

async function expectDiesBySigint(source: string): Promise<void> {
  const child = runTsChild(source);
  try {
    expect(await child.line(STARTUP)).toBe('blocking');
    // The line is written just before the blocking call; give it a moment to get there.
    await sleep(300);
    child.kill('SIGINT');
    const { code, signal, stderr } = await within(child.exit, EXIT, 'child exit after SIGINT');
    expect({ code, signal, stderr: signal === 'SIGINT' ? '' : stderr }).toEqual({
      code: null,
      signal: 'SIGINT',
      stderr: '',
    });
  } finally {
    child.kill('SIGKILL');
  }
}

describe('Ctrl+C ends a blocked process', () => {
  it(
    'SIGINT kills a child blocked in recv() (blocking mode)',
    async () => {
      await expectDiesBySigint(`
import * as socket from 'LIB';
const [a, b] = socket.socketpair();
console.log('blocking');
a.recv(10);
console.log('recv returned');
`);
    },
    TEST_TIMEOUT,
  );

  it(
    'SIGINT kills a child blocked in accept() with a long timeout',
    async () => {
      await expectDiesBySigint(`
import * as socket from 'LIB';
const s = socket.socket();
s.bind(['127.0.0.1', 0]);
s.listen();
s.settimeout(60);
console.log('blocking');
s.accept();
console.log('accept returned');
`);
    },
    TEST_TIMEOUT,
  );

  it(
    'SIGINT kills a child blocked in sendall() to a peer that does not read',
    async () => {
      await expectDiesBySigint(`
import * as socket from 'LIB';
const [a, b] = socket.socketpair();
console.log('blocking');
a.sendall(Buffer.alloc(64 * 1024 * 1024));
console.log('sendall returned');
`);
    },
    TEST_TIMEOUT,
  );
});

describe('PEP 475: interrupted waits are retried', () => {
  it(
    'timeouts of recv and sendall still fire on time while signals with a listener keep arriving (testInterruptedTimeout, test_sendall_interrupted_with_timeout; adapted)',
    async () => {
      const child = runTsChild(`
import * as socket from 'LIB';
let handled = 0;
process.on('SIGUSR2', () => { handled++; });
const [a, b] = socket.socketpair();
a.settimeout(1.0);
console.log('blocking');
function attempt(fn: () => unknown) {
  const t0 = process.hrtime.bigint();
  let outcome = 'returned';
  try { fn(); } catch (e: any) { outcome = e.name + ':' + e.message; }
  return { outcome, elapsed: Number(process.hrtime.bigint() - t0) / 1e9 };
}
// The calls start on the first signal, so the signals are sure to come while they wait
// however late this line reaches the test; only the signals from then on are counted.
process.once('SIGUSR2', () => setImmediate(() => {
  handled = 0;
  const recv = attempt(() => a.recv(10));
  const sendall = attempt(() => a.sendall(Buffer.alloc(64 * 1024 * 1024)));
  // setImmediate after the timer: the check phase comes after a poll phase, which is where
  // libuv hands the signals that came during the calls to the listener. A timer alone can
  // fire first when the process was descheduled for its 50 ms (on a busy machine).
  setTimeout(() => setImmediate(() => { console.log(JSON.stringify({ recv, sendall, handled })); }), 50);
}));
`);
      try {
        expect(await child.line(STARTUP)).toBe('blocking');
        // Signals throughout both calls (about 2 s), until the child reports.
        let more = true;
        const lines = child.line(STARTUP).finally(() => (more = false));
        for (let i = 0; i < 1000 && more; i++) {
          child.kill('SIGUSR2');
          await sleep(60);
        }
        const res = JSON.parse(await lines);
        for (const r of [res.recv, res.sendall]) {
          expect(r.outcome).toBe('TimeoutError:timed out');
          expect(r.elapsed).toBeGreaterThanOrEqual(0.9);
          expect(r.elapsed).toBeLessThan(4);
        }
        // The JavaScript listener ran once the thread was free again.
        expect(res.handled).toBeGreaterThan(0);
      } finally {
        child.kill('SIGKILL');
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'a blocking accept and recv keep waiting through signals, then succeed (PEP 475, blocking mode)',
    async () => {
      const child = runTsChild(`
import * as socket from 'LIB';
let handled = 0;
process.on('SIGUSR2', () => { handled++; });
const s = socket.socket();
s.bind(['127.0.0.1', 0]);
s.listen();
console.log(String((s.getsockname() as any)[1]));
const [conn] = s.accept();
const data = conn.recv(100).toString();
// As above: the listener runs in a poll phase, which comes before this check phase.
setTimeout(() => setImmediate(() => { console.log(JSON.stringify({ data, handled })); conn.close(); s.close(); }), 50);
`);
      try {
        const port = Number(await child.line(STARTUP));
        for (let i = 0; i < 3; i++) {
          await sleep(100);
          child.kill('SIGUSR2');
        }
        const c = net.connect(port, '127.0.0.1');
        await new Promise<void>((resolve, reject) => {
          c.once('connect', () => resolve());
          c.once('error', reject);
        });
        for (let i = 0; i < 3; i++) {
          await sleep(100);
          child.kill('SIGUSR2');
        }
        c.write('through signals');
        const res = JSON.parse(await child.line(STARTUP));
        c.destroy();
        expect(res.data).toBe('through signals');
        expect(res.handled).toBeGreaterThan(0);
        const { code } = await within(child.exit, EXIT, 'child exit');
        expect(code).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    },
    TEST_TIMEOUT,
  );
});
