'use strict';
// bsdsock's blocking API (Python's socket module shape) on the benchmark scenarios.
// Usage: node bench/blocking/bench.js <scenario> <main|peer> [--key value ...]
//
// Both ends use the blocking API: main in this process, its peer in a child process
// running this same file (http-hello: worker threads, one per wrk connection, blocking on
// a shared listening socket). Buffers are reused with recv_into, as a performance-aware
// user of Python's socket module would.
const path = require('node:path');
const c = require('../lib/common');

// The compiled library (bench/run.js builds dist/ when lib/ is newer).
/** @type {typeof import('../../lib/index')} */
const socket = require(path.join(__dirname, '..', '..', 'dist', 'index.js'));
/** @type {typeof import('../../lib/selectors')} */
const selectors = require(path.join(__dirname, '..', '..', 'dist', 'selectors.js'));
const {
  AF_INET,
  SOCK_STREAM,
  SOCK_DGRAM,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_RCVTIMEO,
  IPPROTO_TCP,
  TCP_NODELAY,
  SHUT_WR,
} = socket;

/** @typedef {import('../../lib/index').Socket} Socket */

const o = c.parseArgs();
const HOST = '127.0.0.1';
const IMPL = 'blocking';

/**
 * @param {number} backlog
 * @returns {[Socket, number]}
 */
function listener(backlog) {
  const s = socket.socket(AF_INET, SOCK_STREAM);
  s.bind([HOST, 0]);
  s.listen(backlog);
  return [s, c.portOf(s)];
}

/** @param {number} port */
function connect(port) {
  const s = socket.socket(AF_INET, SOCK_STREAM);
  s.connect([HOST, port]);
  return s;
}

// ---- tcp-pingpong ----------------------------------------------------------------------

async function pingpongMain() {
  const [ls, port] = listener(16);
  const peer = c.spawnPeer(__filename, o, { port });
  const [conn] = ls.accept();
  ls.close();
  conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  const size = o.size;
  const msg = Buffer.alloc(size);
  const buf = Buffer.alloc(size);
  const roundtrip = () => {
    conn.sendall(msg);
    let got = 0;
    while (got < size) {
      const n = conn.recv_into(got === 0 ? buf : buf.subarray(got));
      if (n === 0) throw new Error('peer closed');
      got += n;
    }
  };
  for (let i = 0; i < o.warmup; i++) roundtrip();
  const t0 = c.now();
  let n = 0;
  while (n < o.count) {
    roundtrip();
    n++;
    if ((n & 1023) === 0 && c.now() - t0 > o.seconds) break;
  }
  const t1 = c.now();
  conn.close();
  if ((await c.reap(peer)) !== 0) throw new Error('peer failed');
  c.emit(IMPL, o, n / (t1 - t0), 'round trips/s', n, t1 - t0);
}

async function pingpongPeer() {
  const conn = connect(o.port);
  conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  const buf = Buffer.alloc(o.size);
  for (;;) {
    const n = conn.recv_into(buf);
    if (n === 0) break;
    conn.sendall(n === buf.length ? buf : buf.subarray(0, n));
  }
  conn.close();
}

// ---- tcp-bulk --------------------------------------------------------------------------

async function bulkMain() {
  const [ls, port] = listener(16);
  const peer = c.spawnPeer(__filename, o, { port });
  const [conn] = ls.accept();
  ls.close();
  const chunk = Buffer.alloc(o.chunk);
  let sent = 0;
  let writes = 0;
  const t0 = c.now();
  while (sent < o.bytes) {
    conn.sendall(chunk);
    sent += chunk.length;
    if ((++writes & 1023) === 0 && c.now() - t0 > o.seconds) break;
  }
  conn.shutdown(SHUT_WR);
  const ack = conn.recv(1);
  if (ack.length !== 1) throw new Error('no ack from the reader');
  const t1 = c.now();
  conn.close();
  if ((await c.reap(peer)) !== 0) throw new Error('peer failed');
  c.emit(IMPL, o, sent / (t1 - t0) / 1e9, 'GB/s', writes, t1 - t0);
}

