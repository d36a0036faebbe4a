// attach_filter / detach_filter: classic BPF programs given as [code, jt, jf, k][] (the
// output of `tcpdump -dd`). Argument checks (TypeError / RangeError before any syscall), the
// kernel's own verdict (OSError EINVAL), the filters' effect on UDP and AF_PACKET sockets, and
// SO_LOCK_FILTER (OSError EPERM).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as socket from '../../lib/index';
import { RAW, random16 } from './helpers/env';
import { catchError } from '../helpers/errors';
import { withMachineLock } from '../helpers/machine-lock';
import { track, useSockets } from '../helpers/tracker';
import { bigReceiveBuffer, echoRequest, receiveMatching } from './helpers/packets';

useSockets({ watchdog: false });

type Insn = [number, number, number, number];

const ACCEPT_NOTHING: Insn[] = [[0x06, 0, 0, 0]]; // ret #0
const ACCEPT_ALL: Insn[] = [[0x06, 0, 0, 0xffffffff]]; // ret #-1: the whole packet

// IPv4 protocol 17 or IPv6 next header 17, on Ethernet frames (as examples/sniffer.ts "udp").
const ONLY_UDP: Insn[] = [
  [0x28, 0, 0, 12], // ldh [12]          EtherType
  [0x15, 0, 2, 0x0800], // jeq #0x800    IPv4 -> 2, else -> 4
  [0x30, 0, 0, 23], // ldb [23]          IPv4 protocol
  [0x15, 3, 4, 17], // jeq #17           accept / drop
  [0x15, 0, 3, 0x86dd], // jeq #0x86dd   IPv6 -> 5, else drop
  [0x30, 0, 0, 20], // ldb [20]          IPv6 next header
  [0x15, 0, 1, 17], // jeq #17
  [0x06, 0, 0, 262144], // ret #262144
  [0x06, 0, 0, 0], // ret #0
];

/** `tcpdump -i lo -dd 'udp port 47913'` output (tcpdump 4.99.3), parsed as examples/sniffer.ts does. */
const TCPDUMP_PORT = 47913;
function tcpdumpProgram(): Insn[] {
  const text = fs.readFileSync(path.join(__dirname, 'helpers', 'udp-port-47913.bpf'), 'utf8');
  return [...text.matchAll(/\{\s*(0x[0-9a-f]+|\d+),\s*(\d+),\s*(\d+),\s*(0x[0-9a-f]+|\d+)\s*\}/gi)].map(
    (m) => m.slice(1, 5).map(Number) as Insn,
  );
}

function udpPair(): [socket.Socket, socket.Socket, number] {
  const rx = track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
  rx.bind(['127.0.0.1', 0]);
  const tx = track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));
  return [rx, tx, (rx.getsockname() as [string, number])[1]];
}

/** [IP protocol or next header, UDP destination port or -1] of an Ethernet frame. */
function classify(frame: Buffer): [number, number] {
  const type = frame.readUInt16BE(12);
  let proto = -1;
  let l4 = frame.length;
  if (type === 0x0800) {
    proto = frame[23];
    l4 = 14 + (frame[14] & 0x0f) * 4;
  } else if (type === 0x86dd) {
    proto = frame[20];
    l4 = 54;
  }
  const dport = proto === 17 && frame.length >= l4 + 4 ? frame.readUInt16BE(l4 + 2) : -1;
  return [proto, dport];
}

