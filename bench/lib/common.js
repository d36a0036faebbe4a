'use strict';
// Shared plumbing of the Node-based benchmark programs (bench/node, bench/blocking,
// bench/async): command line, spawning and reaping the peer, the result line, RSS.
//
// A program is started as `node <file> <scenario> <role> [--key value ...]` and, in the
// main role, prints exactly one JSON line on stdout (see bench/run.js).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/**
 * @typedef {typeof DEFAULTS & { scenario: string, role: string }} Options  the parsed command line
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null }} Exit
 * @typedef {import('node:child_process').ChildProcess & { exited: Promise<Exit> }} Peer  a child with its exit as a promise
 */

const DEFAULTS = {
  count: 100000,
  bytes: 2 ** 31,
  chunk: 65536,
  size: 64,
  warmup: 0,
  batch: 32,
  conns: 16,
  rcvbuf: 4 << 20,
  seconds: 30,
  duration: 3,
  settle: 1,
  port: 0,
  variant: '',
};

/**
 * Parses `<scenario> <role> --key value ...` into { scenario, role, ...options }.
 * @returns {Options}
 */
function parseArgs(argv = process.argv.slice(2)) {
  const [scenario, role = 'main', ...rest] = argv;
  if (!scenario) throw new Error('usage: <scenario> <main|peer> [--key value ...]');
  const o = { ...DEFAULTS, scenario, role };
  /** @type {Record<string, unknown>} */
  const defaults = DEFAULTS;
  /** @type {Record<string, unknown>} */
  const byName = o;
  for (let i = 0; i + 1 < rest.length; i += 2) {
    const k = rest[i].replace(/^--/, '');
    const v = rest[i + 1];
    byName[k] = typeof defaults[k] === 'number' ? Number(v) : v;
  }
  return o;
}

/** Monotonic seconds. */
function now() {
  return Number(process.hrtime.bigint()) / 1e9;
}

/**
 * Adds `taskset -c $BENCH_PEER_CPU` in front of a command when the runner asks for it.
 * @param {string} cmd
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
function pinned(cmd, args) {
  const cpu = process.env.BENCH_PEER_CPU;
  return cpu ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
}

/**
 * Starts the peer of this program: the same file, role `peer`, with `opts` (the port
 * included). Its stdout goes to our stderr so that it never mixes with the JSON line.
 * @param {string} file
 * @param {Options} o
 * @param {Record<string, string | number>} [extra]
 */
function spawnPeer(file, o, extra = {}) {
  const args = [...process.execArgv, file, o.scenario, 'peer'];
  for (const [k, v] of Object.entries({ ...o, ...extra })) {
    if (k === 'scenario' || k === 'role') continue;
    args.push(`--${k}`, String(v));
  }
  return spawnCmd(process.execPath, args);
}

/**
 * Starts any command as a peer (stdout to our stderr unless `stdout` is 'pipe').
 * @param {string} cmd
 * @param {string[]} args
 * @param {number | 'pipe'} [stdout]
 * @returns {Peer}
 */
function spawnCmd(cmd, args, stdout = 2) {
  const [c, a] = pinned(cmd, args);
  const child = /** @type {Peer} */ (spawn(c, a, { stdio: ['ignore', stdout, 'inherit'] }));
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.on('error', (e) => {
    process.stderr.write(`cannot start ${cmd}: ${e.message}\n`);
  });
  return child;
}

/**
 * Waits for the peer to exit; kills it after `graceSeconds`. Resolves to the exit code.
 * @param {Peer} child
 */
async function reap(child, graceSeconds = 10) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  /** @type {Promise<{ code: number, signal: NodeJS.Signals }>} */
  const killed = new Promise((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: -1, signal: 'SIGKILL' });
    }, graceSeconds * 1000);
  });
  const r = await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  if (r.code === -1) await child.exited;
  return r.code;
}

/**
 * The port a socket is bound to (an AF_INET address is [host, port]).
 * @param {{ getsockname(): unknown }} s
 */
function portOf(s) {
  return /** @type {[string, number]} */ (s.getsockname())[1];
}

/**
 * Prints the result line.
 * @param {string} impl
 * @param {{ scenario: string }} o
 * @param {number} value
 * @param {string} unit
 * @param {number} ops
 * @param {number} seconds
 * @param {Record<string, unknown>} [extra]
 */
function emit(impl, o, value, unit, ops, seconds, extra = {}) {
  process.stdout.write(
    JSON.stringify({ impl, scenario: o.scenario, value, unit, ops, seconds, ...extra }) + '\n',
  );
}

