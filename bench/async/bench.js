'use strict';
// bsdsock/aio (AsyncSocket: try the syscall first, wait on one uv_poll_t per socket only
// when it would block) on the benchmark scenarios.
// Usage: node bench/async/bench.js <scenario> <main|peer> [--key value ...]
//
// Both ends use the async API, each on the main thread of its own process. Buffers are
// reused with recv_into where the scenario allows it.
const path = require('node:path');
const c = require('../lib/common');

// The compiled library (bench/run.js builds dist/ when lib/ is newer).
/** @type {typeof import('../../lib/aio')} */
const aio = require(path.join(__dirname, '..', '..', 'dist', 'aio.js'));
const { AF_INET, SOCK_STREAM, SOCK_DGRAM, SOL_SOCKET, SO_RCVBUF, IPPROTO_TCP, TCP_NODELAY, SHUT_WR } = aio;

/** @typedef {import('../../lib/aio').AsyncSocket} AsyncSocket */

const o = c.parseArgs();
const HOST = '127.0.0.1';
const IMPL = 'async';

/**
 * @param {number} backlog
 * @returns {Promise<[AsyncSocket, number]>}
 */
async function listener(backlog) {
  const s = aio.socket(AF_INET, SOCK_STREAM);
  await s.bind([HOST, 0]);
  s.listen(backlog);
  return [s, c.portOf(s)];
}

/** @param {number} port */
async function connect(port) {
  const s = aio.socket(AF_INET, SOCK_STREAM);
  await s.connect([HOST, port]);
  return s;
}

// ---- tcp-pingpong ----------------------------------------------------------------------

async function pingpongMain() {
  const [ls, port] = await listener(16);
  const peer = c.spawnPeer(__filename, o, { port });
  const [conn] = await ls.accept();
  ls.close();
  conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  const size = o.size;
  const msg = Buffer.alloc(size);
  const buf = Buffer.alloc(size);
  const roundtrip = async () => {
    await conn.sendall(msg);
    let got = 0;
    while (got < size) {
      const n = await conn.recv_into(got === 0 ? buf : buf.subarray(got));
      if (n === 0) throw new Error('peer closed');
      got += n;
    }
  };
  const { n, seconds } = await c.timeRoundTrips(o, roundtrip);
  conn.close();
  if ((await c.reap(peer)) !== 0) throw new Error('peer failed');
  c.emit(IMPL, o, n / seconds, 'round trips/s', n, seconds);
}

async function pingpongPeer() {
  const conn = await connect(o.port);
  conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  const buf = Buffer.alloc(o.size);
  for (;;) {
    const n = await conn.recv_into(buf);
    if (n === 0) break;
    await conn.sendall(n === buf.length ? buf : buf.subarray(0, n));
  }
  conn.close();
}

// ---- tcp-bulk --------------------------------------------------------------------------

async function bulkMain() {
  const [ls, port] = await listener(16);
  const peer = c.spawnPeer(__filename, o, { port });
  const [conn] = await ls.accept();
  ls.close();
  const chunk = Buffer.alloc(o.chunk);
  let sent = 0;
  let writes = 0;
  const t0 = c.now();
  while (sent < o.bytes) {
    await conn.sendall(chunk);
    sent += chunk.length;
    if ((++writes & 1023) === 0 && c.now() - t0 > o.seconds) break;
  }
  conn.shutdown(SHUT_WR);
  const ack = await conn.recv(1);
  if (ack.length !== 1) throw new Error('no ack from the reader');
  const t1 = c.now();
  conn.close();
  if ((await c.reap(peer)) !== 0) throw new Error('peer failed');
  c.emit(IMPL, o, sent / (t1 - t0) / 1e9, 'GB/s', writes, t1 - t0);
}

async function bulkPeer() {
  const conn = await connect(o.port);
  const buf = Buffer.alloc(o.chunk);
  while ((await conn.recv_into(buf)) > 0);
  await conn.sendall(Buffer.from('k'));
  conn.close();
}

// ---- udp-pps / udp-batched ---------------------------------------------------------------

async function udpMain() {
  const batched = o.scenario === 'udp-batched';
  const s = aio.socket(AF_INET, SOCK_DGRAM);
  s.setsockopt(SOL_SOCKET, SO_RCVBUF, o.rcvbuf);
  await s.bind([HOST, 0]);
  const peer = c.spawnPeer(__filename, o, { port: c.portOf(s) });
  s.settimeout(5);
  const buf = Buffer.alloc(256);
  const [, addr] = await s.recvfrom_into(buf);
  await s.connect(addr); // the sender's
  const go = Buffer.from('g');
  await s.send(go);
  const deadline = c.now() + o.seconds + 5;
  const tally = new c.UdpTally(o.size, () => s.send(go));
  const big = Buffer.alloc(o.batch * 256);
  const sizes = new Int32Array(o.batch);
  try {
    while (tally.sent < 0) {
      if (batched) {
        // The allocation-free batch: lengths into `sizes`, payloads at i * 256 in `big`.
        const k = await s.recvmmsg_into(big, 256, sizes);
        tally.addBatch(big, 256, sizes, k, c.now());
      } else {
        const n = await s.recv_into(buf);
        tally.add(buf, n, c.now());
      }
      if ((tally.received & 1023) === 0 && c.now() > deadline) break;
    }
  } catch (e) {
    if (!(e instanceof aio.TimeoutError)) throw e;
  }
  if (tally.sent >= 0) await s.send(Buffer.from('a'));
  s.close();
  await c.reap(peer);
  tally.report(IMPL, o);
}