async function bulkPeer() {
  const conn = connect(o.port);
  const buf = Buffer.alloc(o.chunk);
  while (conn.recv_into(buf) > 0);
  conn.sendall(Buffer.from('k'));
  conn.close();
}

// ---- udp-pps / udp-batched ---------------------------------------------------------------

async function udpMain() {
  const batched = o.scenario === 'udp-batched';
  const s = socket.socket(AF_INET, SOCK_DGRAM);
  s.setsockopt(SOL_SOCKET, SO_RCVBUF, o.rcvbuf);
  s.bind([HOST, 0]);
  const peer = c.spawnPeer(__filename, o, { port: c.portOf(s) });
  // As the C program: blocking mode, bounded by SO_RCVTIMEO (5 s), so a wait sleeps in
  // recv(2) itself; running out raises BlockingIOError, as in CPython.
  const tv = Buffer.alloc(16);
  tv.writeBigInt64LE(5n, 0);
  s.setsockopt(SOL_SOCKET, SO_RCVTIMEO, tv);
  const buf = Buffer.alloc(256);
  const [, addr] = s.recvfrom_into(buf);
  s.connect(addr); // the sender's
  const go = Buffer.from('g');
  s.send(go);
  const deadline = c.now() + o.seconds + 5;
  const tally = new c.UdpTally(o.size, () => s.send(go));
  const big = Buffer.alloc(o.batch * 256);
  const sizes = new Int32Array(o.batch);
  try {
    while (tally.sent < 0) {
      if (batched) {
        // The allocation-free batch: lengths into `sizes`, payloads at i * 256 in `big`.
        const k = s.recvmmsg_into(big, 256, sizes);
        tally.addBatch(big, 256, sizes, k, c.now());
      } else {
        const n = s.recv_into(buf);
        tally.add(buf, n, c.now());
      }
      if ((tally.received & 1023) === 0 && c.now() > deadline) break;
    }
  } catch (e) {
    if (!(e instanceof socket.BlockingIOError)) throw e;
  }
  if (tally.sent >= 0) s.send(Buffer.from('a'));
  s.close();
  await c.reap(peer);
  tally.report(IMPL, o);
}

async function udpPeer() {
  const batched = o.scenario === 'udp-batched';
  const s = socket.socket(AF_INET, SOCK_DGRAM);
  s.connect([HOST, o.port]);
  s.settimeout(0.1);
  const buf = Buffer.alloc(256);
  for (let tries = 0; ; tries++) {
    if (tries > 100) throw new Error('no go from the receiver');
    s.send(Buffer.from('h'));
    try {
      if (s.recv_into(buf) === 1) break;
    } catch (e) {
      if (!(e instanceof socket.timeout)) throw e;
    }
  }
  s.settimeout(null);
  const msg = Buffer.alloc(o.size);
  let sent = 0;
  const t0 = c.now();
  if (batched) {
    const full = new Array(o.batch).fill(msg);
    let calls = 0;
    while (sent < o.count) {
      const left = o.count - sent;
      sent += s.sendmmsg(left >= full.length ? full : full.slice(0, left));
      if ((++calls & 255) === 0 && c.now() - t0 > o.seconds) break;
    }
  } else {
    while (sent < o.count) {
      s.send(msg);
      if ((++sent & 1023) === 0 && c.now() - t0 > o.seconds) break;
    }
  }
  const marker = c.endMarker(sent);
  s.settimeout(0.02);
  for (let tries = 0; tries < 500; tries++) {
    s.send(marker);
    try {
      if (s.recv_into(buf) === 1 && buf[0] === 0x61) break;
    } catch (e) {
      if (!(e instanceof socket.timeout)) throw e;
    }
  }
  s.close();
}

// ---- tcp-accept ------------------------------------------------------------------------