/** VmRSS of this process in kB, from /proc/self/status. */
function vmRssKb() {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : -1;
}

/** A full garbage collection when node runs with --expose-gc (the runner passes it). */
function fullGc() {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The path of the wrk binary the runner found. */
function wrkPath() {
  return process.env.BENCH_WRK || 'wrk';
}

/** The client of idle-conns (the C program), shared by every implementation. */
function idleClientPath() {
  return process.env.BENCH_IDLE_CLIENT || path.join(__dirname, '..', 'out', 'bench');
}

/**
 * Awaits `roundtrip` o.warmup times, then up to o.count times, stopping early once
 * o.seconds have passed (checked every 1,024 round trips): how many ran in the measured
 * part, and over how many seconds.
 * @param {{ warmup: number, count: number, seconds: number }} o
 * @param {() => Promise<void>} roundtrip
 * @returns {Promise<{ n: number, seconds: number }>}
 */
async function timeRoundTrips(o, roundtrip) {
  for (let i = 0; i < o.warmup; i++) await roundtrip();
  const t0 = now();
  let n = 0;
  while (n < o.count) {
    await roundtrip();
    n++;
    if ((n & 1023) === 0 && now() - t0 > o.seconds) break;
  }
  return { n, seconds: now() - t0 };
}

/**
 * Starts wrk against 127.0.0.1:port; resolves to its whole report once it exits.
 * @param {Options} o
 * @param {number} port
 * @returns {Promise<string>}
 */
function runWrk(o, port) {
  const child = spawnCmd(
    wrkPath(),
    ['-t1', `-c${o.conns}`, `-d${o.duration}s`, '--timeout', '5s', `http://127.0.0.1:${port}/`],
    'pipe',
  );
  let out = '';
  const stdout = /** @type {import('node:stream').Readable} */ (child.stdout); // a pipe, as asked
  stdout.setEncoding('utf8');
  stdout.on('data', (d) => (out += d));
  return child.exited.then(() => out);
}

/**
 * The figures of a wrk report: { value (requests/s), ops, extra }.
 * @param {string} report
 */
function parseWrk(report) {
  const m = /Requests\/sec:\s+([\d.]+)/.exec(report);
  if (!m) throw new Error(`no Requests/sec in wrk's report:\n${report}`);
  const reqs = /(\d+) requests in /.exec(report);
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(report);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(report);
  return {
    value: Number(m[1]),
    ops: reqs ? Number(reqs[1]) : 0,
    extra: {
      socket_errors: se ? se.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      non2xx: non2xx ? Number(non2xx[1]) : 0,
    },
  };
}

const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!',
);
const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Counts complete requests (ends of headers) in `data`, carrying an unfinished tail
 * between reads in `state.tail`. Requests have no body (wrk sends GETs).
 * @param {{ tail: Buffer | null }} state
 * @param {Buffer} data
 */
function countRequests(state, data) {
  let buf = data;
  if (state.tail) {
    buf = Buffer.concat([state.tail, data]);
    state.tail = null;
  }
  let n = 0;
  let pos = 0;
  for (;;) {
    const i = buf.indexOf(CRLFCRLF, pos);
    if (i < 0) break;
    n++;
    pos = i + 4;
  }
  if (pos < buf.length) state.tail = Buffer.from(buf.subarray(pos));
  return n;
}

/**
 * The data a UDP sender's end marker carries: 0xEE + the count sent (u64 LE).
 * @param {number} sent
 */
function endMarker(sent) {
  const b = Buffer.alloc(9);
  b[0] = 0xee;
  b.writeBigUInt64LE(BigInt(sent), 1);
  return b;
}

/**
 * The count an end marker carries, or -1 when `b` (its first `len` bytes) is not one.
 * @param {Buffer} b
 */
function parseEndMarker(b, len = b.length) {
  if (len === 9 && b[0] === 0xee) return Number(b.readBigUInt64LE(1));
  return -1;
}

/**
 * A UDP receiver's summary, from the counts and the times of the first and last data.
 * @param {string} impl
 * @param {Options} o
 * @param {number} received
 * @param {number} sent
 * @param {number} tFirst
 * @param {number} tLast
 */
function udpResult(impl, o, received, sent, tFirst, tLast) {
  if (received < 2) throw new Error(`too few datagrams received (${received})`);
  const secs = tLast - tFirst;
  emit(impl, o, (received - 1) / secs, 'datagrams/s', received, secs, {
    sent,
    received,
    loss: sent > 0 ? 1 - received / sent : -1,
  });
}

