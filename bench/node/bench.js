'use strict';
// Node's own sockets: net, dgram and http, written the idiomatic way (events, backpressure
// through write()'s return value and 'drain'). Server and client are both this file.
// Usage: node bench/node/bench.js <scenario> <main|peer> [--key value ...]
//        (http-hello: --variant http for node:http, otherwise a minimal net responder)
const net = require('node:net');
const dgram = require('node:dgram');
const http = require('node:http');
const c = require('../lib/common');

const o = c.parseArgs();
const HOST = '127.0.0.1';
const IMPL = o.scenario === 'http-hello' && o.variant === 'http' ? 'node-http' : 'node';

/**
 * @param {net.Server} server
 * @returns {Promise<number>} the port
 */
function listen(server, backlog = 511) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: HOST, backlog }, () =>
      resolve(/** @type {net.AddressInfo} */ (server.address()).port),
    );
  });
}

/**
 * @param {number} port
 * @returns {Promise<net.Socket>}
 */
function connect(port, allowHalfOpen = false) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: HOST, noDelay: true, allowHalfOpen }, () => resolve(s));
    s.once('error', reject);
  });
}

// ---- tcp-pingpong ----------------------------------------------------------------------

async function pingpongMain() {
  const server = net.createServer();
  const port = await listen(server);
  const peer = c.spawnPeer(__filename, o, { port });
  /** @type {net.Socket} */
  const sock = await new Promise((resolve) => server.once('connection', resolve));
  server.close();
  sock.setNoDelay(true);
  const msg = Buffer.alloc(o.size);
  const total = o.warmup + o.count;
  let got = 0;
  let i = 0;
  let t0 = c.now();
  let t1 = t0;
  await new Promise((resolve, reject) => {
    sock.on('error', reject);
    sock.on('data', (/** @type {Buffer} */ d) => {
      got += d.length;
      while (got >= o.size) {
        got -= o.size;
        i++;
        if (i === o.warmup) t0 = c.now();
        if (i >= total || (i > o.warmup && (i & 1023) === 0 && c.now() - t0 > o.seconds)) {
          t1 = c.now();
          sock.end();
          resolve(undefined);
          return;
        }
        sock.write(msg);
      }
    });
    if (o.warmup === 0) t0 = c.now();
    sock.write(msg);
  });
  const n = i - o.warmup;
  if ((await c.reap(peer)) !== 0) throw new Error('peer failed');
  c.emit(IMPL, o, n / (t1 - t0), 'round trips/s', n, t1 - t0);
}

async function pingpongPeer() {
  const sock = await connect(o.port);
  await new Promise((resolve, reject) => {
    sock.on('data', (d) => sock.write(d));
    sock.on('end', resolve);
    sock.on('error', reject);
  });
  sock.end();
}

// ---- tcp-bulk --------------------------------------------------------------------------

async function bulkMain() {
  const server = net.createServer();
  const port = await listen(server);
  const peer = c.spawnPeer(__filename, o, { port });
  /** @type {net.Socket} */
  const sock = await new Promise((resolve) => server.once('connection', resolve));
  server.close();
  const chunk = Buffer.alloc(o.chunk);
  let sent = 0;
  let writes = 0;
  const t0 = c.now();
  const acked = new Promise((resolve, reject) => {
    sock.once('data', resolve);
    sock.once('error', reject);
  });
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < o.bytes) {
        sent += chunk.length;
        writes++;
        const more = sock.write(chunk);
        if ((writes & 1023) === 0 && c.now() - t0 > o.seconds) break;
        if (!more) {
          sock.once('drain', pump);
          return;
        }
      }
      sock.end();
      resolve(undefined);
    };
    pump();
  });
  await acked;
  const t1 = c.now();
  sock.destroy();
  if ((await c.reap(peer)) !== 0) throw new Error('peer failed');
  c.emit(IMPL, o, sent / (t1 - t0) / 1e9, 'GB/s', writes, t1 - t0);
}