async function acceptMain() {
  const [ls, port] = listener(128);
  const peer = c.spawnPeer(__filename, o, { port });
  for (let i = 0; i < o.warmup; i++) ls.accept()[0].close();
  const t0 = c.now();
  let n = 0;
  while (n < o.count) {
    ls.accept()[0].close();
    n++;
    if ((n & 255) === 0 && c.now() - t0 > o.seconds) break;
  }
  const t1 = c.now();
  ls.close();
  await c.reap(peer, n < o.count ? 0.2 : 10);
  c.emit(IMPL, o, n / (t1 - t0), 'connections/s', n, t1 - t0);
}

async function acceptPeer() {
  const addr = /** @type {[string, number]} */ ([HOST, o.port]);
  const buf = Buffer.alloc(1);
  const total = o.warmup + o.count;
  for (let i = 0; i < total; i++) {
    const s = socket.socket(AF_INET, SOCK_STREAM);
    s.connect(addr);
    if (s.recv_into(buf) !== 0) throw new Error('expected EOF');
    s.close();
  }
}

// ---- idle-conns ------------------------------------------------------------------------

async function idleMain() {
  const [ls, port] = listener(4096);
  const client = c.spawnCmd(c.idleClientPath(), [
    'idle-conns',
    'client',
    '--port',
    String(port),
    '--count',
    String(o.count),
    '--batch',
    String(o.batch),
  ]);
  const x = Buffer.from('x');
  const conns = [];
  c.fullGc();
  const rss0 = c.vmRssKb();
  const heap0 = c.heapUsed();
  ls.settimeout(o.seconds);
  const t0 = c.now();
  try {
    while (conns.length < o.count) {
      const [conn] = ls.accept();
      conns.push(conn);
      const n = conns.length;
      if (n % o.batch === 0 || n === o.count) conn.send(x);
    }
  } catch (e) {
    if (!(e instanceof socket.timeout)) throw e;
  }
  const t1 = c.now();
  c.fullGc();
  const rss1 = c.vmRssKb();
  const heap1 = c.heapUsed();
  client.kill('SIGTERM');
  await c.reap(client, 5);
  for (const conn of conns) conn.close();
  ls.close();
  c.idleResult(IMPL, o, rss0, rss1, conns.length, t1 - t0, heap0, heap1);
}

