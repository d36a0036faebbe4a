// The finalizer: port of CPython's GeneralModuleTests.test_dealloc_warn. A socket that is
// garbage-collected while open is closed, and a 'ResourceWarning' is emitted through
// process.emitWarning with Python's text ('unclosed ' + repr). Run in a child
// `node --expose-gc` process so gc() is available and the warning goes to that process only.
import { describe, expect, it } from 'vitest';
import { runTsChild } from '../helpers/children';
import { within } from '../helpers/timing';
import { RAW } from '../raw/helpers/env';

const CHILD = `
import * as socket from 'LIB';
import * as fs from 'node:fs';

const warnings: { name: string; message: string }[] = [];
process.on('warning', (w) => warnings.push({ name: w.name, message: w.message }));
const target = (fd: number) => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return null; } };

let leakedFd = -1;
let leakedTarget: string | null = null;
let leakedRepr = '';
let closedFd = -1;
let detachedFd = -1;
let detachedTarget: string | null = null;

(function makeGarbage() {
  const leaked = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  leakedFd = leaked.fileno();
  leakedTarget = target(leakedFd);
  leakedRepr = String(leaked);
  const closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  closedFd = closed.fileno();
  closed.close();
  const detached = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  detachedTarget = target(detached.fileno());
  detachedFd = detached.detach();
})();

async function main() {
  for (let i = 0; i < 100 && warnings.length === 0; i++) {
    (globalThis as any).gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  // A little longer, in case a second (wrong) warning is on its way.
  for (let i = 0; i < 5; i++) {
    (globalThis as any).gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log(JSON.stringify({
    warnings,
    leakedFd, leakedTarget, leakedRepr, leakedAfter: target(leakedFd),
    closedFd,
    detachedFd, detachedTarget, detachedAfter: target(detachedFd),
  }));
}
main();
`;

describe('finalizer (test_dealloc_warn)', () => {
  let result: any = null;
  async function run(): Promise<any> {
    if (result) return result;
    result = await childResult(CHILD, 20_000);
    return result;
  }

  it('a collected open socket emits one ResourceWarning via process.emitWarning (test_dealloc_warn)', async () => {
    const r = await run();
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].name).toBe('ResourceWarning');
    expect(
      r.warnings[0].message.startsWith(`unclosed <socket.socket fd=${r.leakedFd}, family=2, type=1, proto=0`),
    ).toBe(true);
  });

  it('the collected socket fd is really closed (test_dealloc_warn, fd closed)', async () => {
    const r = await run();
    expect(r.leakedTarget).toMatch(/^socket:\[\d+\]$/);
    expect(r.leakedAfter).not.toBe(r.leakedTarget);
  });

  it("the warning text is 'unclosed ' + repr(sock), as Python's (test_dealloc_warn, message)", async () => {
    const r = await run();
    expect(r.warnings[0]?.message).toBe(`unclosed ${r.leakedRepr}`);
  });

  it('closed and detached sockets are not warned about; a detached fd stays open (finalizer, closed/detached)', async () => {
    const r = await run();
    for (const w of r.warnings) {
      expect(w.message).not.toContain(`fd=${r.closedFd},`);
      expect(w.message).not.toContain(`fd=${r.detachedFd},`);
    }
    expect(r.detachedAfter).toBe(r.detachedTarget);
  });
});

/** Runs `source` in a `node --expose-gc` child and returns the JSON object it prints. */
async function childResult(source: string, ms: number): Promise<any> {
  const child = runTsChild(source, ['--expose-gc']);
  try {
    const line = await child.line(ms);
    const { code, stderr } = await within(child.exit, 10_000, 'child exit');
    expect(code, stderr).toBe(0);
    return JSON.parse(line);
  } finally {
    child.kill('SIGKILL');
  }
}

// Opening and closing sockets in one synchronous loop (no task in between, so no
// finalizer cleanup can run) must not accumulate memory: a closed socket keeps no
// registry cell. Measured as V8 heapUsed after a forced full GC, within the same loop turn.
const CYCLES_CHILD = `
import * as socket from 'LIB';

const gc = (globalThis as any).gc as () => void;
function cycles(n: number): void {
  for (let i = 0; i < n; i++) socket.socket(socket.AF_INET, socket.SOCK_STREAM).close();
}
cycles(2000);
gc();
gc();
const before = process.memoryUsage().heapUsed;
cycles(200_000);
gc();
gc();
const after = process.memoryUsage().heapUsed;
console.log(JSON.stringify({ before, after }));
`;