async function bulkPeer() {
  // Half-open: after the writer's FIN this side still sends the 1-byte ack.
  const sock = await connect(o.port, true);
  await new Promise((resolve, reject) => {
    sock.on('data', () => {
      // discarded
    });
    sock.on('end', resolve);
    sock.on('error', reject);
  });
  sock.end(Buffer.from('k'));
}

// ---- udp-pps -----------------------------------------------------------------------------

async function udpMain() {
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: o.rcvbuf });
  await new Promise((resolve) => sock.bind(0, HOST, () => resolve(undefined)));
  const peer = c.spawnPeer(__filename, o, { port: sock.address().port });
  let received = 0;
  let sent = -1;
  let tFirst = 0;
  let tLast = 0;
  let connected = false;
  await new Promise((resolve, reject) => {
    let silence = setTimeout(() => resolve(undefined), 5000 + o.seconds * 1000);
    sock.on('error', reject);
    sock.on('message', (msg, rinfo) => {
      const len = msg.length;
      if (len === o.size) {
        const t = c.now();
        if (received++ === 0) tFirst = t;
        tLast = t;
      } else if (len === 9) {
        sent = c.parseEndMarker(msg);
        sock.send('a');
        clearTimeout(silence);
        resolve(undefined);
      } else if (len === 1) {
        // hello (maybe repeated): connect to the sender once, then answer go
        if (!connected) {
          connected = true;
          sock.connect(rinfo.port, rinfo.address, () => sock.send('g'));
        } else {
          // Later hellos are answered too. (This branch used to test `sock.remoteAddress`,
          // which names the method and so was always true.)
          sock.send('g');
        }
      }
    });
  });
  await new Promise((r) => setTimeout(r, 5)); // let the ack go out
  sock.close();
  await c.reap(peer);
  c.udpResult(IMPL, o, received, sent, tFirst, tLast);
}

async function udpPeer() {
  const sock = dgram.createSocket('udp4');
  await new Promise((resolve) => sock.connect(o.port, HOST, () => resolve(undefined)));
  /** @type {() => void} */
  let acked = () => {};
  /** @type {() => void} */
  let go = () => {};
  const goP = new Promise((r) => (go = () => r(undefined)));
  const ackP = new Promise((r) => (acked = () => r(undefined)));
  sock.on('message', (m) =>
    m.length === 1 && m[0] === 0x67 /* g */ ? go() : m[0] === 0x61 /* a */ ? acked() : 0,
  );
  for (let tries = 0; ; tries++) {
    if (tries > 100) throw new Error('no go from the receiver');
    sock.send('h');
    const ok = await Promise.race([goP.then(() => true), c.sleep(100).then(() => false)]);
    if (ok) break;
  }
  const msg = Buffer.alloc(o.size);
  let sent = 0;
  const t0 = c.now();
  while (sent < o.count) {
    // One send() (one sendmsg syscall when the socket is writable) per datagram; every
    // 256 let the event loop run so queued sends and callbacks are processed.
    const end = Math.min(o.count, sent + 256);
    for (; sent < end; sent++) sock.send(msg);
    await new Promise((r) => setImmediate(r));
    if (c.now() - t0 > o.seconds) break;
  }
  const marker = c.endMarker(sent);
  for (let tries = 0; tries < 500; tries++) {
    sock.send(marker);
    const ok = await Promise.race([ackP.then(() => true), c.sleep(20).then(() => false)]);
    if (ok) break;
  }
  sock.close();
}

// ---- tcp-accept ------------------------------------------------------------------------

async function acceptMain() {
  const total = o.warmup + o.count;
  let i = 0;
  let t0 = c.now();
  let t1 = t0;
  const server = net.createServer();
  const done = new Promise((resolve) => {
    server.on('connection', (s) => {
      s.destroy();
      i++;
      if (i === o.warmup) t0 = c.now();
      if (i >= total || (i > o.warmup && (i & 255) === 0 && c.now() - t0 > o.seconds)) {
        t1 = c.now();
        resolve(undefined);
      }
    });
  });
  const port = await listen(server, 128);
  if (o.warmup === 0) t0 = c.now();
  const peer = c.spawnPeer(__filename, o, { port });
  await done;
  server.close();
  const n = i - o.warmup;
  await c.reap(peer, n < o.count ? 0.2 : 10);
  c.emit(IMPL, o, n / (t1 - t0), 'connections/s', n, t1 - t0);
}

