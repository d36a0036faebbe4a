// sniffer: a tiny tcpdump. Captures Ethernet frames with an AF_PACKET socket, optionally
// through a classic BPF filter, and prints one decoded line per packet.
//
// Run:  npx tsx examples/sniffer.ts [-i ifname] [-c count] [-W seconds] [-f udp|tcp|icmp|arp] [--bpf file]
//                                   [-q] [--no-ring]
//
//   -i ifname   capture on this interface only (default: every interface)
//   -c count    stop after this many packets (default 10)
//   -W seconds  stop after this many seconds, even if fewer packets came (default: no limit)
//   -f name     one of the prebuilt filters below
//   --bpf file  a filter compiled by tcpdump: the output of `tcpdump -dd 'expression'`
//               (a list of { code, jt, jf, k } lines); '-' reads it from stdin
//   -q          quiet: count packets, print no line per packet
//   --no-ring   one recvmsg per packet instead of the PACKET_MMAP ring
//
// Capture mode: by default frames come from a TPACKET_V3 ring (sock.rx_ring): the kernel hands
// over whole blocks of frames, read in place, and every second a line on stderr gives the
// packets and the kernel's drops of that second. If the ring cannot be mapped the sniffer says
// why and falls back to recvmsg (as --no-ring does).
//
// Exit status: 0 when the capture ran (whatever it caught), 2 on a usage error or when
// the socket cannot be created: AF_PACKET needs CAP_NET_RAW (root, or
// `setcap cap_net_raw+ep` on node).
//
// Notes
// - AF_PACKET byte order follows Python: socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) takes the
//   protocol in network order (it is the raw socket(2) argument), while the protocol inside an
//   address array ([ifname, proto, pkttype, hatype, addr]) is in host order.
// - We create the socket with protocol 0, which receives nothing, attach the filter, and only
//   then bind to [ifname, ETH_P_ALL]. Otherwise unfiltered frames could queue up in between.
// - On `lo` the frames are Ethernet frames with all-zero MAC addresses (hatype is
//   ARPHRD_LOOPBACK, 772), so the same filters work there. Each packet on `lo` is seen twice,
//   leaving (PACKET_OUTGOING) and arriving; as libpcap does, we skip the outgoing copy there.
// - The kernel timestamps each frame: the ring's frame header carries it (frame.sec/nsec);
//   with --no-ring, SO_TIMESTAMPNS makes recvmsg return it as ancillary data
//   (SCM_TIMESTAMPNS: struct timespec, two 64-bit integers).
//
// This example uses the async API (bsdsock/aio). User code would
// `import * as socket from 'bsdsock'`; the examples import the sources so that they run
// without a build.
import * as socket from '../lib/index';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

const { aio } = socket;
type Insn = [number, number, number, number];

// ---- prebuilt BPF programs -------------------------------------------------------------
//
// A classic BPF program is what `tcpdump -dd` prints: [code, jt, jf, k] per instruction.
// The opcodes used here:
//   0x28 ldh [k]   A = the big-endian 16-bit word at offset k   (BPF_LD | BPF_H | BPF_ABS)
//   0x30 ldb [k]   A = the byte at offset k                     (BPF_LD | BPF_B | BPF_ABS)
//   0x15 jeq #k    if A == k skip jt instructions, else skip jf  (BPF_JMP | BPF_JEQ | BPF_K)
//   0x06 ret #k    accept k bytes of the packet (0 = drop it)    (BPF_RET | BPF_K)
// Offsets count from the start of the Ethernet frame: the EtherType is at 12, the IPv4
// protocol at 14 + 9 = 23, the IPv6 next header at 14 + 6 = 20.

/** Frames carrying IP protocol `v4proto` over IPv4 or next header `v6next` over IPv6. */
function ipProtocol(v4proto: number, v6next: number): Insn[] {
  return [
    [0x28, 0, 0, 12], //      0: A = EtherType
    [0x15, 0, 2, 0x0800], //  1: IPv4? -> 2, else -> 4
    [0x30, 0, 0, 23], //      2: A = IPv4 protocol
    [0x15, 3, 4, v4proto], // 3: match? -> 7 (accept), else -> 8 (drop)
    [0x15, 0, 3, 0x86dd], //  4: IPv6? -> 5, else -> 8
    [0x30, 0, 0, 20], //      5: A = IPv6 next header (no extension headers are followed)
    [0x15, 0, 1, v6next], //  6: match? -> 7, else -> 8
    [0x06, 0, 0, 262144], //  7: accept (up to 256 KiB, as tcpdump's snapshot length)
    [0x06, 0, 0, 0], //       8: drop
  ];
}

