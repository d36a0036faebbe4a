// Run by test/raw/ring.test.ts inside a network namespace holding the veth pair rv0 <-> rv1
// (helpers/veth.ts): `ring-child.ts <scenario>`. Frames are injected on rv0 with an AF_PACKET
// socket (or a transmit ring) and captured on rv1; the scenario prints one JSON object with
// what it observed, and the test asserts on it. Every wait has a time bound.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as socket from '../../../lib/index';
import { spawn } from 'node:child_process';
import { ethernetFrame, ipv4Packet, udpDatagram } from './packets';

type Insn = [number, number, number, number];
type PacketAddress = [string, number, number, number, Buffer];

/** IEEE 802 local experimental EtherType: nothing else on the link uses it. */
const ETH_TEST = 0x88b5;
const { AF_PACKET, SOCK_RAW, ETH_P_ALL } = socket;

const ethertypeFilter = (type: number): Insn[] => [
  [0x28, 0, 0, 12],
  [0x15, 0, 1, type],
  [0x06, 0, 0, 0x40000],
  [0x06, 0, 0, 0],
];

function mac(ifname: string): Buffer {
  const s = socket.socket(AF_PACKET, SOCK_RAW, 0);
  s.bind([ifname, 0]);
  const m = (s.getsockname() as PacketAddress)[4];
  s.close();
  return m;
}
// The MAC addresses of rv0 and rv1 (read in main(), which needs CAP_NET_RAW for that).
let MAC0: Buffer = Buffer.alloc(6);
let MAC1: Buffer = Buffer.alloc(6);

/** A capture socket on rv1: protocol 0, the filter, then bound (no unfiltered frame slips in). */
function captureSocket(program: Insn[] = ethertypeFilter(ETH_TEST)): socket.Socket {
  const s = socket.socket(AF_PACKET, SOCK_RAW, 0);
  s.attach_filter(program);
  s.bind(['rv1', ETH_P_ALL]);
  return s;
}
function asyncCaptureSocket(program: Insn[] = ethertypeFilter(ETH_TEST)): socket.aio.AsyncSocket {
  return socket.aio.from_stdlib_socket(captureSocket(program));
}

function sender(): socket.Socket {
  const s = socket.socket(AF_PACKET, SOCK_RAW, 0);
  s.bind(['rv0', 0]);
  return s;
}

/** A test frame: EtherType ETH_TEST, payload = seq (u32) + filler up to `size` bytes. */
function testFrame(seq: number, size: number): Buffer {
  const payload = Buffer.alloc(size - 14, seq & 0xff);
  payload.writeUInt32BE(seq, 0);
  return ethernetFrame(MAC1, MAC0, ETH_TEST, payload);
}
const sizeOf = (seq: number) => 60 + ((seq * 37) % 1400);

interface Seen {
  seqs: number[];
  bad: string[];
  addresses: string[];
  minSec: number;
  maxSec: number;
  blocks: number;
}

function observe(seen: Seen, f: socket.Frame): void {
  const d = f.data;
  const seq = d.readUInt32BE(14);
  seen.seqs.push(seq);
  const want = testFrame(seq, sizeOf(seq));
  if (f.len !== want.length || f.snaplen !== want.length || !d.equals(want))
    seen.bad.push(`seq ${seq}: len ${f.len} snaplen ${f.snaplen} data ${d.length}/${want.length}`);
  const a = f.address as PacketAddress;
  const key = JSON.stringify([a[0], a[1], a[2], a[3], a[4].toString('hex')]);
  if (!seen.addresses.includes(key)) seen.addresses.push(key);
  const t = f.sec + f.nsec / 1e9;
  seen.minSec = Math.min(seen.minSec, t);
  seen.maxSec = Math.max(seen.maxSec, t);
}
const newSeen = (): Seen => ({ seqs: [], bad: [], addresses: [], minSec: Infinity, maxSec: 0, blocks: 0 });

const N = 300;

/**
 * Starts examples/<script> under tsx (this file runs outside vitest, so it cannot use the
 * test helpers that import it). waitFor(re) resolves once stderr or stdout matches.
 */
