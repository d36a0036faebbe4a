// fanout: one capture spread over N worker_threads with PACKET_FANOUT. Each worker opens its
// own AF_PACKET socket and TPACKET_V3 ring on the interface and joins one fanout group in
// hash mode, so the kernel gives every frame to exactly one worker and keeps each flow
// (addresses, ports) on the same worker. Prints what each worker saw.
//
// Run:  npx tsx examples/fanout.ts -i ifname [-w workers] [-W seconds] [-f udp|all]
//
//   -i ifname   interface to capture on (required: fanout members share one binding)
//   -w workers  number of worker_threads (default 4)
//   -W seconds  capture time (default 5)
//   -f udp      only IPv4 UDP frames (default), or -f all
//
// Output: "worker N: F frames, K flows" per worker and a total, on stdout; "ready" on stderr
// once every worker has joined the group. Exit status 0, or 2 on a usage error or when the
// sockets cannot be created (AF_PACKET needs CAP_NET_RAW).
//
// User code would `import * as socket from 'bsdsock'`; the examples import the sources.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as socket from '../lib/index';

type Insn = [number, number, number, number];
// tcpdump -dd 'ip and udp' (EtherType 0x0800, IPv4 protocol 17)
const UDP4: Insn[] = [
  [0x28, 0, 0, 12],
  [0x15, 0, 3, 0x0800],
  [0x30, 0, 0, 23],
  [0x15, 0, 1, 17],
  [0x06, 0, 0, 0x40000],
  [0x06, 0, 0, 0],
];

interface Job {
  ifname: string;
  group: number;
  udpOnly: boolean;
  stop: Int32Array;
}

/** A worker: its own socket and ring in the group; counts frames per flow until told to stop. */
function work(job: Job): void {
  const s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0);
  if (job.udpOnly) s.attach_filter(UDP4);
  s.bind([job.ifname, socket.ETH_P_ALL]); // fanout members must be bound alike
  const ring = s.rx_ring({
    block_size: 1 << 18,
    block_nr: 16,
    frame_size: 2048,
    retire_blk_tov: 10,
    fanout: { id: job.group, mode: socket.PACKET_FANOUT_HASH },
  });
  parentPort!.postMessage({ ready: true });
  const flows = new Map<string, number>();
  let frames = 0;
  // Bounded: each wait is at most 100 ms, and the parent sets `stop` after -W seconds.
  while (Atomics.load(job.stop, 0) === 0) {
    const block = ring.next_block(0.1);
    if (!block) continue;
    for (const f of block) {
      frames++;
      const d = f.data;
      // IPv4 source/destination and the first 4 bytes after the IP header (UDP/TCP ports).
      const key =
        d.length >= 38 ? d.subarray(26, 34).toString('hex') + d.readUInt32BE(14 + (d[14] & 15) * 4) : 'other';
      flows.set(key, (flows.get(key) ?? 0) + 1);
    }
  }
  const drops = ring.stats().drops;
  s.close();
  parentPort!.postMessage({ frames, flows: flows.size, drops });
}

function usage(message: string): never {
  console.error(`fanout: ${message}`);
  console.error('usage: fanout.ts -i ifname [-w workers] [-W seconds] [-f udp|all]');
  process.exit(2);
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let ifname = '';
  let n = 4;
  let seconds = 5;
  let udpOnly = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (a === '-i' && v) ifname = v;
    else if (a === '-w' && Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 64) n = Number(v);
    else if (a === '-W' && Number(v) > 0 && Number(v) <= 86400) seconds = Number(v);
    else if (a === '-f' && (v === 'udp' || v === 'all')) udpOnly = v === 'udp';
    else usage(`bad argument ${a} ${v ?? ''}`);
  }
  if (!ifname) usage('-i ifname is required');

  const stop = new Int32Array(new SharedArrayBuffer(4));
  const job: Job = { ifname, group: process.pid & 0xffff, udpOnly, stop };
  // From a checkout the worker needs tsx's loader as well; a compiled copy (.js) does not.
  const code = __filename.endsWith('.ts')
    ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(__filename)});`
    : `require(${JSON.stringify(__filename)});`;
  const workers = Array.from({ length: n }, () => new Worker(code, { eval: true, workerData: job }));
  const results = workers.map(
    (w) =>
      new Promise<{ frames: number; flows: number; drops: number }>((resolve, reject) => {
        w.on('message', (m) => {
          if (!m.ready) resolve(m);
        });
        w.once('error', reject);
      }),
  );
  try {
    await Promise.all(workers.map((w) => new Promise((r, j) => (w.once('message', r), w.once('error', j)))));
  } catch (e) {
    console.error(`fanout: ${(e as Error).message}`);
    await Promise.all(workers.map((w) => w.terminate()));
    return 2;
  }
  console.error(`ready: ${n} workers in fanout group ${job.group} on ${ifname}`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  Atomics.store(stop, 0, 1);
  const all = await Promise.all(results);
  let total = 0;
  all.forEach((r, i) => {
    total += r.frames;
    console.log(`worker ${i}: ${r.frames} frames, ${r.flows} flows, ${r.drops} dropped`);
  });
  console.log(`total: ${total} frames`);
  return 0;
}

if (isMainThread) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`fanout: ${(e as Error).stack ?? e}`);
      process.exit(2);
    },
  );
} else {
  work(workerData as Job);
}
