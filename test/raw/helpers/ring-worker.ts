// A worker_thread of helpers/ring-child.ts (started through tsx, so it loads lib/ directly).
//   mode 'fanout':    joins PACKET_FANOUT group `id` (hash mode) on rv1 with its own ring and
//                     reports [flow, seq] of every frame it saw once `stop` is set.
//   mode 'terminate': maps a ring, says 'mapped' and blocks in next_block() until terminated.
import { parentPort, workerData } from 'node:worker_threads';
import * as socket from '../../../lib/index';

const { mode, id, stop } = workerData as { mode: string; id: number; stop: Int32Array };

if (mode === 'terminate') {
  const s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0);
  const ring = s.rx_ring({ block_size: 1 << 20, block_nr: 16, frame_size: 2048 });
  parentPort!.postMessage('mapped');
  ring.next_block(null);
} else {
  // Only IPv4 UDP frames (the flows the parent injects).
  const s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0);
  s.attach_filter([
    [0x28, 0, 0, 12],
    [0x15, 0, 3, 0x0800],
    [0x30, 0, 0, 23],
    [0x15, 0, 1, 17],
    [0x06, 0, 0, 0x40000],
    [0x06, 0, 0, 0],
  ]);
  s.bind(['rv1', socket.ETH_P_ALL]);
  const ring = s.rx_ring({
    block_size: 1 << 16,
    block_nr: 8,
    frame_size: 2048,
    retire_blk_tov: 10,
    fanout: { id, mode: socket.PACKET_FANOUT_HASH },
  });
  parentPort!.postMessage('ready');
  const seen: number[][] = [];
  for (let i = 0; i < 10_000; i++) {
    const b = ring.next_block(0.05);
    if (b) for (const f of b) seen.push([f.data.readUInt32BE(42), f.data.readUInt32BE(46)]);
    else if (Atomics.load(stop, 0) === 1) break;
  }
  s.close();
  parentPort!.postMessage(seen);
}