// ---- http-hello --------------------------------------------------------------------------
//
// The blocking model serves one connection per thread: `conns` worker threads block in
// accept() on one listening socket (each on its own dup), then in recv() on the connection
// they got. Main waits for wrk on the event loop.

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const socket = require(workerData.dist);
const c = require(workerData.common);
const stop = new Int32Array(workerData.stop);
// proto given: fromfd() with the default proto 0 rejects a TCP socket (SO_PROTOCOL 6).
const ls = socket.fromfd(workerData.fd, socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP);
const buf = Buffer.alloc(4096);
parentPort.postMessage('ready');
for (;;) {
  const [conn] = ls.accept();
  if (Atomics.load(stop, 0)) { conn.close(); break; }
  conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  const state = { tail: null };
  try {
    for (;;) {
      const n = conn.recv_into(buf);
      if (n === 0) break;
      const reqs = c.countRequests(state, n === buf.length ? buf : buf.subarray(0, n));
      for (let k = 0; k < reqs; k++) conn.sendall(c.RESPONSE);
    }
  } catch (e) {
    // a reset by wrk at its end: next connection
  }
  conn.close();
}
ls.close();
`;

async function httpMain() {
  const { Worker } = require('node:worker_threads');
  const [ls, port] = listener(1024);
  const stop = new SharedArrayBuffer(4);
  /** @type {import('node:worker_threads').Worker[]} */
  const workers = [];
  /** @type {Promise<number>[]} */
  const exits = [];
  for (let i = 0; i < o.conns; i++) {
    const w = new Worker(WORKER, {
      eval: true,
      workerData: {
        dist: path.join(__dirname, '..', '..', 'dist', 'index.js'),
        common: path.join(__dirname, '..', 'lib', 'common.js'),
        fd: ls.fileno(),
        stop,
      },
    });
    exits.push(new Promise((r) => w.once('exit', r)));
    w.on('error', (e) => process.stderr.write(`worker: ${e.stack || e}\n`));
    workers.push(w);
  }
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const t0 = c.now();
  const report = await c.runWrk(o, port);
  const t1 = c.now();
  // wrk closed its connections: every worker is back in accept(). Wake each one.
  Atomics.store(new Int32Array(stop), 0, 1);
  const wake = [];
  for (let i = 0; i < workers.length; i++) wake.push(connect(port));
  await Promise.race([Promise.all(exits), c.sleep(3000)]);
  for (const s of wake) s.close();
  for (const w of workers) w.terminate();
  ls.close();
  const r = c.parseWrk(report);
  c.emit(IMPL, o, r.value, 'requests/s', r.ops, t1 - t0, r.extra);
}

// ---- echo-many -----------------------------------------------------------------------------
//
// The server of Python's benchmark (bench/python/bench.py, selector_server) written with
// bsdsock: one thread, non-blocking sockets and selectors.DefaultSelector (epoll). select()
// blocks the event loop, so the client's report arrives on a socketpair that is its stdout,
// watched by the same selector.

/**
 * @param {Socket} ls
 * @param {Socket} report
 * @param {number} hard
 * @returns {string} what the client wrote
 */
function selectorServer(ls, report, hard) {
  const sel = new selectors.DefaultSelector();
  sel.register(ls, selectors.EVENT_READ, 'listener');
  sel.register(report, selectors.EVENT_READ, 'out');
  const buf = Buffer.allocUnsafe(4096);
  let out = '';
  let done = false;
  while (!done && c.now() < hard) {
    for (const [key] of sel.select(1.0)) {
      if (key.data === 'listener') {
        for (;;) {
          let conn;
          try {
            [conn] = ls.accept();
          } catch (e) {
            if (e instanceof socket.BlockingIOError) break;
            throw e;
          }
          conn.setblocking(false);
          conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
          sel.register(conn, selectors.EVENT_READ, null);
        }
      } else if (key.data === 'out') {
        const d = report.recv(65536);
        if (d.length > 0) out += d.toString();
        else done = true;
      } else {
        const conn = /** @type {Socket} */ (key.fileobj);
        let n;
        try {
          n = conn.recv_into(buf);
        } catch (e) {
          if (e instanceof socket.BlockingIOError) continue;
          n = 0;
        }
        if (n === 0) {
          sel.unregister(conn);
          conn.close();
          continue;
        }
        try {
          conn.sendall(buf.subarray(0, n));
        } catch {
          // a reset at the end
        }
      }
    }
  }
  sel.close();
  return out;
}

async function echoMain() {
  const [ls, port] = listener(4096);
  ls.setblocking(false);
  const [report, theirs] = socket.socketpair();
  report.setblocking(false);
  const args = ['echo-many', 'client', '--port', String(port), '--conns', String(o.conns), '--size'];
  args.push(String(o.size), '--duration', String(o.duration), '--settle', String(o.settle));
  const client = c.spawnCmd(c.idleClientPath(), [...args, '--seconds', String(o.seconds)], theirs.fileno());
  theirs.close();
  const out = selectorServer(ls, report, c.now() + o.seconds + 10);
  report.close();
  ls.close();
  const { code } = await client.exited;
  if (code !== 0 || !out.trim()) throw new Error(`the echo-many client failed (exit ${code})`);
  c.echoResult(IMPL, o, JSON.parse(`{${out.trim().split('\n')[0]}}`));
}

// ---- dispatch ----------------------------------------------------------------------------

/** @type {Record<string, [() => Promise<void>, (() => Promise<void>) | null]>} */
const table = {
  'tcp-pingpong': [pingpongMain, pingpongPeer],
  'tcp-bulk': [bulkMain, bulkPeer],
  'udp-pps': [udpMain, udpPeer],
  'udp-batched': [udpMain, udpPeer],
  'tcp-accept': [acceptMain, acceptPeer],
  'idle-conns': [idleMain, null],
  'http-hello': [httpMain, null],
  'echo-many-256': [echoMain, null],
  'echo-many-1024': [echoMain, null],
};
c.run(table[o.scenario][o.role === 'peer' ? 1 : 0]);
