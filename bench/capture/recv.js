'use strict';
// The capture benchmark's Node receivers, one per run:
//   node bench/capture/recv.js <mode> <ifname> <udp-port> <block_size> <block_nr> <idle_ms>
// mode: ring (RxRing, blocking, a Frame object and a data view per frame), ring-cursor (RxRing,
// blocking, block.cursor() and ring.bytes: nothing allocated per frame), ring-async (AsyncRxRing
// with next_block() promises and the cursor), recvfrom (one recvfrom(2) per frame), recvmmsg
// (recvmmsg_into, 64 per call), cap (the npm package `cap`: libpcap's TPACKET_V3 ring, one
// 'packet' event per frame copied into one Buffer).
// Every mode filters the same frames (UDP to <udp-port>), reads each frame's length and touches
// one byte, says "ready" on stderr once bound, stops <idle_ms> after the last frame (at most
// 60 s), and prints {"frames", "drops", "cpu", "wall"}: kernel drops from PACKET_STATISTICS
// (null for cap, which does not expose pcap_stats), cpu = user + system seconds of this process
// from ready to the end.
const path = require('node:path');

/** @typedef {typeof import('../../lib/index')} Bsdsock  the built package (dist/) has these types */

const [mode, ifname, portArg, bsArg, bnArg, idleArg] = process.argv.slice(2);
const port = Number(portArg);
const blockSize = Number(bsArg);
const blockNr = Number(bnArg);
const idle = Number(idleArg) / 1000;
const HARD_LIMIT = 60;

// udp dst port <port> over IPv4, from the Ethernet header (what ring.c attaches).
/** @type {[number, number, number, number][]} */
const FILTER = [
  [0x28, 0, 0, 12],
  [0x15, 0, 6, 0x0800],
  [0x30, 0, 0, 23],
  [0x15, 0, 4, 17],
  [0xb1, 0, 0, 14],
  [0x48, 0, 0, 16],
  [0x15, 0, 1, port],
  [0x06, 0, 0, 0x40000],
  [0x06, 0, 0, 0],
];

let frames = 0;
let blocks = 0;
let touched = 0;
let t0 = 0;
let last = 0;
/** @type {NodeJS.CpuUsage | undefined} */
let cpu0;

function ready() {
  process.stderr.write('ready\n');
  cpu0 = process.cpuUsage();
  t0 = performance.now();
  last = t0;
}

/** @param {number | null} drops  kernel drops, null where the receiver cannot tell */
function report(drops) {
  const c = process.cpuUsage(cpu0);
  const out = {
    frames,
    blocks,
    drops,
    user: c.user / 1e6,
    system: c.system / 1e6,
    cpu: (c.user + c.system) / 1e6,
    wall: (last - t0) / 1000,
    touched,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** @param {Bsdsock} socket */
function packetSocket(socket) {
  const s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0);
  s.attach_filter(FILTER);
  return s;
}

/**
 * PACKET_STATISTICS drops (tpacket_stats: packets, drops), read-and-reset.
 * @param {Bsdsock} socket
 * @param {import('../../lib/index').Socket} s
 */
function drops(socket, s) {
  return /** @type {Buffer} */ (s.getsockopt(socket.SOL_PACKET, socket.PACKET_STATISTICS, 8)).readUInt32LE(4);
}

/**
 * One block through the cursor. The sum stays in a local: a module-level number that grows past
 * 2^31 would be boxed (a heap allocation) on every store, which is the benchmark's cost, not the
 * ring's.
 * @param {import('../../lib/index').Block} b
 * @param {Uint8Array} bytes  ring.bytes
 */
function consume(b, bytes) {
  const c = b.cursor();
  let t = 0;
  while (c.next()) t += c.snaplen + bytes[c.data_offset + 12];
  touched += t;
  frames += b.num_pkts;
  blocks++;
  last = performance.now();
}

const elapsed = () => (performance.now() - t0) / 1000;

async function main() {
  if (mode === 'cap') return capture();
  /** @type {Bsdsock} */
  const socket = require(path.join(__dirname, '..', '..', 'dist', 'index.js'));
  const RING = { block_size: blockSize, block_nr: blockNr, frame_size: 2048 };
  if (mode === 'ring' || mode === 'ring-cursor') {
    const s = packetSocket(socket);
    const ring = s.rx_ring(RING);
    s.bind([ifname, socket.ETH_P_ALL]);
    ring.stats();
    const bytes = ring.bytes;
    ready();
    while (elapsed() < HARD_LIMIT) {
      const b = ring.next_block(frames ? idle : 1);
      if (!b) {
        if (frames) break;
        continue;
      }
      if (mode === 'ring') {
        let t = 0;
        for (const f of b) t += f.snaplen + f.data[12];
        touched += t;
        frames += b.num_pkts;
        blocks++;
        last = performance.now();
      } else consume(b, bytes);
    }
    report(ring.stats().drops);
  } else if (mode === 'ring-async') {
    const a = socket.aio.from_stdlib_socket(packetSocket(socket));
    const ring = a.rx_ring(RING);
    await a.bind([ifname, socket.ETH_P_ALL]);
    ring.stats();
    const bytes = ring.bytes;
    ready();
    while (elapsed() < HARD_LIMIT) {
      const b = await ring.next_block({ timeout: frames ? idle : 1 });
      if (!b) {
        if (frames) break;
        continue;
      }
      consume(b, bytes);
    }
    report(ring.stats().drops);
  } else if (mode === 'recvfrom' || mode === 'recvmmsg') {
    const s = packetSocket(socket);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUFFORCE, blockSize * blockNr);
    s.bind([ifname, socket.ETH_P_ALL]);
    drops(socket, s);
    ready();
    const buf = Buffer.alloc(64 * 2048);
    const sizes = new Int32Array(64);
    s.settimeout(1);
    while (elapsed() < HARD_LIMIT) {
      try {
        if (mode === 'recvfrom') {
          const [d] = s.recvfrom(2048);
          touched += d.length + d[12];
          frames++;
        } else {
          const n = s.recvmmsg_into(buf, 2048, sizes);
          let t = 0;
          for (let i = 0; i < n; i++) t += sizes[i] + buf[i * 2048 + 12];
          touched += t;
          frames += n;
        }
        last = performance.now();
        if (frames === 1) s.settimeout(idle);
      } catch (e) {
        if (!(e instanceof socket.TimeoutError)) throw e;
        if (frames) break;
      }
    }
    report(drops(socket, s));
  } else throw new Error(`unknown mode ${mode}`);
}

/**
 * libpcap through `cap`: pcap_dispatch from a uv_poll callback, one JS event per frame.
 * @returns {Promise<void>}
 */
function capture() {
  // bench/capture/run.js installs and builds cap in bench/out/cap and passes its directory.
  const { Cap } = require(process.env.BSDSOCK_CAP_DIR || 'cap');
  const c = new Cap();
  const buffer = Buffer.alloc(65536);
  c.open(ifname, `udp dst port ${port}`, blockSize * blockNr, buffer);
  c.on('packet', (/** @type {number} */ nbytes) => {
    touched += nbytes + buffer[12];
    frames++;
  });
  ready();
  return new Promise((resolve) => {
    let seen = 0;
    let quiet = 0;
    const tick = setInterval(() => {
      if (frames !== seen) {
        seen = frames;
        last = performance.now();
        quiet = 0;
      } else if (frames && ++quiet * 50 >= idle * 1000) {
        done();
      }
      if (elapsed() > HARD_LIMIT) done();
    }, 50);
    function done() {
      clearInterval(tick);
      c.close();
      report(null);
      resolve();
    }
  });
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
