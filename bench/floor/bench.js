'use strict';
// The floor of a promise per call on bsdsock's engine: what an async program costs when
// every library step is left out but the promise each call returns and the `await` of it. Not part of `npm run bench` and not a way to write servers: it drives the
// engine's native functions directly (the arm queue included) and replaces the dispatcher
// that bsdsock/aio would register, so it must run alone in its process. docs/performance.md
// ("The floor of a promise per call") compares it with the async API and Python.
// Scenarios: echo-many-256 / echo-many-1024, http-hello and tcp-pingpong, as the async
// implementation runs them (bench/async/bench.js), with the same options.
// Usage: node bench/floor/bench.js <scenario> <main|peer> [--key value ...]
const path = require('node:path');
const c = require('../lib/common');

/** @type {typeof import('../../lib/index')} */
const bs = require(path.join(__dirname, '..', '..', 'dist', 'index.js'));
/** @type {{ native: import('../../lib/native').Binding }} */
const { native } = require(path.join(__dirname, '..', '..', 'dist', 'native.js'));

const o = c.parseArgs();
// native/engine.h: entries of 5 int32 (slot, events, result, ...), then the arm queue:
// a dispatch flag, a count, and up to 1024 entries of slot, byte count, flags.
const ENTRY = 5;
const RECV_DONE = 8;
const ACCEPT_DONE = 16;
const ARM_QUEUE = 1024;
/** @type {(ArrayBufferView | undefined)[]} */
const armed = [];
/** @type {(((n: number) => void) | null)[]} */
const resolvers = [];
const batch = native.engine_init(onBatch, armed);
const QUEUE_AT = batch.length - (2 + 3 * ARM_QUEUE);
const QUEUED = QUEUE_AT + 1;
let listenerSlot = -1;

/** @param {number} n */
function onBatch(n) {
  for (let i = 0; i < n; i++) {
    const k = i * ENTRY;
    const slot = batch[k];
    const events = batch[k + 1];
    if (slot === listenerSlot) {
      if (events & ACCEPT_DONE && batch[k + 2] >= 0) {
        const fd = batch[k + 2];
        batch[k + 2] = -1; // claimed: the engine closes an accepted fd nobody claims
        void serve(fd);
      }
      native.engine_accept(listenerSlot, false);
    } else if (events & RECV_DONE) {
      const resolve = resolvers[slot];
      resolvers[slot] = null;
      armed[slot] = undefined;
      if (resolve) resolve(batch[k + 2]);
    }
  }
}

/** @type {(n: number) => void} */
let captured = () => {};
/** @param {(n: number) => void} resolve */
function capture(resolve) {
  captured = resolve;
}

/**
 * A receive into `buf` that resolves when the engine has made it: queued in a dispatch (as
 * lib does), else one engine_recv crossing; with `tryFirst` the crossing first tries
 * recv(2) at once, as lib does outside a shared batch. A promise per call, nothing else.
 * @param {number} slot
 * @param {Buffer} buf
 * @param {boolean} tryFirst
 * @returns {Promise<number>}
 */
function recv(slot, buf, tryFirst) {
  if (tryFirst) {
    const r = native.engine_recv(slot, buf, buf.length, 0, true);
    if (r !== native.WOULD_BLOCK) return Promise.resolve(r);
    return waitFor(slot, buf);
  }
  const q = batch[QUEUED];
  if (batch[QUEUE_AT] !== 0 && q < ARM_QUEUE) {
    const at = QUEUED + 1 + 3 * q;
    batch[at] = slot;
    batch[at + 1] = buf.length;
    batch[at + 2] = 0;
    batch[QUEUED] = q + 1;
  } else native.engine_recv(slot, buf, buf.length, 0);
  return waitFor(slot, buf);
}

/**
 * The promise of the receive armed on `slot`.
 * @param {number} slot
 * @param {Buffer} buf
 * @returns {Promise<number>}
 */
function waitFor(slot, buf) {
  const p = new Promise(capture);
  resolvers[slot] = captured;
  armed[slot] = buf;
  return p;
}

/**
 * A send, as a resolved promise (the sends here are small and do not wait).
 * @param {number} fd
 * @param {Buffer} data
 */
function send(fd, data) {
  return Promise.resolve(native.send(fd, data, 0, 0));
}

/**
 * A connection's fd with TCP_NODELAY, and its engine slot.
 * @param {number} fd
 */
function open(fd) {
  const s = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0, fd);
  s.setsockopt(bs.IPPROTO_TCP, bs.TCP_NODELAY, 1);
  s.detach();
  return native.engine_open(fd);
}