async function acceptPeer() {
  const total = o.warmup + o.count;
  for (let i = 0; i < total; i++) {
    await new Promise((resolve, reject) => {
      const s = net.connect({ port: o.port, host: HOST });
      s.on('error', reject);
      s.on('end', () => s.destroy());
      s.on('close', resolve);
      s.resume();
    });
  }
}

// ---- idle-conns ------------------------------------------------------------------------

async function idleMain() {
  /** @type {net.Socket[]} */
  const conns = [];
  let t1 = 0;
  const server = net.createServer();
  const all = new Promise((resolve) => {
    server.on('connection', (s) => {
      conns.push(s);
      const n = conns.length;
      if (n % o.batch === 0 || n === o.count) s.write('x');
      if (n === o.count) {
        t1 = c.now();
        resolve(undefined);
      }
    });
  });
  const port = await listen(server, 4096);
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
  await c.sleep(20);
  c.fullGc();
  const rss0 = c.vmRssKb();
  const heap0 = c.heapUsed();
  const t0 = c.now();
  await Promise.race([all, c.sleep(o.seconds * 1000)]);
  if (!t1) t1 = c.now();
  await c.sleep(20);
  c.fullGc();
  const rss1 = c.vmRssKb();
  const heap1 = c.heapUsed();
  client.kill('SIGTERM');
  await c.reap(client, 5);
  for (const s of conns) s.destroy();
  server.close();
  c.idleResult(IMPL, o, rss0, rss1, conns.length, t1 - t0, heap0, heap1);
}

// ---- http-hello ----------------------------------------------------------------------

async function httpMain() {
  /** @type {net.Server} */
  let server;
  if (o.variant === 'http') {
    const body = 'Hello, World!';
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
      res.end(body);
    });
  } else {
    server = net.createServer((s) => {
      s.setNoDelay(true);
      const state = { tail: null };
      s.on('data', (d) => {
        const n = c.countRequests(state, d);
        for (let k = 0; k < n; k++) s.write(c.RESPONSE);
      });
      s.on('error', () => s.destroy());
    });
  }
  const port = await listen(server, 1024);
  const t0 = c.now();
  const report = await c.runWrk(o, port);
  const t1 = c.now();
  server.close();
  if (server instanceof http.Server) server.closeAllConnections();
  const r = c.parseWrk(report);
  c.emit(IMPL, o, r.value, 'requests/s', r.ops, t1 - t0, r.extra);
}

// ---- echo-many -------------------------------------------------------------------------

async function echoMain() {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
    s.on('error', () => s.destroy());
  });
  const port = await listen(server, 4096);
  const figures = await c.runEchoClient(o, port);
  server.close();
  c.echoResult(IMPL, o, figures);
}

// ---- dispatch ----------------------------------------------------------------------------

/** @type {Record<string, [() => Promise<void>, (() => Promise<void>) | null]>} */
const table = {
  'tcp-pingpong': [pingpongMain, pingpongPeer],
  'tcp-bulk': [bulkMain, bulkPeer],
  'udp-pps': [udpMain, udpPeer],
  'tcp-accept': [acceptMain, acceptPeer],
  'idle-conns': [idleMain, null],
  'http-hello': [httpMain, null],
  'echo-many-256': [echoMain, null],
  'echo-many-1024': [echoMain, null],
};
const entry = table[o.scenario];
if (!entry) {
  process.stderr.write(`node: scenario ${o.scenario} is not implemented (Node has no recvmmsg/sendmmsg)\n`);
  process.exit(3);
}
c.run(o.role === 'peer' ? entry[1] : entry[0]);