const FILTERS: Record<string, Insn[]> = {
  udp: ipProtocol(17, 17),
  tcp: ipProtocol(6, 6),
  icmp: ipProtocol(1, 58), // ICMP over IPv4 and ICMPv6 over IPv6
  arp: [
    [0x28, 0, 0, 12], //     0: A = EtherType
    [0x15, 0, 1, 0x0806], // 1: ARP? -> 2, else -> 3
    [0x06, 0, 0, 262144], // 2: accept
    [0x06, 0, 0, 0], //      3: drop
  ],
};

/** Parses `tcpdump -dd` output: lines like `{ 0x28, 0, 0, 0x0000000c },`. */
function parseTcpdumpDd(text: string): Insn[] {
  const num = String.raw`(0x[0-9a-fA-F]+|\d+)`;
  const re = new RegExp(String.raw`[{[]\s*${num}\s*,\s*${num}\s*,\s*${num}\s*,\s*${num}\s*[}\]]`, 'g');
  return [...text.matchAll(re)].map((m) => m.slice(1, 5).map((x) => Number(x)) as Insn);
}

// ---- arguments -------------------------------------------------------------------------

function usage(message?: string): never {
  if (message) console.error(`sniffer: ${message}`);
  console.error(
    'usage: sniffer.ts [-i ifname] [-c count] [-W seconds] [-f udp|tcp|icmp|arp] [--bpf file] [-q] [--no-ring]',
  );
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const o = {
    ifname: '',
    count: 10,
    seconds: 0,
    filterName: '',
    program: null as Insn[] | null,
    quiet: false,
    ring: true,
  };
  const num = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max) usage(`bad value for ${flag}: ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-i') o.ifname = argv[++i] ?? usage('-i needs an interface name');
    else if (a === '-c') o.count = Math.trunc(num(a, argv[++i], 1, 1e9));
    else if (a === '-W') o.seconds = num(a, argv[++i], 0.01, 86400);
    else if (a === '-f') {
      o.filterName = argv[++i] ?? usage('-f needs a filter name');
      o.program =
        FILTERS[o.filterName] ??
        usage(`unknown filter ${o.filterName} (have: ${Object.keys(FILTERS).join(', ')})`);
    } else if (a === '--bpf') {
      const file = argv[++i] ?? usage('--bpf needs a file');
      o.filterName = file === '-' ? 'stdin' : file;
      o.program = parseTcpdumpDd(readFileSync(file === '-' ? 0 : file, 'utf8'));
      if (o.program.length === 0) usage(`no BPF instructions found in ${o.filterName}`);
    } else if (a === '-q') o.quiet = true;
    else if (a === '--no-ring') o.ring = false;
    else usage(`unknown argument ${a}`);
  }
  return o;
}

// ---- decoding --------------------------------------------------------------------------

const mac = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
const ip4 = (b: Buffer): string => socket.inet_ntop(socket.AF_INET, b);
const ip6 = (b: Buffer): string => socket.inet_ntop(socket.AF_INET6, b);

const ICMP_NAMES: Record<number, string> = {
  0: 'echo reply',
  3: 'unreachable',
  8: 'echo request',
  11: 'time exceeded',
};
const ICMP6_NAMES: Record<number, string> = {
  1: 'destination unreachable',
  3: 'time exceeded',
  128: 'echo request',
  129: 'echo reply',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  143: 'multicast listener report v2',
};

// Destination-unreachable codes worth a name (ICMP type 3, ICMPv6 type 1).
const UNREACH_CODES: Record<number, Record<number, string>> = {
  1: { 0: 'net', 1: 'host', 2: 'protocol', 3: 'port' },
  58: { 0: 'route', 1: 'administratively', 3: 'address', 4: 'port' },
};

/** The transport part of a line: UDP / TCP / ICMP / ICMPv6 headers. */
function transport(proto: number, src: string, dst: string, p: Buffer, sep: string): string {
  if ((proto === 17 || proto === 6) && p.length >= 4) {
    const from = `${src}${sep}${p.readUInt16BE(0)}`;
    const to = `${dst}${sep}${p.readUInt16BE(2)}`;
    if (proto === 17 && p.length >= 8) return `${from} > ${to}: UDP, length ${p.readUInt16BE(4) - 8}`;
    if (proto === 6 && p.length >= 20) {
      const off = (p[12] >> 4) * 4;
      const f = p[13];
      const flags = [
        [0x02, 'S'],
        [0x01, 'F'],
        [0x04, 'R'],
        [0x08, 'P'],
        [0x10, '.'],
      ]
        .filter(([bit]) => f & (bit as number))
        .map(([, c]) => c)
        .join('');
      const ack = f & 0x10 ? ` ack ${p.readUInt32BE(8)}` : '';
      return `${from} > ${to}: Flags [${flags}], seq ${p.readUInt32BE(4)}${ack}, win ${p.readUInt16BE(14)}, length ${Math.max(0, p.length - off)}`;
    }
  }
  if ((proto === 1 || proto === 58) && p.length >= 4) {
    const names = proto === 1 ? ICMP_NAMES : ICMP6_NAMES;
    const kind = proto === 1 ? 'ICMP' : 'ICMP6';
    const type = p[0];
    let text = names[type] ?? `type ${type}`;
    const unreachable = proto === 1 ? type === 3 : type === 1;
    if (unreachable && UNREACH_CODES[proto]?.[p[1]]) text = `${UNREACH_CODES[proto][p[1]]} unreachable`;
    else if (p[1]) text += ` code ${p[1]}`;
    const echo = proto === 1 ? type === 0 || type === 8 : type === 128 || type === 129;
    if (echo && p.length >= 8) text += `, id ${p.readUInt16BE(4)}, seq ${p.readUInt16BE(6)}`;
    return `${src} > ${dst}: ${kind} ${text}, length ${p.length}`;
  }
  return `${src} > ${dst}: ip-proto-${proto} ${p.length}`;
}

/** One line for an Ethernet frame: link header, then IPv4 / IPv6 / ARP. */
function decode(frame: Buffer): string {
  if (frame.length < 14) return `truncated frame, length ${frame.length}`;
  let type = frame.readUInt16BE(12);
  let off = 14;
  let vlan = '';
  if (type === 0x8100 && frame.length >= 18) {
    vlan = `vlan ${frame.readUInt16BE(14) & 0x0fff}, `;
    type = frame.readUInt16BE(16);
    off = 18;
  }
  const link = `${mac(frame.subarray(6, 12))} > ${mac(frame.subarray(0, 6))}, ${vlan}`;
  const p = frame.subarray(off);
  if (type === 0x0800 && p.length >= 20) {
    const ihl = (p[0] & 0x0f) * 4;
    const end = Math.min(p.length, p.readUInt16BE(2));
    const src = ip4(p.subarray(12, 16));
    const dst = ip4(p.subarray(16, 20));
    if (p.readUInt16BE(6) & 0x1fff) return `${link}IP ${src} > ${dst}: fragment, ttl ${p[8]}`;
    return `${link}IP ${transport(p[9], src, dst, p.subarray(ihl, end), '.')}`;
  }
  if (type === 0x86dd && p.length >= 40) {
    const end = Math.min(p.length, 40 + p.readUInt16BE(4));
    // Skip extension headers (hop-by-hop, routing, fragment, destination options) to reach
    // the transport header; MLD reports, for one, come behind a hop-by-hop header.
    let next = p[6];
    let off = 40;
    for (let i = 0; i < 8 && [0, 43, 44, 60].includes(next) && off + 8 <= end; i++) {
      const len = next === 44 ? 8 : (p[off + 1] + 1) * 8;
      next = p[off];
      off += len;
    }
    return `${link}IP6 ${transport(next, ip6(p.subarray(8, 24)), ip6(p.subarray(24, 40)), p.subarray(Math.min(off, end), end), '.')}`;
  }
  if (type === 0x0806 && p.length >= 28 && p[4] === 6 && p[5] === 4) {
    const op = p.readUInt16BE(6);
    const spa = ip4(p.subarray(14, 18));
    const tpa = ip4(p.subarray(24, 28));
    if (op === 1) return `${link}ARP, Request who-has ${tpa} tell ${spa}, length ${p.length}`;
    if (op === 2) return `${link}ARP, Reply ${spa} is-at ${mac(p.subarray(8, 14))}, length ${p.length}`;
    return `${link}ARP, op ${op}, length ${p.length}`;
  }
  return `${link}ethertype 0x${type.toString(16).padStart(4, '0')}, length ${frame.length}`;
}

// sll_pkttype values, named as `tcpdump -i any` shows them.
const DIRECTION = ['In ', 'B  ', 'M  ', 'P  ', 'Out'];

/** HH:MM:SS.microseconds of the kernel timestamp, local time, as tcpdump prints it. */
function clock(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  const hms = [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
  return `${hms}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`;
}

// ---- main ------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opt = parseArgs(process.argv.slice(2));

  let sock: ReturnType<typeof aio.socket>;
  let ring: socket.AsyncRxRing | null = null;
  try {
    sock = aio.socket(socket.AF_PACKET, socket.SOCK_RAW, 0); // protocol 0: nothing arrives yet
    if (opt.program) sock.attach_filter(opt.program);
    // The ring is mapped before bind, so the first frame already lands in it.
    // 16 blocks of 1 MiB: room for about 100 000 small frames while the printing catches up.
    if (opt.ring) {
      try {
        ring = sock.rx_ring({ block_size: 1 << 20, block_nr: 16, frame_size: 2048 });
      } catch (e) {
        if (!(e instanceof socket.OSError)) throw e;
        console.error(`sniffer: no ring (${e.message}); one recvmsg per packet instead`);
      }
    }
    // Address protocol in host order (the socket() argument would be htons(ETH_P_ALL)).
    await sock.bind([opt.ifname, socket.ETH_P_ALL]);
  } catch (e) {
    console.error(`sniffer: ${(e as Error).message}`);
    return 2;
  }
  const where = opt.ifname || 'all interfaces';
  const filterText = opt.filterName ? `, filter ${opt.filterName}` : '';
  console.error(`listening on ${where}, link-type EN10MB (Ethernet)${filterText}`);

  // Stop after -W seconds or at Ctrl-C: aborting the pending recvmsg ends the loop.
  const stop = new AbortController();
  const timer = opt.seconds ? setTimeout(() => stop.abort(), opt.seconds * 1000) : undefined;
  process.once('SIGINT', () => stop.abort());

  const print = (sec: number, nsec: number, addr: unknown, frame: Buffer): boolean => {
    // The sender's address: [ifname, proto (host order), pkttype, hatype, hardware address].
    const [ifname, , pkttype] = addr as [string, number, number, number, Buffer];
    if (ifname === 'lo' && pkttype === socket.PACKET_OUTGOING) return false; // the arriving copy follows
    if (!opt.quiet)
      console.log(`${clock(sec, nsec)} ${ifname} ${DIRECTION[pkttype] ?? `${pkttype}  `} ${decode(frame)}`);
    return true;
  };

  const captured = ring
    ? await captureRing(ring, opt.count, stop.signal, print)
    : await captureRecvmsg(sock, opt.count, stop.signal, print);
  clearTimeout(timer);
  sock.close();
  const drops = ring ? `, ${totalDrops} dropped by the kernel` : '';
  console.error(`${captured} packet${captured === 1 ? '' : 's'} captured${drops}`);
  return 0;
}

type Printer = (sec: number, nsec: number, addr: unknown, frame: Buffer) => boolean;
let totalDrops = 0;

/**
 * Ring mode: blocks of frames from a TPACKET_V3 ring, read in place. A line on stderr every
 * second gives that second's packets and the kernel's drops (PACKET_STATISTICS).
 */
async function captureRing(
  ring: socket.AsyncRxRing,
  count: number,
  signal: AbortSignal,
  print: Printer,
): Promise<number> {
  let captured = 0;
  let second = 0;
  const tick = setInterval(() => {
    const { drops } = ring.stats();
    totalDrops += drops;
    console.error(`stats: ${second} packets/s, ${drops} dropped`);
    second = 0;
  }, 1000);
  try {
    while (captured < count) {
      let block: socket.Block | null;
      try {
        block = await ring.next_block({ signal });
      } catch (e) {
        if (signal.aborted) break;
        throw e;
      }
      if (!block) break;
      for (const f of block) {
        if (print(f.sec, f.nsec, f.address, f.data)) {
          second++;
          if (++captured >= count) break;
        }
      }
    }
  } finally {
    clearInterval(tick);
    if (!ring.closed) totalDrops += ring.stats().drops;
    ring.close();
  }
  return captured;
}

/** One recvmsg per packet; kernel timestamps from SO_TIMESTAMPNS ancillary data. */
async function captureRecvmsg(
  sock: socket.aio.AsyncSocket,
  count: number,
  signal: AbortSignal,
  print: Printer,
): Promise<number> {
  sock.setsockopt(socket.SOL_SOCKET, socket.SO_TIMESTAMPNS, 1);
  const le = endianness() === 'LE';
  let captured = 0;
  while (captured < count) {
    let frame: Buffer, anc: [number, number, Buffer][], addr: unknown;
    try {
      [frame, anc, , addr] = await sock.recvmsg(65536 + 64, socket.CMSG_SPACE(16), 0, { signal });
    } catch (e) {
      if (signal.aborted) break;
      throw e;
    }
    const ms = Date.now(); // used if the kernel timestamp is missing
    let sec = Math.floor(ms / 1000);
    let nsec = (ms % 1000) * 1e6;
    for (const [level, type, data] of anc) {
      if (level === socket.SOL_SOCKET && type === socket.SCM_TIMESTAMPNS && data.length >= 16) {
        sec = Number(le ? data.readBigInt64LE(0) : data.readBigInt64BE(0));
        nsec = Number(le ? data.readBigInt64LE(8) : data.readBigInt64BE(8));
      }
    }
    if (print(sec, nsec, addr, frame)) captured++;
  }
  return captured;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`sniffer: ${(e as Error).stack ?? e}`);
    process.exit(2);
  },
);