async function udpPeer() {
  const batched = o.scenario === 'udp-batched';
  const s = aio.socket(AF_INET, SOCK_DGRAM);
  await s.connect([HOST, o.port]);
  const buf = Buffer.alloc(256);
  s.settimeout(0.1);
  for (let tries = 0; ; tries++) {
    if (tries > 100) throw new Error('no go from the receiver');
    await s.send(Buffer.from('h'));
    try {
      if ((await s.recv_into(buf)) === 1) break;
    } catch (e) {
      if (!(e instanceof aio.TimeoutError)) throw e;
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
      sent += await s.sendmmsg(left >= full.length ? full : full.slice(0, left));
      if ((++calls & 255) === 0 && c.now() - t0 > o.seconds) break;
    }
  } else {
    while (sent < o.count) {
      await s.send(msg);
      if ((++sent & 1023) === 0 && c.now() - t0 > o.seconds) break;
    }
  }
  const marker = c.endMarker(sent);
  s.settimeout(0.02);
  for (let tries = 0; tries < 500; tries++) {
    await s.send(marker);
    try {
      if ((await s.recv_into(buf)) === 1 && buf[0] === 0x61) break;
    } catch (e) {
      if (!(e instanceof aio.TimeoutError)) throw e;
    }
  }
  s.close();
}

// ---- tcp-accept ------------------------------------------------------------------------

async function acceptMain() {
  const [ls, port] = await listener(128);
  const peer = c.spawnPeer(__filename, o, { port });
  for (let i = 0; i < o.warmup; i++) (await ls.accept())[0].close();
  const t0 = c.now();
  let n = 0;
  while (n < o.count) {
    (await ls.accept())[0].close();
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
    const s = aio.socket(AF_INET, SOCK_STREAM);
    await s.connect(addr);
    if ((await s.recv_into(buf)) !== 0) throw new Error('expected EOF');
    s.close();
  }
}

// ---- idle-conns ------------------------------------------------------------------------
//
// Like Node's net server, which reads every connection, each connection here has one
// pending read: a per-connection loop awaiting recv_into() on a small buffer of its own.

const IDLE_READ_BYTES = 64;

/** @param {AsyncSocket} conn */
async function idleReader(conn) {
  const buf = Buffer.allocUnsafe(IDLE_READ_BYTES);
  try {
    while ((await conn.recv_into(buf)) > 0);
  } catch {
    // closed under us at the end
  }
}

async function idleMain() {
  const [ls, port] = await listener(4096);
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
  await c.sleep(20);
  c.fullGc();
  const rss0 = c.vmRssKb();
  const heap0 = c.heapUsed();
  ls.settimeout(o.seconds);
  const t0 = c.now();
  try {
    while (conns.length < o.count) {
      const [conn] = await ls.accept();
      conns.push(conn);
      idleReader(conn);
      const n = conns.length;
      if (n % o.batch === 0 || n === o.count) await conn.send(x);
    }
  } catch (e) {
    if (!(e instanceof aio.TimeoutError)) throw e;
  }
  const t1 = c.now();
  await c.sleep(20);
  c.fullGc();
  const rss1 = c.vmRssKb();
  const heap1 = c.heapUsed();
  client.kill('SIGTERM');
  await c.reap(client, 5);
  for (const conn of conns) conn.close();
  ls.close();
  c.idleResult(IMPL, o, rss0, rss1, conns.length, t1 - t0, heap0, heap1);
}

// ---- http-hello ------------------------------------------------------------------------

/** @param {AsyncSocket} conn */
async function serveHttp(conn) {
  conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  const buf = Buffer.allocUnsafe(4096);
  const state = { tail: null };
  try {
    for (;;) {
      const n = await conn.recv_into(buf);
      if (n === 0) break;
      const reqs = c.countRequests(state, n === buf.length ? buf : buf.subarray(0, n));
      for (let k = 0; k < reqs; k++) await conn.sendall(c.RESPONSE);
    }
  } catch {
    // a reset by wrk at its end
  }
  conn.close();
}

/**
 * Accepts connections on `ls` and hands each to `serve` until the returned stop() is called.
 * @param {AsyncSocket} ls
 * @param {(conn: AsyncSocket) => Promise<void>} serve
 */
function acceptLoop(ls, serve) {
  let stopped = false;
  (async () => {
    while (!stopped) {
      let conn;
      try {
        [conn] = await ls.accept();
      } catch (e) {
        if (stopped) return;
        throw e;
      }
      serve(conn);
    }
  })();
  return () => {
    stopped = true;
    ls.close();
  };
}

async function httpMain() {
  const [ls, port] = await listener(1024);
  const stop = acceptLoop(ls, serveHttp);
  const t0 = c.now();
  const report = await c.runWrk(o, port);
  const t1 = c.now();
  stop();
  const r = c.parseWrk(report);
  c.emit(IMPL, o, r.value, 'requests/s', r.ops, t1 - t0, r.extra);
}

// ---- echo-many -------------------------------------------------------------------------

/** @param {AsyncSocket} conn */
async function serveEcho(conn) {
  conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  const buf = Buffer.allocUnsafe(4096);
  try {
    for (;;) {
      const n = await conn.recv_into(buf);
      if (n === 0) break;
      await conn.sendall(buf.subarray(0, n));
    }
  } catch {
    // a reset at the end
  }
  conn.close();
}

async function echoMain() {
  const [ls, port] = await listener(4096);
  const stop = acceptLoop(ls, serveEcho);
  const figures = await c.runEchoClient(o, port);
  stop();
  c.echoResult(IMPL, o, figures);
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
