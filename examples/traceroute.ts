// traceroute: the routers on the path to a host, found with rising TTLs.
//
// Run:  npx tsx examples/traceroute.ts [-6] [-I] [-m max_hops] [-q queries] [-w wait] [-p port] host
//
//   -6          IPv6 (the TTL is then the hop limit, IPV6_UNICAST_HOPS)
//   -I          probe with ICMP echo requests instead of UDP datagrams
//   -m max_hops largest TTL to try (default 30)
//   -q queries  probes per hop (default 3)
//   -w wait     seconds to wait for each probe's answer (default 2)
//   -p port     first UDP destination port (default 33434; probe n goes to port + n)
//
// Exit status: 0 when the destination answered, 1 when max_hops was reached without it,
// 2 on a usage error or when the raw socket cannot be created (it needs CAP_NET_RAW).
//
// How it works. Each probe leaves with a small TTL (IP_TTL, or IPV6_UNICAST_HOPS for IPv6).
// The router where the TTL runs out drops it and sends back ICMP "time exceeded"
// (ICMP type 11 / ICMPv6 type 3); the destination itself answers a UDP probe to an unused
// high port with "port unreachable" (ICMP 3 code 3 / ICMPv6 1 code 4), or an ICMP probe
// with an echo reply. Those answers arrive on a raw ICMP socket. An ICMP error quotes the
// start of the packet that caused it (IP header + 8 bytes), which holds the probe's UDP
// ports or ICMP identifier and sequence: that is how an answer is matched to its probe.
//
// This example uses the blocking API: recvfrom() blocks this thread (like fs.*Sync) for at
// most `wait` seconds, thanks to settimeout().
//
// User code would `import * as socket from 'bsdsock'`; the examples import the sources
// directly so that they run without a build.
import * as socket from '../lib/index';

const ICMP_ECHOREPLY = 0;
const ICMP_DEST_UNREACH = 3;
const ICMP_ECHO = 8;
const ICMP_TIME_EXCEEDED = 11;
const ICMP6_DST_UNREACH = 1;
const ICMP6_TIME_EXCEEDED = 3;
const ICMP6_ECHO_REQUEST = 128;
const ICMP6_ECHO_REPLY = 129;

// ---- arguments -------------------------------------------------------------------------