describe('finalizer, many sockets', () => {
  it('200,000 open/close cycles without yielding leave no garbage the GC cannot collect (finalizer, no cell per closed socket)', async () => {
    const { before, after } = await childResult(CYCLES_CHILD, 120_000);
    // One registry cell and state per closed socket would be about 150 B each: 30 MB.
    expect(after - before).toBeLessThan(4 * 1024 * 1024);
  });
});

// A new socket is registered with the finalizer once it has lived about 50 ms, or when 64
// wait (lib/finalizer.ts); one closed first is never registered. Sockets made and closed in
// any order within one task, more than 64 of them, two of them leaked: exactly the two
// leaked ones are warned about and closed, and the sockets that reuse the closed ones'
// fd numbers stay open.
const ORDER_CHILD = `
import * as socket from 'LIB';
import * as fs from 'node:fs';

const warnings: string[] = [];
process.on('warning', (w) => { if (w.name === 'ResourceWarning') warnings.push(w.message); });
const target = (fd: number) => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return null; } };

const leaked: number[] = [];
const reused: { fd: number; before: string | null; s: socket.socket }[] = [];
(function makeGarbage() {
  const socks: socket.socket[] = [];
  for (let i = 0; i < 100; i++) socks.push(socket.socket(socket.AF_INET, socket.SOCK_STREAM));
  for (let i = 0; i < 100; i++) {
    if (i === 10 || i === 90) leaked.push(socks[i].fileno());
    else socks[i].close();
  }
  for (let i = 0; i < 20; i++) {
    const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    reused.push({ fd: s.fileno(), before: target(s.fileno()), s });
  }
})();

async function main() {
  for (let i = 0; i < 100 && warnings.length < 2; i++) {
    (globalThis as any).gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  for (let i = 0; i < 5; i++) {
    (globalThis as any).gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  const reusedOpen = reused.filter((r) => r.before !== null && target(r.fd) === r.before).length;
  console.log(JSON.stringify({ warnings, leaked, leakedAfter: leaked.map(target), reusedOpen }));
  for (const r of reused) r.s.close();
}
main();
`;

describe('finalizer, sockets closed within their task', () => {
  it('100 sockets made and closed in one task in creation order, two leaked: only those two are warned about and closed; reused fds stay open (finalizer, deferred registration)', async () => {
    const r = await childResult(ORDER_CHILD, 20_000);
    expect(r.warnings).toHaveLength(2);
    const fds = r.warnings
      .map((w: string) => Number(/fd=(\d+),/.exec(w)?.[1]))
      .sort((a: number, b: number) => a - b);
    expect(fds).toEqual([...r.leaked].sort((a: number, b: number) => a - b));
    for (const t of r.leakedAfter) expect(t === null || !t.startsWith('socket:')).toBe(true);
    expect(r.reusedOpen).toBe(20);
  });
});

// An accepted AsyncSocket gets a Socket made for it (aio/socket.ts, Socket._unwatched): the finalizer
// watches the AsyncSocket itself, and closes it with the same warning when it leaks.
const ACCEPTED_CHILD = `
import * as socket from 'LIB';
import * as fs from 'node:fs';

const warnings: string[] = [];
process.on('warning', (w) => { if (w.name === 'ResourceWarning') warnings.push(w.message); });
const target = (fd: number) => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return null; } };

async function main() {
  const ls = socket.aio.socket(socket.AF_INET, socket.SOCK_STREAM);
  await ls.bind(['127.0.0.1', 0]);
  ls.listen(4);
  const client = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  client.connect(ls.getsockname() as [string, number]);
  let fd = -1;
  let before: string | null = null;
  await (async () => {
    const [conn] = await ls.accept();
    fd = conn.fileno();
    before = target(fd);
  })();
  for (let i = 0; i < 100 && warnings.length === 0; i++) {
    (globalThis as any).gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log(JSON.stringify({ warnings, fd, before, after: target(fd) }));
  client.close();
  ls.close();
}
main();
`;

