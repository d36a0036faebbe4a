// PACKET_MMAP rings (lib/ring.ts, native/ring.cc).
//
// Traffic tests run helpers/ring-child.ts inside a namespace of their own holding a veth pair
// rv0 <-> rv1 (helpers/veth.ts; unique name per process, removed in afterAll): frames injected
// on rv0 are captured by a ring on rv1. Argument checks, lifetime and the kernel's refusals run
// in this process on packet sockets created with protocol 0, which receive nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as socket from '../../lib/index';
import { CHILD_TEST_TIMEOUT, NETNS, RAW, need } from './helpers/env';
import { catchError as thrown } from '../helpers/errors';
import { track, useSockets } from '../helpers/tracker';
import { createVethNamespace, type VethNamespace } from './helpers/veth';

useSockets({ watchdog: false });

const CHILD = 'test/raw/helpers/ring-child.ts';
const RX = { block_size: 1 << 16, block_nr: 4, frame_size: 2048 };
const ETH_TEST = 0x88b5;

describe(`rings on a veth pair${NETNS.why}`, () => {
  let net: VethNamespace | undefined;
  beforeAll(() => {
    if (!NETNS.skip) net = createVethNamespace();
  });
  afterAll(() => net?.destroy());

  async function scenario(name: string, prefix: string[] = []): Promise<any> {
    const r = await net!.tsx(CHILD, [name], CHILD_TEST_TIMEOUT - 5000, prefix);
    // stderr lines are prefixed so that vitest does not read the child's stack as its own.
    if (r.code !== 0) throw new Error(`${name} exited ${r.code}:\n${r.stderr.replace(/^/gm, '| ')}`);
    return JSON.parse(r.stdout);
  }

  function checkAllSeen(r: any) {
    expect(r.bad).toEqual([]);
    expect([...r.seqs].sort((a: number, b: number) => a - b)).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    );
    // [ifname, proto (host order), pkttype, hatype, sender's MAC], as recvfrom gives it.
    expect(r.addresses).toEqual([JSON.stringify(['rv1', ETH_TEST, socket.PACKET_HOST, 1, r.mac0])]);
    expect(r.minSec).toBeGreaterThanOrEqual(r.before - 1);
    expect(r.maxSec).toBeLessThanOrEqual(r.after + 1);
    expect(r.blocks).toBeGreaterThan(0);
  }

  it.skipIf(NETNS.skip)(
    'every frame once, with its length, bytes, address and timestamp (blocking)',
    async () => {
      const r = await scenario('rx');
      checkAllSeen(r);
      expect(r.stats).toEqual({ packets: 300, drops: 0, freeze_q_cnt: 0 });
      expect(r.cursorBad).toBe(0);
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'the same on an AsyncSocket with for await',
    async () => checkAllSeen(await scenario('rx-async')),
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'an 802.1Q tag is reported in vlan_tci / vlan_tpid and taken off the data',
    async () => {
      const r = await scenario('vlan');
      expect(r.frame).toEqual({
        vlan_tci: 0x2064,
        vlan_tpid: 0x8100,
        vlanValid: true,
        tpidValid: true,
        len: r.sent - 4,
        ethertype: ETH_TEST,
        rest: true,
      });
      expect(r.cursorVlan).toEqual([0x2064, 0x8100]);
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'a tcpdump -dd filter on the ring passes only its frames',
    async () => {
      const r = await scenario('bpf');
      expect(r.got).toEqual(r.sent.filter((p: number) => p === 47913));
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'a ring too small for a burst counts the drops (PACKET_STATISTICS, reset on read)',
    async () => {
      const r = await scenario('drops');
      expect(r.stats.packets).toBe(400);
      expect(r.stats.drops).toBeGreaterThan(0);
      expect(r.read).toBe(r.stats.packets - r.stats.drops);
      expect(r.after).toEqual({ packets: 0, drops: 0, freeze_q_cnt: 0 });
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'a transmit ring sends frames the other side receives byte for byte (V3, V2, async)',
    async () => {
      const r = await scenario('tx');
      expect(r.v3).toEqual({ version: 3, sent: 100, received: 100, mismatched: [] });
      expect(r.v2).toEqual({ version: 2, sent: 100, received: 100, mismatched: [] });
      expect(r.async).toEqual({ version: 3, sent: 100, received: 100, mismatched: [] });
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'closing the socket with views alive: they read as empty, copies survive',
    async () => {
      expect(await scenario('close-views')).toEqual({
        lenBefore: 60,
        lenAfter: 0,
        byteAfter: null,
        frames: true,
        laterData: 0,
        iterAfter: 0,
        bytesAfter: 0,
        cursorAfter: [false, 0, false],
        copyIntact: true,
        closed: true,
        size: 0,
        nextErr: 'OSError 9',
        statsErr: 'OSError 9',
      });
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'closing the socket or the ring during an async wait rejects it; abort and timeout',
    async () => {
      expect(await scenario('close-async')).toEqual({
        socketClose: 'OSError 9',
        ringClose: 'OSError 9',
        afterRing: 'recvfrom 0',
        abort: 'AbortError',
        timeout: 'resolved null',
        preAborted: 'AbortError',
        afterAbort: 'a block',
      });
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'a worker terminated while blocked on a mapped ring releases the mapping and the fd',
    async () => {
      const r = await scenario('worker-terminate');
      expect(r.during.maps).toBe(r.before.maps + 1);
      expect(r.after).toEqual(r.before);
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'PACKET_FANOUT_HASH across worker_threads: every frame once, each flow in one worker',
    async () => {
      const r = await scenario('fanout');
      const all = (r.per as number[][][]).flat().map(([f, k]) => `${f}/${k}`);
      expect(all.length).toBe(r.flows * r.perFlow);
      expect(new Set(all).size).toBe(all.length);
      const owner = new Map<number, number>();
      (r.per as number[][][]).forEach((frames, w) => {
        for (const [f] of frames) {
          expect(owner.get(f) ?? w).toBe(w);
          owner.set(f, w);
        }
      });
      expect(owner.size).toBe(r.flows);
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'examples/sniffer.ts: ring mode with a tcpdump -dd filter counts per second; --no-ring prints the same frames',
    async () => {
      const r = await scenario('sniffer');
      expect(r.ring.code).toBe(0);
      expect(r.ring.stdout).toBe('');
      expect(r.ring.stderr).toMatch(/^stats: \d+ packets\/s, 0 dropped$/m);
      expect(r.ring.stderr).toMatch(/^20 packets captured, 0 dropped by the kernel$/m);
      expect(r.recvmsg.code).toBe(0);
      const lines = r.recvmsg.stdout.trim().split('\n');
      expect(lines).toHaveLength(20);
      for (const l of lines) expect(l).toMatch(/ rv1 In {2}.* > 10\.9\.0\.2\.47913: UDP, length \d+$/);
      expect(r.recvmsg.stderr).toMatch(/^20 packets captured$/m);
    },
    CHILD_TEST_TIMEOUT,
  );

  it.skipIf(NETNS.skip)(
    'examples/fanout.ts: three workers, every frame counted once, each flow by one worker',
    async () => {
      const r = await scenario('fanout-example');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^total: 300 frames$/m);
      const flows = [...r.stdout.matchAll(/^worker \d: (\d+) frames, (\d+) flows, 0 dropped$/gm)];
      expect(flows).toHaveLength(3);
      expect(flows.reduce((n, m) => n + Number(m[2]), 0)).toBe(12);
    },
    CHILD_TEST_TIMEOUT,
  );

  const UNPRIV = need('root', 'setpriv', 'ip');
  it.skipIf(NETNS.skip || UNPRIV.skip)(
    `without CAP_NET_RAW the PermissionError names the capability${UNPRIV.why}`,
    async () => {
      const r = await scenario('unprivileged', [
        'setpriv',
        '--inh-caps=-net_raw',
        '--bounding-set=-net_raw',
        '--',
      ]);
      for (const k of ['blocking', 'async']) {
        expect(r[k]).toMatch(/^PermissionError \(PermissionError\): \[Errno 1\] .*CAP_NET_RAW/);
      }
    },
    CHILD_TEST_TIMEOUT,
  );
});

describe(`ring arguments and lifetime${RAW.why}`, () => {
  const packet = (type: number = socket.SOCK_RAW) => track(socket.socket(socket.AF_PACKET, type, 0));
  const msg = (fn: () => unknown) => {
    const e = thrown(fn);
    return `${e.name}: ${e.message}`;
  };

  it.skipIf(RAW.skip)('maps a ring: sizes, an empty next_block(0), stats, close and map again', () => {
    const s = packet();
    const r = s.rx_ring({ ...RX, retire_blk_tov: 5 });
    expect([r.block_size, r.block_nr, r.frame_size, r.frame_nr, r.size]).toEqual([
      1 << 16,
      4,
      2048,
      128,
      1 << 18,
    ]);
    expect(r.next_block(0)).toBe(null);
    expect(r.stats()).toEqual({ packets: 0, drops: 0, freeze_q_cnt: 0 });
    r.close();
    r.close();
    expect([r.closed, r.size]).toEqual([true, 0]);
    const again = s.rx_ring({ block_size: 4096, block_nr: 2, frame_size: 128 });
    expect(again.frame_nr).toBe(64);
    // A ring on SOCK_DGRAM, and a transmit ring on another socket.
    expect(packet(socket.SOCK_DGRAM).rx_ring(RX).size).toBe(1 << 18);
    const tx = packet().tx_ring({ frame_size: 2048, frame_nr: 3 });
    expect([tx.version, tx.frame_nr, tx.block_size]).toEqual([3, 4, 4096]);
    expect(packet().tx_ring({ frame_size: 6000, frame_nr: 2, version: 2 }).block_size).toBe(8192);
  });

  it.skipIf(RAW.skip)(
    'every bad option is a TypeError or RangeError saying which rule, before any syscall',
    () => {
      const s = packet();
      const cases: [unknown, string][] = [
        [undefined, 'TypeError: rx_ring() options must be an object, not undefined'],
        [[], 'TypeError: rx_ring() options must be an object, not Array'],
        [{ ...RX, blocksize: 1 }, "TypeError: rx_ring() options: unknown option 'blocksize'"],
        [{ block_nr: 1, frame_size: 2048 }, "TypeError: rx_ring() needs the option 'block_size'"],
        [{ ...RX, block_size: '4096' }, 'TypeError: rx_ring() block_size must be an integer, not string'],
        [{ ...RX, block_size: 4096.5 }, 'TypeError: rx_ring() block_size must be an integer, not float'],
        [{ ...RX, block_size: 0 }, 'RangeError: rx_ring() block_size must be 1 to 1073741824, not 0'],
        [
          { ...RX, block_size: 6000 },
          'RangeError: rx_ring() block_size 6000 is not a multiple of the page size (4096)',
        ],
        [{ ...RX, block_nr: 0 }, 'RangeError: rx_ring() block_nr must be 1 to 4294967295, not 0'],
        [
          { ...RX, frame_size: 2050 },
          'RangeError: rx_ring() frame_size 2050 is not a multiple of TPACKET_ALIGNMENT (16)',
        ],
        [
          { ...RX, frame_size: 64 },
          'RangeError: rx_ring() frame_size 64 is smaller than the TPACKET_V3 frame header',
        ],
        [
          { ...RX, block_size: 4096, frame_size: 8192 },
          'RangeError: rx_ring() frame_size 8192 is larger than block_size 4096',
        ],
        [
          { ...RX, block_size: 1 << 22, block_nr: 257 },
          'RangeError: rx_ring() block_size * block_nr is 1077936128 bytes; one ring maps at most',
        ],
        [
          { ...RX, retire_blk_tov: -1 },
          'RangeError: rx_ring() retire_blk_tov must be 0 to 4294967295, not -1',
        ],
        [{ ...RX, timestamp: 1.5 }, 'TypeError: rx_ring() timestamp must be an integer, not float'],
        [{ ...RX, fanout: 3 }, 'TypeError: rx_ring() fanout must be an object, not int'],
        [{ ...RX, fanout: { id: 1 } }, "TypeError: rx_ring() needs the option 'fanout.mode'"],
        [
          { ...RX, fanout: { id: 70000, mode: 0 } },
          'RangeError: rx_ring() fanout.id must be 0 to 65535, not 70000',
        ],
        [
          { ...RX, fanout: { id: 1, mode: 0, flags: 1 } },
          'RangeError: rx_ring() fanout flags 0x1 has unknown bits',
        ],
        [
          { ...RX, fanout: { id: 1, mode: 0, group: 1 } },
          "TypeError: rx_ring() fanout: unknown option 'group'",
        ],
      ];
      for (const [opts, want] of cases)
        expect(msg(() => s.rx_ring(opts as socket.RxRingOptions))).toContain(want);
      const tx: [unknown, string][] = [
        [{ frame_size: 2048 }, "TypeError: tx_ring() needs the option 'frame_nr'"],
        [
          { frame_size: 2040, frame_nr: 1 },
          'RangeError: tx_ring() frame_size 2040 is not a multiple of TPACKET_ALIGNMENT (16)',
        ],
        [
          { frame_size: 64, frame_nr: 1 },
          'RangeError: tx_ring() frame_size 64 leaves no room after the 68-byte frame header',
        ],
        [
          { frame_size: 2048, frame_nr: 1, version: 1 },
          'RangeError: tx_ring() version must be 2 or 3, not 1',
        ],
        [
          { frame_size: 2048, frame_nr: 1, qdisc_bypass: 1 },
          'TypeError: tx_ring() qdisc_bypass must be a boolean, not int',
        ],
        [
          { frame_size: 2048, frame_nr: 1 << 20 },
          'RangeError: tx_ring() frame_size * frame_nr needs 2147483648 bytes',
        ],
      ];
      for (const [opts, want] of tx)
        expect(msg(() => s.tx_ring(opts as socket.TxRingOptions))).toContain(want);
      // Nothing was set on the socket: a valid ring still maps.
      expect(s.rx_ring(RX).size).toBe(1 << 18);
    },
  );

  it.skipIf(RAW.skip)('wrong socket kinds, closed sockets and double mapping', () => {
    const udp = track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
    expect(msg(() => udp.rx_ring(RX))).toBe(
      'TypeError: rx_ring() needs an AF_PACKET SOCK_RAW or SOCK_DGRAM socket, not family 2 type 2',
    );
    expect(msg(() => packet(socket.SOCK_DGRAM).tx_ring({ frame_size: 2048, frame_nr: 1 }))).toBe(
      'TypeError: tx_ring() needs an AF_PACKET SOCK_RAW socket, not family 17 type 2',
    );
    const closed = packet();
    closed.close();
    const e = thrown(() => closed.rx_ring(RX));
    expect([e.constructor, e.errno]).toEqual([socket.OSError, 9]);
    const s = packet();
    s.rx_ring(RX);
    const busy = thrown(() => s.rx_ring(RX));
    expect([busy.errno, busy.syscall]).toEqual([16, 'setsockopt']);
    expect(busy.message).toContain('the socket already has a receive ring');
    expect(thrown(() => s.tx_ring({ frame_size: 2048, frame_nr: 2 })).errno).toBe(16);
    // Another socket object over the same fd: the kernel's own EBUSY.
    const other = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0, socket.dup(s.fileno())));
    const k = thrown(() => other.rx_ring(RX));
    expect([k.errno, k.syscall]).toEqual([16, 'setsockopt']);
  });

  it.skipIf(RAW.skip)(
    'the kernel refuses what only it can judge: OSError, the socket left without a ring',
    () => {
      const s = packet();
      // Fanout needs a running socket: protocol 0 and unbound is not.
      const e = thrown(() => s.rx_ring({ ...RX, fanout: { id: 7, mode: socket.PACKET_FANOUT_HASH } }));
      expect([e.constructor, e.errno, e.syscall]).toEqual([socket.OSError, 22, 'setsockopt']);
      expect(s.rx_ring(RX).size).toBe(1 << 18);
    },
  );

  it.skipIf(RAW.skip)(
    'next_block, send and stats check their arguments; closed rings raise EBADF',
    async () => {
      const s = packet();
      const r = s.rx_ring(RX);
      expect(msg(() => r.next_block(-1))).toBe('RangeError: Timeout value out of range');
      expect(msg(() => r.next_block('1' as unknown as number))).toContain('TypeError');
      s.settimeout(0.05);
      expect(r.next_block()).toBe(null);
      const t = packet();
      t.bind(['lo', 0]);
      const tx = t.tx_ring({ frame_size: 256, frame_nr: 4 });
      expect(msg(() => tx.send('x' as unknown as Buffer[]))).toBe(
        'TypeError: send() frames must be an array, not string',
      );
      expect(msg(() => tx.send([Buffer.alloc(300)]))).toBe(
        'RangeError: frame 0 is 300 bytes; a slot of this ring holds 1 to 208',
      );
      expect(msg(() => tx.send([Buffer.alloc(14), 'x' as unknown as Buffer]))).toContain('TypeError');
      expect(tx.send([])).toBe(0);
      tx.close();
      expect(thrown(() => tx.send([Buffer.alloc(60)])).errno).toBe(9);
      r.close();
      expect(thrown(() => r.next_block(0)).errno).toBe(9);
      expect(thrown(() => r.stats()).errno).toBe(9);
      const a = track(socket.aio.socket(socket.AF_PACKET, socket.SOCK_RAW, 0));
      const ar = a.rx_ring(RX);
      await expect(ar.next_block({ timeout: -1 })).rejects.toThrow(RangeError);
      await expect(ar.next_block({ wait: 1 } as never)).rejects.toThrow("unknown option 'wait'");
      await expect(ar.next_block({ signal: 1 } as never)).rejects.toThrow('signal must be an AbortSignal');
      expect(await ar.next_block({ timeout: 0 })).toBe(null);
    },
  );

  it.skipIf(RAW.skip)(
    'views are detached on close: a kept ArrayBuffer reads length 0, and it cannot be transferred',
    () => {
      const s = packet();
      const r = s.rx_ring(RX);
      const ab = (r as unknown as { _buffer(): ArrayBuffer })._buffer();
      const view = Buffer.from(ab, 0, 64);
      expect(view.length).toBe(64);
      const { port1, port2 } = new MessageChannel();
      // Node 20 ignores an untransferable buffer in the transfer list (later versions throw):
      // either way the ring keeps its memory.
      try {
        port1.postMessage(ab, [ab]);
      } catch {
        // DataCloneError
      }
      expect(ab.byteLength).toBe(1 << 18);
      port1.close();
      port2.close();
      const ringMaps = () =>
        fs.readFileSync('/proc/self/maps', 'utf8').match(/ socket:\[\d+\]/g)?.length ?? 0;
      const mapped = ringMaps();
      s.close();
      expect([ab.byteLength, view.length, r.closed]).toEqual([0, 0, true]);
      // The memory is gone from this process (a packet ring shows as "socket:[inode]").
      expect(ringMaps()).toBe(mapped - 1);
    },
  );
});