function example(script: string, args: string[]) {
  const repo = path.resolve(__dirname, '../../..');
  const child = spawn(
    process.execPath,
    [require.resolve('tsx/cli'), path.join('examples', script), ...args],
    {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let stdout = '';
  let stderr = '';
  const waiters: [RegExp, () => void][] = [];
  const check = () => {
    for (const w of waiters.splice(0)) {
      if (w[0].test(stdout) || w[0].test(stderr)) w[1]();
      else waiters.push(w);
    }
  };
  child.stdout.on('data', (d: Buffer) => ((stdout += d), check()));
  child.stderr.on('data', (d: Buffer) => ((stderr += d), check()));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
  const waitFor = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      waiters.push([re, resolve]);
      check();
      void exit.then((r) => reject(new Error(`example ended (${r.code}) before ${re}: ${r.stderr}`)));
    });
  return { waitFor, exit };
}

/** A worker running helpers/ring-worker.ts, loaded through tsx's CommonJS hook. */
function tsWorker(workerData: Record<string, unknown>): Worker {
  const api = JSON.stringify(require.resolve('tsx/cjs/api'));
  const file = JSON.stringify(path.join(__dirname, 'ring-worker.ts'));
  return new Worker(`require(${api}).register(); require(${file});`, { eval: true, workerData });
}

function sendAll(count = N, size = sizeOf): void {
  const s = sender();
  for (let i = 0; i < count; i++) s.send(testFrame(i, size(i)));
  s.close();
}

/** `perFlow` IPv4 UDP frames for each of `flows` flows; payload = [flow, seq] as u32s. */
function sendFlows(flows: number, perFlow: number): void {
  const tx = sender();
  for (let k = 0; k < perFlow; k++) {
    for (let f = 0; f < flows; f++) {
      const payload = Buffer.alloc(8);
      payload.writeUInt32BE(f, 0);
      payload.writeUInt32BE(k, 4);
      const udp = udpDatagram(20000 + f * 7, 30000 + f, payload);
      tx.send(ethernetFrame(MAC1, MAC0, 0x0800, ipv4Packet(`10.7.${f}.1`, '10.8.0.1', 17, udp)));
    }
  }
  tx.close();
}