describe('finalizer, accepted AsyncSocket', () => {
  it('a leaked accepted AsyncSocket is closed by the finalizer with a ResourceWarning (finalizer, aio accept)', async () => {
    const r = await childResult(ACCEPTED_CHILD, 20_000);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].startsWith(`unclosed <socket.socket fd=${r.fd}, family=2, type=1, proto=0`)).toBe(
      true,
    );
    expect(r.before).toMatch(/^socket:\[\d+\]$/);
    expect(r.after).not.toBe(r.before);
  });
});

// The registry holds the fd, family, type and proto as one number (an object when they do
// not fit: an AF_PACKET proto above 16 bits), not the socket: the state is the Socket
// itself. A socket dropped right after a blocking call is still collected (the blocking
// runner's reused record lets go of it), and each warning is 'unclosed ' + the repr the
// socket had, proto included.
const HELD_CHILD = `
import * as socket from 'LIB';
import * as fs from 'node:fs';

const warnings: string[] = [];
process.on('warning', (w) => { if (w.name === 'ResourceWarning') warnings.push(w.message); });
const target = (fd: number) => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return null; } };
const packet = PACKET;

const reprs: string[] = [];
const fds: number[] = [];
(function makeGarbage() {
  const [a, b] = socket.socketpair();
  b.sendall(Buffer.from('x'));
  if (a.recv(1).toString() !== 'x') throw new Error('recv');
  b.close();
  const udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP);
  const leak = [a, udp];
  if (packet) leak.push(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0x10000));
  for (const s of leak) {
    reprs.push('unclosed ' + String(s));
    fds.push(s.fileno());
  }
})();

async function main() {
  for (let i = 0; i < 100 && warnings.length < reprs.length; i++) {
    (globalThis as any).gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log(JSON.stringify({ warnings: warnings.sort(), reprs: reprs.sort(), after: fds.map(target) }));
}
main();
`;

describe('finalizer, what it holds', () => {
  it('a socket dropped after a blocking call is closed with its repr; proto 17 and a 17-bit AF_PACKET proto are kept (finalizer, held value)', async () => {
    const r = await childResult(HELD_CHILD.replace('PACKET', String(!RAW.skip)), 20_000);
    expect(r.reprs).toHaveLength(RAW.skip ? 2 : 3);
    expect(r.warnings).toEqual(r.reprs);
    expect(r.reprs.some((t: string) => t.includes('type=2, proto=17'))).toBe(true);
    if (!RAW.skip) expect(r.reprs.some((t: string) => t.includes('proto=65536'))).toBe(true);
    for (const t of r.after) expect(t === null || !t.startsWith('socket:')).toBe(true);
  });
});

// An AsyncSocket that has waited once keeps its engine slot while idle. Collected unclosed,
// the finalizer knows only its fd number, and frees the slot through the engine's fd table.
const SLOT_CHILD = `
import * as socket from 'LIB';
import { native } from 'LIB/../native';
import * as fs from 'node:fs';

const warnings: string[] = [];
process.on('warning', (w) => { if (w.name === 'ResourceWarning') warnings.push(w.message); });
const target = (fd: number) => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return null; } };

async function main() {
  const base = native.engine_stats()[0];
  let fd = -1;
  let before: string | null = null;
  await (async () => {
    const [a, b] = socket.aio.socketpair();
    const got = a.recv_into(Buffer.alloc(4));
    b.send(Buffer.from('x'));
    if ((await got) !== 1) throw new Error('recv_into');
    b.close();
    fd = a.fileno();
    before = target(fd);
  })();
  const held = native.engine_stats()[0];
  for (let i = 0; i < 100 && warnings.length === 0; i++) {
    (globalThis as any).gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log(JSON.stringify({ warnings, fd, before, after: target(fd), base, held, freed: native.engine_stats()[0] }));
}
main();
`;