describe('attach_filter argument checks', () => {
  const s = () => track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM));

  it('a non-integer field (1.5, "6", null, NaN, 1n) is a TypeError', () => {
    const sock = s();
    for (const bad of [1.5, '6', null, NaN, undefined, 1n, {}]) {
      expect(() => sock.attach_filter([[bad as never, 0, 0, 0]])).toThrow(TypeError);
      expect(() => sock.attach_filter([[6, 0, 0, bad as never]])).toThrow(TypeError);
    }
  });

  it('negative fields and code > 0xffff, jt/jf > 0xff, k > 2^32-1 are RangeErrors', () => {
    const sock = s();
    for (const bad of [
      [-1, 0, 0, 0],
      [6, -1, 0, 0],
      [6, 0, -1, 0],
      [6, 0, 0, -1],
      [0x10000, 0, 0, 0],
      [6, 0x100, 0, 0],
      [6, 0, 0x100, 0],
      [6, 0, 0, 2 ** 32],
      [6, 0, 0, Infinity],
    ]) {
      expect(() => sock.attach_filter([bad as Insn])).toThrow(RangeError);
    }
    // The largest values of each field pass the checks (this program is then the kernel's to judge).
    sock.attach_filter([[0x06, 0xff, 0xff, 0xffffffff]]);
  });

  it('an empty program and more than BPF_MAXINSNS (4096) instructions are RangeErrors; 4096 is fine', () => {
    const sock = s();
    expect(() => sock.attach_filter([])).toThrow(RangeError);
    const ret: Insn = [0x06, 0, 0, 0];
    expect(() => sock.attach_filter(Array.from({ length: 4097 }, () => ret))).toThrow(RangeError);
    sock.attach_filter(Array.from({ length: 4096 }, () => ret));
  });

  it('a program that is not an array of 4-element arrays is a TypeError', () => {
    const sock = s();
    expect(() => sock.attach_filter(5 as never)).toThrow(TypeError);
    expect(() => sock.attach_filter('ret #0' as never)).toThrow(TypeError);
    expect(() => sock.attach_filter([[6, 0, 0]] as never)).toThrow(TypeError);
    expect(() => sock.attach_filter([[6, 0, 0, 0, 0]] as never)).toThrow(TypeError);
    expect(() => sock.attach_filter([6, 0, 0, 0] as never)).toThrow(TypeError);
  });

  it('a program the kernel rejects is OSError EINVAL (jump out of range, no final ret, unknown opcode)', () => {
    const sock = s();
    for (const prog of [
      [
        [0x15, 5, 0, 0],
        [0x06, 0, 0, 0],
      ], // jeq jumps past the end
      [[0x28, 0, 0, 12]], // ldh without a ret after it
      [
        [0xffff, 0, 0, 0],
        [0x06, 0, 0, 0],
      ], // no such opcode
    ] as Insn[][]) {
      const err = catchError(() => sock.attach_filter(prog));
      expect(err).toBeInstanceOf(socket.OSError);
      expect(err.errno).toBe(22);
      expect(err.code).toBe('EINVAL');
    }
  });

  it('detach_filter with no filter attached is the kernel ENOENT; a closed socket is EBADF', () => {
    const sock = s();
    expect(catchError(() => sock.detach_filter())).toMatchObject({ errno: 2, name: 'FileNotFoundError' });
    sock.close();
    expect(catchError(() => sock.attach_filter(ACCEPT_ALL))).toMatchObject({ errno: 9 });
    expect(catchError(() => sock.detach_filter())).toMatchObject({ errno: 9 });
  });
});