const scenarios: Record<string, () => unknown> = {
  // Without CAP_NET_RAW: the packet socket a ring needs cannot be created; the error says why.
  unprivileged() {
    const out: Record<string, string> = {};
    const attempts: Record<string, () => unknown> = {
      blocking: () =>
        socket.socket(AF_PACKET, SOCK_RAW, 0).rx_ring({ block_size: 4096, block_nr: 1, frame_size: 2048 }),
      async: () => socket.aio.socket(AF_PACKET, SOCK_RAW, 0).tx_ring({ frame_size: 2048, frame_nr: 2 }),
    };
    for (const [k, fn] of Object.entries(attempts)) {
      try {
        fn();
        out[k] = 'ok';
      } catch (e) {
        out[k] =
          `${(e as Error).name}${e instanceof socket.PermissionError ? ' (PermissionError)' : ''}: ${(e as Error).message}`;
      }
    }
    return out;
  },

  // Every frame once, right length, bytes, address and timestamp (blocking ring).
  rx() {
    const s = captureSocket();
    const ring = s.rx_ring({ block_size: 1 << 16, block_nr: 8, frame_size: 2048, retire_blk_tov: 20 });
    const before = Date.now() / 1000;
    sendAll();
    const after = Date.now() / 1000;
    const seen = newSeen();
    let cursorBad = 0;
    for (let i = 0; i < 1000 && seen.seqs.length < N; i++) {
      const b = ring.next_block(3);
      if (!b) break;
      seen.blocks++;
      const frames = [...b];
      for (const f of frames) observe(seen, f);
      // The cursor walks the same frames, in place.
      const c = b.cursor();
      for (const f of frames) {
        const same =
          c.next() &&
          c.snaplen === f.snaplen &&
          c.len === f.len &&
          c.sec === f.sec &&
          c.nsec === f.nsec &&
          c.status === f.status &&
          c.vlan_tci === undefined &&
          Buffer.from(ring.bytes.subarray(c.data_offset, c.data_offset + c.snaplen)).equals(f.data) &&
          c.data.equals(f.data) &&
          JSON.stringify(c.address) === JSON.stringify(f.address);
        if (!same) cursorBad++;
      }
      if (c.next()) cursorBad++;
    }
    const stats = ring.stats();
    s.close();
    return { ...seen, before, after, stats, cursorBad, mac0: MAC0.toString('hex') };
  },

  // The same through an AsyncSocket with `for await`.
  async 'rx-async'() {
    const s = asyncCaptureSocket();
    s.settimeout(3);
    const ring = s.rx_ring({ block_size: 1 << 16, block_nr: 8, frame_size: 2048, retire_blk_tov: 20 });
    const before = Date.now() / 1000;
    setImmediate(() => sendAll());
    const seen = newSeen();
    for await (const b of ring) {
      seen.blocks++;
      for (const f of b) observe(seen, f);
      if (seen.seqs.length >= N) break;
    }
    const after = Date.now() / 1000;
    s.close();
    return { ...seen, before, after, mac0: MAC0.toString('hex') };
  },

  // An 802.1Q-tagged frame: the device takes the tag off and the ring reports it.
  vlan() {
    const s = captureSocket();
    const ring = s.rx_ring({ block_size: 1 << 16, block_nr: 2, frame_size: 2048, retire_blk_tov: 10 });
    const inner = Buffer.alloc(50, 7);
    const tagged = Buffer.concat([MAC1, MAC0, Buffer.from([0x81, 0x00, 0x20, 0x64, 0x88, 0xb5]), inner]);
    const tx = sender();
    tx.send(tagged);
    tx.close();
    const b = ring.next_block(3);
    const f = b ? [...b][0] : undefined;
    const c = b?.cursor();
    const cursorVlan = c?.next() ? [c.vlan_tci, c.vlan_tpid] : null;
    const out = f && {
      vlan_tci: f.vlan_tci,
      vlan_tpid: f.vlan_tpid,
      vlanValid: (f.status & socket.TP_STATUS_VLAN_VALID) !== 0,
      tpidValid: (f.status & socket.TP_STATUS_VLAN_TPID_VALID) !== 0,
      len: f.len,
      ethertype: f.data.readUInt16BE(12),
      rest: f.data.subarray(14).equals(inner),
    };
    s.close();
    return { sent: tagged.length, frame: out ?? null, cursorVlan };
  },

  // A filter compiled by `tcpdump -dd 'udp port 47913'` on the ring: only those pass.
  bpf() {
    const text = fs.readFileSync(path.join(__dirname, 'udp-port-47913.bpf'), 'utf8');
    const program = [
      ...text.matchAll(/\{\s*(0x[0-9a-f]+|\d+),\s*(\d+),\s*(\d+),\s*(0x[0-9a-f]+|\d+)\s*\}/gi),
    ].map((m) => m.slice(1, 5).map(Number) as Insn);
    const s = captureSocket(program);
    const ring = s.rx_ring({ block_size: 1 << 16, block_nr: 4, frame_size: 2048, retire_blk_tov: 10 });
    const tx = sender();
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) {
      const port = i % 2 === 0 ? 47913 : 47914 + i;
      ports.push(port);
      const udp = udpDatagram(40000 + i, port, Buffer.from(`datagram ${i}`));
      tx.send(ethernetFrame(MAC1, MAC0, 0x0800, ipv4Packet('10.9.0.1', '10.9.0.2', 17, udp)));
    }
    tx.close();
    const got: number[] = [];
    for (let i = 0; i < 100 && got.length < 20; i++) {
      const b = ring.next_block(2);
      if (!b) break;
      for (const f of b) got.push(f.data.readUInt16BE(14 + 20 + 2));
    }
    s.close();
    return { sent: ports, got };
  },

  // A ring too small for a burst that nobody reads: the kernel counts drops.
  drops() {
    const s = captureSocket();
    const ring = s.rx_ring({ block_size: 4096, block_nr: 2, frame_size: 2048, retire_blk_tov: 1000 });
    sendAll(400, () => 500);
    const stats = ring.stats();
    let read = 0;
    let losing = 0;
    for (let i = 0; i < 10; i++) {
      const b = ring.next_block(0.2);
      if (!b) break;
      if (b.status & socket.TP_STATUS_LOSING) losing++;
      for (const f of b) {
        read++;
        if (f.status & socket.TP_STATUS_LOSING) losing++;
      }
    }
    const after = ring.stats();
    s.close();
    return { stats, read, losing, after };
  },

  // A transmit ring's frames arrive byte for byte (V3 and V2 layouts, blocking and async).
  async tx() {
    const out: Record<string, unknown> = {};
    for (const mode of ['v3', 'v2', 'async'] as const) {
      const rx = captureSocket();
      rx.settimeout(3);
      const txs = socket.socket(AF_PACKET, SOCK_RAW, 0);
      txs.bind(['rv0', 0]);
      const frames = Array.from({ length: 100 }, (_, i) => {
        const f = testFrame(i, sizeOf(i));
        f.fill(i, 18); // distinct bytes per frame after the seq
        return f;
      });
      let sent = 0;
      let version = 0;
      if (mode === 'async') {
        const a = socket.aio.from_stdlib_socket(txs);
        const ring = a.tx_ring({ frame_size: 2048, frame_nr: 16 });
        version = ring.version;
        for (let i = 0; i < 100 && sent < frames.length; i++)
          sent += await ring.send(frames.slice(sent), { timeout: 3 });
      } else {
        const ring = txs.tx_ring({ frame_size: 2048, frame_nr: 16, version: mode === 'v2' ? 2 : 3 });
        version = ring.version;
        txs.settimeout(3);
        for (let i = 0; i < 100 && sent < frames.length; i++) sent += ring.send(frames.slice(sent));
      }
      const mismatched: number[] = [];
      let received = 0;
      for (let i = 0; i < frames.length; i++) {
        const [d] = rx.recvfrom(4096);
        received++;
        const seq = d.readUInt32BE(14);
        if (!d.equals(frames[seq])) mismatched.push(seq);
      }
      rx.close();
      txs.close();
      out[mode] = { version, sent, received, mismatched };
    }
    return out;
  },

  // Closing the socket while views are alive: they read as empty, nothing crashes.
  'close-views'() {
    const s = captureSocket();
    const ring = s.rx_ring({ block_size: 1 << 16, block_nr: 2, frame_size: 2048, retire_blk_tov: 10 });
    sendAll(5);
    const b = ring.next_block(3)!;
    const frames = [...b];
    const view = frames[0].data;
    const copy = Buffer.from(view);
    const lenBefore = view.length;
    const cursor = b.cursor();
    cursor.next();
    s.close();
    let nextErr = '';
    try {
      ring.next_block(0);
    } catch (e) {
      nextErr = `${(e as Error).name} ${(e as socket.OSError).errno}`;
    }
    let statsErr = '';
    try {
      ring.stats();
    } catch (e) {
      statsErr = `${(e as Error).name} ${(e as socket.OSError).errno}`;
    }
    b.release();
    return {
      lenBefore,
      lenAfter: view.length,
      byteAfter: view[0] ?? null,
      frames: frames.length > 0,
      laterData: frames[frames.length - 1].data.length,
      iterAfter: [...b].length,
      bytesAfter: ring.bytes.length,
      cursorAfter: [cursor.next(), cursor.data.length, b.cursor().next()],
      copyIntact: copy.readUInt32BE(14) === 0 && copy.length === lenBefore,
      closed: ring.closed,
      size: ring.size,
      nextErr,
      statsErr,
    };
  },

  // Closing the ring or the socket while an async next_block() waits; abort; timeout.
  async 'close-async'() {
    const r: Record<string, string> = {};
    const outcome = (p: Promise<unknown>) =>
      p.then(
        (v) => `resolved ${v === null ? 'null' : typeof v}`,
        (e) => `${(e as Error).name} ${(e as socket.OSError).errno ?? ''}`.trim(),
      );
    {
      const s = asyncCaptureSocket();
      const ring = s.rx_ring({ block_size: 4096, block_nr: 2, frame_size: 2048 });
      const p = outcome(ring.next_block());
      setTimeout(() => s.close(), 50);
      r.socketClose = await p;
    }
    {
      const s = asyncCaptureSocket();
      const ring = s.rx_ring({ block_size: 4096, block_nr: 2, frame_size: 2048 });
      const p = outcome(ring.next_block());
      setTimeout(() => ring.close(), 50);
      r.ringClose = await p;
      // The socket survives its ring and receives normally again.
      setTimeout(() => sendAll(1), 10);
      s.settimeout(3);
      const [d] = await s.recvfrom(4096);
      r.afterRing = `recvfrom ${d.readUInt32BE(14)}`;
      s.close();
    }
    {
      const s = asyncCaptureSocket();
      const ring = s.rx_ring({ block_size: 4096, block_nr: 2, frame_size: 2048 });
      const ac = new AbortController();
      const p = outcome(ring.next_block({ signal: ac.signal }));
      setTimeout(() => ac.abort(), 50);
      r.abort = await p;
      r.timeout = await outcome(ring.next_block({ timeout: 0.1 }));
      r.preAborted = await outcome(ring.next_block({ signal: AbortSignal.abort() }));
      setTimeout(() => sendAll(3), 10);
      const b = await ring.next_block({ timeout: 3 });
      r.afterAbort = b && b.num_pkts >= 1 ? 'a block' : 'null';
      s.close();
    }
    return r;
  },

  // A worker ends (terminate) while blocked in next_block() on a mapped ring: the mapping
  // and the fd go with it.
  async 'worker-terminate'() {
    const maps = () =>
      fs
        .readFileSync('/proc/self/maps', 'utf8')
        .split('\n')
        .filter((l) => / socket:\[/.test(l)).length;
    const fds = () =>
      fs.readdirSync('/proc/self/fd').filter((f) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${f}`).startsWith('socket:');
        } catch {
          return false;
        }
      }).length;
    const before = { maps: maps(), fds: fds() };
    const w = tsWorker({ mode: 'terminate' });
    await new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    const during = { maps: maps(), fds: fds() };
    await w.terminate();
    await new Promise((r) => setTimeout(r, 50));
    return { before, during, after: { maps: maps(), fds: fds() } };
  },

  // examples/sniffer.ts on rv1 in ring mode (-q: counts only) and with --no-ring, with the
  // tcpdump -dd filter for UDP port 47913.
  async sniffer() {
    const out: Record<string, unknown> = {};
    const bpf = path.join(__dirname, 'udp-port-47913.bpf');
    for (const [mode, extra] of [
      ['ring', ['-q', '-c', '1000', '-W', '1.6']],
      ['recvmsg', ['--no-ring', '-c', '20', '-W', '10']],
    ] as const) {
      const ex = example('sniffer.ts', ['-i', 'rv1', '--bpf', bpf, ...extra]);
      await ex.waitFor(/listening on rv1/);
      const tx = sender();
      for (let i = 0; i < 40; i++) {
        const udp = udpDatagram(40000, i % 2 === 0 ? 47913 : 47914, Buffer.from(`datagram ${i}`));
        tx.send(ethernetFrame(MAC1, MAC0, 0x0800, ipv4Packet('10.9.0.1', '10.9.0.2', 17, udp)));
      }
      tx.close();
      const r = await ex.exit;
      out[mode] = { code: r.code, stdout: r.stdout, stderr: r.stderr };
    }
    return out;
  },

  // examples/fanout.ts in this namespace: the flows it was sent, each counted by one worker.
  async 'fanout-example'() {
    const ex = example('fanout.ts', ['-i', 'rv1', '-w', '3', '-W', '1.5']);
    await ex.waitFor(/ready/);
    sendFlows(12, 25);
    const r = await ex.exit;
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  },

  // N workers in one PACKET_FANOUT_HASH group see every frame of a flow set exactly once.
  async fanout() {
    const workers = 3;
    const flows = 12;
    const perFlow = 40;
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const id = process.pid & 0xffff;
    const results: Promise<number[][]>[] = [];
    const ready: Promise<void>[] = [];
    const ws: Worker[] = [];
    for (let i = 0; i < workers; i++) {
      const w = tsWorker({ mode: 'fanout', stop, id });
      ws.push(w);
      ready.push(new Promise((r) => w.once('message', () => r())));
      results.push(
        new Promise((r, j) => {
          w.on('message', (m) => Array.isArray(m) && r(m as number[][]));
          w.once('error', j);
        }),
      );
    }
    await Promise.all(ready);
    sendFlows(flows, perFlow);
    await new Promise((r) => setTimeout(r, 300));
    Atomics.store(stop, 0, 1);
    const per = await Promise.all(results);
    await Promise.all(ws.map((w) => w.terminate()));
    return { workers, flows, perFlow, per };
  },
};

const name = process.argv[2];
const fn = scenarios[name];
if (!fn) {
  console.error(`unknown scenario ${name}`);
  process.exit(2);
}
if (name !== 'unprivileged') {
  MAC0 = mac('rv0');
  MAC1 = mac('rv1');
}
Promise.resolve(fn()).then(
  (r) => {
    console.log(JSON.stringify(r));
    process.exit(0);
  },
  (e) => {
    console.error((e as Error).stack ?? String(e));
    process.exit(1);
  },
);