function usage(message?: string): never {
  if (message) console.error(`traceroute: ${message}`);
  console.error('usage: traceroute.ts [-6] [-I] [-m max_hops] [-q queries] [-w wait] [-p port] host');
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const o = { v6: false, icmp: false, maxHops: 30, queries: 3, wait: 2, port: 33434, host: '' };
  const num = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max) usage(`bad value for ${flag}: ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-6') o.v6 = true;
    else if (a === '-4') o.v6 = false;
    else if (a === '-I') o.icmp = true;
    else if (a === '-m') o.maxHops = Math.trunc(num(a, argv[++i], 1, 255));
    else if (a === '-q') o.queries = Math.trunc(num(a, argv[++i], 1, 10));
    else if (a === '-w') o.wait = num(a, argv[++i], 0.01, 60);
    else if (a === '-p') o.port = Math.trunc(num(a, argv[++i], 1, 65535));
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (o.host) usage('only one host');
    else o.host = a;
  }
  if (!o.host) usage();
  if (o.port + o.maxHops * o.queries > 65535) usage('port + max_hops * queries must stay below 65536');
  return o;
}

const opt = parseArgs(process.argv.slice(2));
const family = opt.v6 ? socket.AF_INET6 : socket.AF_INET;
const now = (): number => Number(process.hrtime.bigint()) / 1e6; // milliseconds

let target: unknown[];
try {
  target = [...(socket.getaddrinfo(opt.host, null, family, socket.SOCK_DGRAM)[0][4] as unknown[])];
} catch (e) {
  console.error(`traceroute: ${opt.host}: ${(e as Error).message}`);
  process.exit(2);
}
const targetIp = String(target[0]);
/** The address to send to: IPv6 keeps the scope id (needed for link-local targets). */
const dest = (port: number): socket.Address =>
  opt.v6 ? [targetIp, port, 0, Number(target[3] ?? 0)] : [targetIp, port];

// ---- sockets ---------------------------------------------------------------------------

// The raw socket that receives the answers (and, with -I, also sends the probes).
let icmpSock: socket.Socket;
try {
  icmpSock = socket.socket(family, socket.SOCK_RAW, opt.v6 ? socket.IPPROTO_ICMPV6 : socket.IPPROTO_ICMP);
} catch (e) {
  console.error(`traceroute: ${(e as Error).message}`);
  process.exit(2);
}
// Only the ICMP types we can use should wake us up (see examples/ping.ts for the layout:
// the filters are bit masks of types to drop, in native byte order).
if (opt.v6) {
  const f = new Uint32Array(8).fill(0xffffffff);
  for (const t of [ICMP6_DST_UNREACH, ICMP6_TIME_EXCEEDED, ICMP6_ECHO_REPLY]) f[t >> 5] &= ~(1 << (t & 31));
  icmpSock.setsockopt(socket.IPPROTO_ICMPV6, socket.ICMP6_FILTER, Buffer.from(f.buffer));
} else {
  const pass = (1 << ICMP_DEST_UNREACH) | (1 << ICMP_TIME_EXCEEDED) | (1 << ICMP_ECHOREPLY);
  icmpSock.setsockopt(socket.SOL_RAW, socket.ICMP_FILTER, Buffer.from(new Uint32Array([~pass >>> 0]).buffer));
}

// UDP probes go out of an ordinary UDP socket; its local port identifies our probes.
let udpSock: socket.Socket | null = null;
let localPort = 0;
if (!opt.icmp) {
  udpSock = socket.socket(family, socket.SOCK_DGRAM);
  udpSock.bind([opt.v6 ? '::' : '0.0.0.0', 0]);
  localPort = (udpSock.getsockname() as [string, number])[1];
}
const ident = process.pid & 0xffff; // ICMP echo identifier of our -I probes
const PAYLOAD = Buffer.from('bsdsock traceroute probe'); // 24 bytes after the UDP or ICMP header

/** Sets the TTL / hop limit of the socket that sends the probes. */
function setTtl(ttl: number): void {
  const s = udpSock ?? icmpSock;
  if (opt.v6) s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl);
  else s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl);
}

/** Sends probe number `n`; returns the send time (ms). */
function sendProbe(n: number): number {
  const start = now();
  if (udpSock) {
    udpSock.sendto(PAYLOAD, dest(opt.port + n));
  } else {
    const msg = Buffer.concat([Buffer.alloc(8), PAYLOAD]);
    msg[0] = opt.v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
    msg.writeUInt16BE(ident, 4);
    msg.writeUInt16BE(n & 0xffff, 6);
    if (!opt.v6) msg.writeUInt16BE(socket.inet_checksum(msg), 2); // ICMPv6: the kernel does it
    icmpSock.sendto(msg, dest(0));
  }
  return start;
}

// ---- answers ---------------------------------------------------------------------------

interface Answer {
  from: string;
  /** The destination itself answered (port unreachable or echo reply). */
  final: boolean;
  /** Any other ICMP error (host/net unreachable, ...): shown as !code, and we stop. */
  note: string;
}

/**
 * Decides whether an ICMP message answers probe `n`. `icmp` starts at the ICMP header.
 * Errors quote the original packet after 8 bytes of ICMP header: its IP header (20+ bytes,
 * or 40 for IPv6), then the first 8 bytes of the probe's UDP or ICMP header.
 */
function match(icmp: Buffer, from: string, n: number): Answer | null {
  if (icmp.length < 8) return null;
  const type = icmp[0];
  const code = icmp[1];
  const echoReply = opt.v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
  if (type === echoReply) {
    const ok = opt.icmp && icmp.readUInt16BE(4) === ident && icmp.readUInt16BE(6) === (n & 0xffff);
    return ok ? { from, final: true, note: '' } : null;
  }
  const exceeded = opt.v6 ? ICMP6_TIME_EXCEEDED : ICMP_TIME_EXCEEDED;
  const unreach = opt.v6 ? ICMP6_DST_UNREACH : ICMP_DEST_UNREACH;
  if (type !== exceeded && type !== unreach) return null;

  const inner = icmp.subarray(8); // the quoted packet
  let headerLen: number;
  let innerProto: number;
  let innerDst: string;
  if (opt.v6) {
    if (inner.length < 48) return null;
    headerLen = 40;
    innerProto = inner[6];
    innerDst = socket.inet_ntop(socket.AF_INET6, inner.subarray(24, 40));
  } else {
    if (inner.length < 28) return null;
    headerLen = (inner[0] & 0x0f) * 4;
    innerProto = inner[9];
    innerDst = socket.inet_ntop(socket.AF_INET, inner.subarray(16, 20));
  }
  if (innerDst !== targetIp.split('%')[0] || inner.length < headerLen + 8) return null; // '%scope' aside
  const l4 = inner.subarray(headerLen);
  if (udpSock) {
    if (innerProto !== socket.IPPROTO_UDP) return null;
    if (l4.readUInt16BE(0) !== localPort || l4.readUInt16BE(2) !== opt.port + n) return null;
  } else {
    if (innerProto !== (opt.v6 ? socket.IPPROTO_ICMPV6 : socket.IPPROTO_ICMP)) return null;
    if (l4.readUInt16BE(4) !== ident || l4.readUInt16BE(6) !== (n & 0xffff)) return null;
  }
  if (type === exceeded) return { from, final: false, note: '' };
  const portUnreachable = opt.v6 ? 4 : 3;
  if (code === portUnreachable) return { from, final: true, note: '' };
  return { from, final: true, note: ` !${opt.v6 ? 'U' : 'N'}${code}` };
}

/** Waits up to opt.wait seconds for the answer to probe `n`. */
function awaitAnswer(n: number, start: number): [Answer, number] | null {
  const deadline = start + opt.wait * 1000;
  for (;;) {
    const left = deadline - now();
    if (left <= 0) return null;
    icmpSock.settimeout(left / 1000);
    let data: Buffer, from: unknown;
    try {
      [data, from] = icmpSock.recvfrom(65536);
    } catch (e) {
      if (e instanceof socket.TimeoutError) return null;
      throw e;
    }
    const t = now();
    // A raw IPv4 socket gives us the IP header first; raw IPv6 sockets never do.
    const icmp = opt.v6 ? data : data.subarray((data[0] & 0x0f) * 4);
    const answer = match(icmp, (from as [string, number])[0], n);
    if (answer) return [answer, t - start];
  }
}

// ---- main loop -------------------------------------------------------------------------

const packetSize = (opt.v6 ? 40 : 20) + 8 + PAYLOAD.length;
console.log(`traceroute to ${opt.host} (${targetIp}), ${opt.maxHops} hops max, ${packetSize} byte packets`);

let reached = false;
let probe = 0;
for (let ttl = 1; ttl <= opt.maxHops && !reached; ttl++) {
  setTtl(ttl);
  let line = String(ttl).padStart(2);
  let lastFrom = '';
  for (let q = 0; q < opt.queries; q++) {
    probe++;
    const result = awaitAnswer(probe, sendProbe(probe));
    if (!result) {
      line += '  *';
      continue;
    }
    const [answer, rtt] = result;
    if (answer.from !== lastFrom) {
      line += `  ${answer.from}`; // printed again only when another router answers
      lastFrom = answer.from;
    }
    line += `  ${rtt.toFixed(3)} ms${answer.note}`;
    if (answer.final) reached = true;
  }
  console.log(line);
}

icmpSock.close();
udpSock?.close();
process.exit(reached ? 0 : 1);