/**
 * @param {number} fd
 * @param {number} slot
 */
function close(fd, slot) {
  native.engine_close(slot);
  native.close(fd);
}

/**
 * echo-many: await a receive, await a send of what came, again.
 * @param {number} fd
 */
async function serveEcho(fd) {
  const slot = open(fd);
  const buf = Buffer.allocUnsafe(4096);
  for (;;) {
    const n = await recv(slot, buf, false);
    if (n <= 0) break;
    await send(fd, buf.subarray(0, n));
  }
  close(fd, slot);
}

/**
 * http-hello: await a receive, await one send of the response per request in it.
 * @param {number} fd
 */
async function serveHttp(fd) {
  const slot = open(fd);
  const buf = Buffer.allocUnsafe(4096);
  const state = { tail: null };
  for (;;) {
    const n = await recv(slot, buf, false);
    if (n <= 0) break;
    const reqs = c.countRequests(state, n === buf.length ? buf : buf.subarray(0, n));
    for (let k = 0; k < reqs; k++) await send(fd, c.RESPONSE);
  }
  close(fd, slot);
}

/** @type {(fd: number) => Promise<void>} */
let serve = serveEcho;

/** A non-blocking listener on 127.0.0.1 whose accepts the engine makes. */
function listen() {
  const ls = bs.socket(bs.AF_INET, bs.SOCK_STREAM);
  ls.bind(['127.0.0.1', 0]);
  ls.listen(4096);
  ls.setblocking(false);
  listenerSlot = native.engine_open(ls.fileno());
  native.engine_accept(listenerSlot, false);
  return { ls, port: /** @type {[string, number]} */ (ls.getsockname())[1] };
}

/** @param {import('../../lib/index').Socket} ls */
function unlisten(ls) {
  native.engine_close(listenerSlot);
  ls.close();
}

async function echoMain() {
  const { ls, port } = listen();
  const figures = await c.runEchoClient(o, port);
  unlisten(ls);
  c.echoResult('floor', o, figures);
}

async function httpMain() {
  serve = serveHttp;
  const { ls, port } = listen();
  const t0 = c.now();
  const report = await c.runWrk(o, port);
  const t1 = c.now();
  unlisten(ls);
  const r = c.parseWrk(report);
  c.emit('floor', o, r.value, 'requests/s', r.ops, t1 - t0, r.extra);
}

// tcp-pingpong: both ends are this file; each receive tries first (a batch of one socket).
async function pingpongMain() {
  const ls = bs.socket(bs.AF_INET, bs.SOCK_STREAM);
  ls.bind(['127.0.0.1', 0]);
  ls.listen(16);
  const peer = c.spawnPeer(__filename, o, { port: /** @type {[string, number]} */ (ls.getsockname())[1] });
  const [conn] = ls.accept();
  ls.close();
  conn.setblocking(false);
  const fd = conn.detach();
  const slot = open(fd);
  const size = o.size;
  const msg = Buffer.alloc(size);
  const buf = Buffer.alloc(size);
  const roundtrip = async () => {
    await send(fd, msg);
    let got = 0;
    while (got < size) {
      const n = await recv(slot, got === 0 ? buf : buf.subarray(got), true);
      if (n <= 0) throw new Error('peer closed');
      got += n;
    }
  };
  const { n, seconds } = await c.timeRoundTrips(o, roundtrip);
  close(fd, slot);
  if ((await c.reap(peer)) !== 0) throw new Error('peer failed');
  c.emit('floor', o, n / seconds, 'round trips/s', n, seconds);
}

async function pingpongPeer() {
  const s = bs.socket(bs.AF_INET, bs.SOCK_STREAM);
  s.connect(['127.0.0.1', o.port]);
  s.setblocking(false);
  const fd = s.detach();
  const slot = open(fd);
  const buf = Buffer.alloc(o.size);
  for (;;) {
    const n = await recv(slot, buf, true);
    if (n <= 0) break;
    await send(fd, n === buf.length ? buf : buf.subarray(0, n));
  }
  close(fd, slot);
}

/** @type {Record<string, () => Promise<void>>} */
const table = {
  'echo-many-256': echoMain,
  'echo-many-1024': echoMain,
  'http-hello': httpMain,
  'tcp-pingpong': o.role === 'peer' ? pingpongPeer : pingpongMain,
};
const main = table[o.scenario];
if (!main) throw new Error(`floor: no scenario ${o.scenario}`);
c.run(main);