/**
 * A UDP receiver's bookkeeping: datagrams of `size` bytes are counted and timed, the 9-byte
 * end marker gives the sender's count, and a 1-byte hello is answered with `go()`.
 */
class UdpTally {
  /**
   * @param {number} size
   * @param {() => void} go
   */
  constructor(size, go) {
    this.size = size;
    this.go = go;
    this.received = 0;
    this.sent = -1;
    this.tFirst = 0;
    this.tLast = 0;
  }

  /**
   * @param {Buffer} b
   * @param {number} len
   * @param {number} t
   */
  add(b, len, t) {
    if (len === this.size) {
      if (this.received++ === 0) this.tFirst = t;
      this.tLast = t;
    } else if (len === 9) {
      this.sent = parseEndMarker(b, len);
    } else if (len === 1) {
      this.go();
    }
  }

  /**
   * One recvmmsg_into batch: `count` datagrams at `stride`-byte slots of `big`, lengths in `sizes`.
   * @param {Buffer} big
   * @param {number} stride
   * @param {ArrayLike<number>} sizes
   * @param {number} count
   * @param {number} t
   */
  addBatch(big, stride, sizes, count, t) {
    for (let i = 0; i < count; i++) {
      const len = sizes[i];
      this.add(len === this.size ? big : big.subarray(i * stride, i * stride + len), len, t);
    }
  }

  /**
   * @param {string} impl
   * @param {Options} o
   */
  report(impl, o) {
    udpResult(impl, o, this.received, this.sent, this.tFirst, this.tLast);
  }
}

/** V8 heapUsed in bytes (call after fullGc()). */
function heapUsed() {
  return process.memoryUsage().heapUsed;
}

/**
 * The idle-conns summary; heap0/heap1 (V8 heapUsed) separate retained JS objects from the rest of RSS.
 * @param {string} impl
 * @param {Options} o
 * @param {number} rss0
 * @param {number} rss1
 * @param {number} n
 * @param {number} secs
 * @param {number} [heap0]
 * @param {number} [heap1]
 */
function idleResult(impl, o, rss0, rss1, n, secs, heap0, heap1) {
  /** @type {Record<string, number>} */
  const extra = { rss_before_kb: rss0, rss_after_kb: rss1, conns: n };
  if (heap0 !== undefined && heap1 !== undefined) extra.heap_used_per_conn = (heap1 - heap0) / n;
  emit(impl, o, ((rss1 - rss0) * 1024) / n, 'B/conn', n, secs, extra);
}

/**
 * Starts the echo-many client (the C program shared by every server) against port;
 * resolves to its figures (a JSON object's inside) once it exits.
 * @param {Options} o
 * @param {number} port
 * @returns {Promise<Record<string, number>>}
 */
function runEchoClient(o, port) {
  const args = ['echo-many', 'client', '--port', String(port), '--conns', String(o.conns), '--size'];
  args.push(String(o.size), '--duration', String(o.duration), '--settle', String(o.settle));
  const child = spawnCmd(idleClientPath(), [...args, '--seconds', String(o.seconds)], 'pipe');
  let out = '';
  const stdout = /** @type {import('node:stream').Readable} */ (child.stdout);
  stdout.setEncoding('utf8');
  stdout.on('data', (d) => (out += d));
  return child.exited.then(({ code }) => {
    if (code !== 0 || !out.trim()) throw new Error(`the echo-many client failed (exit ${code})`);
    return JSON.parse(`{${out.trim().split('\n')[0]}}`);
  });
}

/**
 * The echo-many line: the client's figures under this implementation's name.
 * @param {string} impl
 * @param {Options} o
 * @param {Record<string, number>} figures
 */
function echoResult(impl, o, figures) {
  process.stdout.write(JSON.stringify({ impl, scenario: o.scenario, ...figures }) + '\n');
}

/**
 * Runs an async main and turns any failure into a message and exit code 2 (null: nothing
 * to run, exit 0).
 * @param {(() => unknown) | null} fn
 */
function run(fn) {
  Promise.resolve()
    .then(fn)
    .then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`${(e && e.stack) || e}\n`);
        process.exit(2);
      },
    );
}

module.exports = {
  timeRoundTrips,
  parseArgs,
  now,
  spawnPeer,
  spawnCmd,
  reap,
  portOf,
  emit,
  vmRssKb,
  heapUsed,
  fullGc,
  sleep,
  idleClientPath,
  runWrk,
  parseWrk,
  RESPONSE,
  countRequests,
  endMarker,
  parseEndMarker,
  udpResult,
  UdpTally,
  idleResult,
  runEchoClient,
  echoResult,
  run,
};
