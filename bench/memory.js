#!/usr/bin/env node
'use strict';
// Profiling aid for idle-conns: what one held socket costs, layer by layer.
//
//   node --expose-gc bench/memory.js [count]
//
// For each layer it creates `count` sockets (AF_UNIX socketpairs: no ports needed), keeps
// them, and reports per socket: the V8 heap used (after a full GC), the RSS, and the RSS
// not in the V8 heap (malloc: native state, libuv handles). Numbers are deltas against
// the state just before the step, divided by the sockets created.
const path = require('node:path');

/** @type {typeof import('../lib/index')} */
const socket = require(path.join(__dirname, '..', 'dist', 'index.js'));
/** @type {typeof import('../lib/aio')} */
const aio = require(path.join(__dirname, '..', 'dist', 'aio.js'));
const fs = require('node:fs');

const N = Math.min(Number(process.argv[2] || 3000), 3000); // 5 steps x N fds must fit RLIMIT_NOFILE
if (typeof global.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const gc = global.gc;

function rssKb() {
  const m = /** @type {RegExpExecArray} */ (
    /VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))
  );
  return Number(m[1]);
}

function snap() {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, total: m.heapTotal, rss: rssKb() * 1024 };
}

/** @type {unknown[]} */
const keep = [];
/** @type {[string, number, number, number, number][]} */
const rows = [];
/**
 * Measures what `fn` allocates, per object it reports to have made.
 * @param {string} name
 * @param {() => number} fn  makes the objects, returns how many
 */
async function step(name, fn) {
  await new Promise((r) => setTimeout(r, 10));
  const a = snap();
  const made = await fn();
  await new Promise((r) => setTimeout(r, 10));
  const b = snap();
  const per = (/** @type {number} */ x) => Math.round(x / made);
  rows.push([
    name,
    per(b.heap - a.heap),
    per(b.total - a.total),
    per(b.rss - a.rss),
    per(b.rss - a.rss - (b.total - a.total)),
  ]);
}

(async () => {
  // Warm up the code paths (first-use allocations are not per socket).
  for (let i = 0; i < 50; i++) {
    const [x, y] = socket.socketpair();
    const ax = aio.from_stdlib_socket(x);
    ax.recv_into(Buffer.alloc(8)).catch(() => {});
    x.close();
    y.close();
  }
  await step('plain fd pairs (native.socketpair, no JS object)', () => {
    const { native } = require(path.join(__dirname, '..', 'dist', 'native.js'));
    for (let i = 0; i < N / 2; i++) keep.push(native.socketpair(1, 1, 0));
    return N;
  });
  await step('blocking Socket (socket.socketpair)', () => {
    for (let i = 0; i < N / 2; i++) keep.push(socket.socketpair());
    return N;
  });
  /** @type {[import('../lib/index').Socket, import('../lib/index').Socket][]} */
  const pairs = [];
  for (let i = 0; i < N / 2; i++) pairs.push(socket.socketpair());
  /** @type {import('../lib/aio').AsyncSocket[]} */
  const asyncs = [];
  await step('AsyncSocket over a Socket (wrapper only)', () => {
    for (const [x] of pairs) asyncs.push(aio.from_stdlib_socket(x));
    return pairs.length;
  });
  await step('  + one pending recv_into (waiter, promise, uv_poll_t)', () => {
    const shared = Buffer.alloc(16); // one buffer for all: only the library's cost is counted
    for (const a of asyncs) a.recv_into(shared).catch(() => {});
    return asyncs.length;
  });
  /** @type {import('../lib/aio').AsyncSocket[]} */
  const more = [];
  for (let i = 0; i < N / 2; i++) {
    const pair = socket.socketpair();
    keep.push(pair);
    more.push(aio.from_stdlib_socket(pair[0]));
  }
  await step('  + one pending recv(1024) instead (buffer allocated up front)', () => {
    for (const a of more) a.recv(1024).catch(() => {});
    return more.length;
  });
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`per socket (${N} sockets a step; deltas after a full GC)`);
  console.log(`${''.padEnd(w)}  heapUsed heapTotal      RSS  RSS-heapTotal (malloc)`);
  for (const [name, heap, total, rss, other] of rows) {
    const f = (/** @type {number} */ x) => `${String(x).padStart(7)} B`;
    console.log(`${name.padEnd(w)}  ${f(heap)} ${f(total)} ${f(rss)} ${f(other)}`);
  }
  process.exit(0);
})();