describe('finalizer, async socket with an engine slot', () => {
  it('a leaked AsyncSocket that waited once is closed and its engine slot freed (finalizer, slot by fd)', async () => {
    const r = await childResult(SLOT_CHILD, 20_000);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].startsWith(`unclosed <socket.socket fd=${r.fd}, family=1, type=1, proto=0`)).toBe(
      true,
    );
    expect(r.held).toBe(r.base + 1);
    expect(r.freed).toBe(r.base);
    expect(r.before).toMatch(/^socket:\[\d+\]$/);
    expect(r.after).not.toBe(r.before);
  });
});

// The factories that make an fd and then a socket object for it: if anything throws in
// between (in practice a RangeError for the stack, when the call comes at the stack's
// limit, since V8 checks it on entering each JS function), the fd must be closed, and the
// sockets made next must be what was asked for.
// The failure is injected right after the system call: a getter on the listening (or
// duplicated) socket's family, read when the new socket is made, throws once after the
// native function has returned an fd; for socketpair, the index of the pair that is read
// first.
const INJECTED_CHILD = `
import * as socket from 'LIB';
import * as aio from 'LIB/../aio';
import { native } from 'LIB/../native';
import { FAMILY } from 'LIB/../state';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

const fdCount = () => fs.readdirSync('/proc/self/fd').length;
const n = native as any;
let armed = false;
let made = -1;
for (const name of ['accept', 'engine_accept', 'dup']) {
  const orig = n[name];
  n[name] = (...args: unknown[]) => {
    const r = orig(...args);
    const fd = typeof r === 'number' ? r : Array.isArray(r) ? r[0] : -1;
    if (fd >= 0 && armed) made = fd;
    return r;
  };
}
const origPair = n.socketpair;
n.socketpair = (...args: unknown[]) => {
  const [a, b] = origPair(...args);
  if (!armed) return [a, b];
  made = a;
  let first = true;
  const pair = [undefined, b];
  Object.defineProperty(pair, 0, { get() { if (first) { first = false; throw new RangeError('injected'); } return a; } });
  return pair;
};
/** Makes st[FAMILY] throw once, the first time it is read after a factory made an fd. */
function trap(st: any): void {
  const family = st[FAMILY];
  Object.defineProperty(st, FAMILY, {
    configurable: true,
    get() { if (made >= 0 && armed) { armed = false; throw new RangeError('injected'); } return family; },
  });
}
function handoverClean(): boolean {
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const ok1 = u.type === socket.SOCK_DGRAM && u.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) === socket.SOCK_DGRAM;
  const v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const a = new aio.AsyncSocket(v);
  const ok2 = a.fileno() === v.fileno();
  u.close();
  a.close();
  return ok1 && ok2;
}
async function attempt(name: string, fn: () => unknown) {
  const before = fdCount();
  armed = true;
  made = -1;
  let error = '';
  try { await fn(); } catch (e: any) { error = e.message; }
  armed = false;
  let madeOpen = false;
  try { fs.readlinkSync('/proc/self/fd/' + made); madeOpen = true; } catch { /* closed */ }
  return { name, error, made: made >= 0, madeOpen, grew: fdCount() - before, clean: handoverClean() };
}

async function main() {
  const ls = socket.socket();
  ls.bind(['127.0.0.1', 0]);
  ls.listen(16);
  const als = aio.socket();
  await als.bind(['127.0.0.1', 0]);
  als.listen(16);
  const ports = [ls.getsockname()[1], als.getsockname()[1]];
  // The connecting side in a process of its own: a connection closed here must not close
  // an fd of this process.
  const peer = spawn(process.execPath, ['-e', \`
const net = require('node:net');
const all = [];
for (const port of \${JSON.stringify(ports)}) for (let i = 0; i < 2; i++) all.push(net.connect(port, '127.0.0.1').on('error', () => {}));
setTimeout(() => {}, 60000);\`], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const ss = fs.readFileSync('/proc/net/tcp', 'utf8');
    if (ss.split('\\n').filter((l) => / 01 /.test(l)).length >= 8) break; // ESTABLISHED, both ends
  }
  trap(ls);
  trap(als._state());
  const results = [];
  results.push(await attempt('accept', () => ls.accept()));
  results.push(await attempt('aio accept', () => als.accept()));
  const orig = socket.socket();
  trap(orig);
  results.push(await attempt('dup', () => orig.dup()));
  results.push(await attempt('socketpair', () => socket.socketpair()));
  // After the failure each factory still works, and takes the next connection.
  const [c1] = ls.accept();
  const [c2] = await als.accept();
  const after = { accept: c1.fileno() >= 0, aioAccept: c2.fileno() >= 0 };
  for (const s of [c1, c2, orig, ls, als]) s.close();
  peer.kill('SIGKILL');
  console.log(JSON.stringify({ results, after }));
}
void main();
`;