describe('filters at work', () => {
  it('a filter that accepts nothing drops every datagram; detach_filter lets them in again', () => {
    const [rx, tx, port] = udpPair();
    rx.attach_filter(ACCEPT_NOTHING);
    tx.sendto(Buffer.from('dropped'), ['127.0.0.1', port]);
    rx.settimeout(0.3);
    expect(catchError(() => rx.recv(100))).toBeInstanceOf(socket.TimeoutError);
    rx.detach_filter();
    tx.sendto(Buffer.from('accepted'), ['127.0.0.1', port]);
    rx.settimeout(3);
    expect(rx.recv(100).toString()).toBe('accepted');
  });

  it('a filter returning fewer bytes truncates the datagram; attaching again replaces the filter', () => {
    const [rx, tx, port] = udpPair();
    // On a UDP socket the program sees the UDP header first: ret #12 keeps 4 payload bytes.
    rx.attach_filter([[0x06, 0, 0, 12]]);
    tx.sendto(Buffer.from('truncated!'), ['127.0.0.1', port]);
    rx.settimeout(3);
    expect(rx.recv(100).toString()).toBe('trun');
    rx.attach_filter(ACCEPT_ALL);
    tx.sendto(Buffer.from('whole'), ['127.0.0.1', port]);
    expect(rx.recv(100).toString()).toBe('whole');
  });

  it.skipIf(RAW.skip)(
    `on AF_PACKET, "only UDP" passes the UDP datagrams and not the ICMP echo sent first${RAW.why}`,
    () => {
      const pkt = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)); // nothing arrives before bind
      pkt.attach_filter(ONLY_UDP);
      bigReceiveBuffer(pkt); // other UDP traffic on lo passes this filter too
      pkt.bind(['lo', socket.ETH_P_ALL]);
      const icmp = track(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP));
      icmp.sendto(echoRequest(false, random16(), 1), ['127.0.0.1', 0]);
      const [, tx, port] = udpPair();
      tx.sendto(Buffer.from('udp passes'), ['127.0.0.1', port]);
      const seen: number[] = [];
      const r = receiveMatching(pkt, (frame) => {
        const [proto, dport] = classify(frame);
        seen.push(proto);
        return dport === port ? frame : undefined;
      });
      expect(r.value.subarray(-10).toString()).toBe('udp passes');
      expect(seen.every((p) => p === 17)).toBe(true); // no ICMP (1) or anything else got through
    },
  );

  it.skipIf(RAW.skip)(`on AF_PACKET, a filter that accepts nothing lets no frame through${RAW.why}`, () => {
    const pkt = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0));
    pkt.attach_filter(ACCEPT_NOTHING);
    pkt.bind(['lo', socket.ETH_P_ALL]);
    const [rx, tx, port] = udpPair();
    tx.sendto(Buffer.from('invisible'), ['127.0.0.1', port]);
    rx.settimeout(3);
    expect(rx.recv(100).toString()).toBe('invisible'); // it did cross lo
    pkt.settimeout(0.3);
    expect(catchError(() => pkt.recv(65600))).toBeInstanceOf(socket.TimeoutError);
  });

  it.skipIf(RAW.skip)(
    `a program from \`tcpdump -dd 'udp port ${TCPDUMP_PORT}'\` works unchanged${RAW.why}`,
    async () => {
      // The port is the fixture's: no other sender to it on lo meanwhile (test/raw/examples.test.ts,
      // or another run of the suite on this machine).
      await withMachineLock('udp-47913-lo', () => {
        const prog = tcpdumpProgram();
        expect(prog).toHaveLength(20);
        const pkt = track(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0));
        pkt.attach_filter(prog);
        pkt.bind(['lo', socket.ETH_P_ALL]);
        const [, tx, port] = udpPair();
        tx.sendto(Buffer.from('other port'), ['127.0.0.1', port]);
        tx.sendto(Buffer.from('the port'), ['127.0.0.1', TCPDUMP_PORT]);
        const ports: number[] = [];
        const r = receiveMatching(pkt, (frame) => {
          const [, dport] = classify(frame);
          ports.push(dport);
          return dport === TCPDUMP_PORT ? frame : undefined;
        });
        expect(r.value.subarray(-8).toString()).toBe('the port');
        expect(ports.every((p) => p === TCPDUMP_PORT)).toBe(true);
      });
    },
    90_000, // the lock may be held by a sniffer example that is still starting up
  );
});

describe('SO_LOCK_FILTER', () => {
  it('once locked, detach_filter and attach_filter are OSError EPERM (PermissionError)', () => {
    const [rx, tx, port] = udpPair();
    rx.attach_filter(ACCEPT_ALL);
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_LOCK_FILTER, 1);
    expect(rx.getsockopt(socket.SOL_SOCKET, socket.SO_LOCK_FILTER)).toBe(1);
    for (const fn of [() => rx.detach_filter(), () => rx.attach_filter(ACCEPT_NOTHING)]) {
      const err = catchError(fn);
      expect(err).toBeInstanceOf(socket.PermissionError);
      expect(err.errno).toBe(1);
    }
    // The locked filter stays in place and keeps accepting.
    tx.sendto(Buffer.from('still here'), ['127.0.0.1', port]);
    rx.settimeout(3);
    expect(rx.recv(100).toString()).toBe('still here');
  });
});