describe('finalizer, a factory that fails after its system call', () => {
  it('accept, aio accept, dup and socketpair close the new fd when making the socket throws, and the next sockets are sound', async () => {
    const { results, after } = await childResult(INJECTED_CHILD, 30_000);
    expect(results.map((r: { name: string }) => r.name)).toEqual([
      'accept',
      'aio accept',
      'dup',
      'socketpair',
    ]);
    for (const r of results) {
      expect(r.error, r.name).toBe('injected');
      expect(r.made, r.name).toBe(true);
      expect(r.madeOpen, r.name).toBe(false);
      expect(r.grew, r.name).toBe(0);
      expect(r.clean, r.name).toBe(true);
    }
    expect(after).toEqual({ accept: true, aioAccept: true });
  });
});

// A constructor that fails at its very entry (the stack's limit) after its factory has set
// up what it hands the constructor: the next socket must still be the one asked for. dup()
// and aio.socket() are called at each stack depth from the limit up, and after each
// RangeError a fresh socket.socket(AF_INET, SOCK_DGRAM) and a new AsyncSocket over a given
// Socket are checked.
const HANDOVER_CHILD = `
import * as socket from 'LIB';
import * as aio from 'LIB/../aio';
import * as fs from 'node:fs';

function at(depth: number, fn: () => void): void { if (depth > 0) return at(depth - 1, fn); fn(); }
const fits = (d: number) => { try { at(d, () => {}); return true; } catch { return false; } };
function search(): number {
  let lo = 0;
  let hi = 1 << 20;
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (fits(m)) lo = m; else hi = m; }
  return lo;
}
/** The deepest at() that fits, once the JIT has settled on its frame (searched until stable). */
function top(): number {
  let d = search();
  for (let i = 0; i < 10; i++) {
    const e = search();
    if (e === d) break;
    d = e;
  }
  return d;
}
function sound(): boolean {
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const a = new aio.AsyncSocket(v);
  const ok = u.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) === socket.SOCK_DGRAM && a.fileno() === v.fileno();
  u.close();
  a.close();
  v.close();
  return ok;
}
const fds = () => fs.readdirSync('/proc/self/fd').length;
/** Calls make() at each depth from the stack's limit up, until it has worked 100 times. */
function scan(make: () => { close(): void }) {
  const r = { failures: 0, unsound: 0, leaked: 0 };
  const before = fds();
  const kept: { close(): void }[] = [];
  const d = top();
  for (let k = 0, worked = 0; k < 3000 && k <= d && worked < 100; k++) {
    try {
      at(d - k, () => { kept.push(make()); });
      worked++;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      r.failures++;
      if (!sound()) r.unsound++;
    }
  }
  for (const s of kept) s.close();
  r.leaked = fds() - before;
  return r;
}
async function main() {
  const orig = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  const out = { dup: scan(() => orig.dup()), 'aio socket': scan(() => aio.socket()) };
  orig.close();
  console.log(JSON.stringify(out));
}
void main();
`;

describe('finalizer, a constructor that fails at its entry', () => {
  it('dup and aio socket called at every depth near the stack limit: the next socket and AsyncSocket are the ones asked for', async () => {
    const r = await childResult(HANDOVER_CHILD, 60_000);
    for (const name of ['dup', 'aio socket']) {
      expect(r[name].failures, name).toBeGreaterThan(0);
      expect(r[name].unsound, name).toBe(0);
    }
    // dup closes an fd no socket took (aio.socket's window is left: see the closing note).
    expect(r.dup.leaked).toBe(0);
  });
});
