// ping: ICMP echo over IPv4 and IPv6, with bsdsock's async API (bsdsock/aio).
//
// Run:  npx tsx examples/ping.ts [-6] [--dgram] [-c count] [-i interval] [-W timeout] [-s size] host
//
//   -6          IPv6 (ICMPv6 echo); the default is IPv4
//   --dgram     unprivileged "ping socket" (SOCK_DGRAM + IPPROTO_ICMP/ICMPV6) instead of SOCK_RAW;
//               allowed when your group id is inside sysctl net.ipv4.ping_group_range
//   -c count    echo requests to send (default 4)
//   -i interval seconds between requests (default 1)
//   -W timeout  seconds to wait for replies after the last request (default 2)
//   -s size     payload bytes (default 56)
//
// Exit status, as iputils ping: 0 when at least one reply came back, 1 when none did,
// 2 on a usage error or when the socket cannot be created (no CAP_NET_RAW, ...).
//
// Two kinds of socket can send ICMP echo requests:
//
// - SOCK_RAW (IPPROTO_ICMP / IPPROTO_ICMPV6) needs CAP_NET_RAW (root, or
//   `setcap cap_net_raw+ep` on node). We build the whole ICMP message, checksum included
//   (for ICMPv6 the kernel always computes the checksum on raw ICMPv6 sockets), pick our
//   own identifier, and a raw IPv4 socket hands us the IP header in front of each reply.
//   A raw socket sees every ICMP message the host receives, so we install ICMP_FILTER /
//   ICMP6_FILTER to be woken only for echo replies, and match identifier and sequence.
// - SOCK_DGRAM (IPPROTO_ICMP / IPPROTO_ICMPV6), the Linux "ping socket", needs no
//   capability. The kernel fills in the identifier (the socket's local "port") and the
//   checksum, delivers only the replies to our own requests, and never shows the IP header:
//   the TTL comes as ancillary data (IP_RECVTTL) instead.
//
// The program in user code would `import * as socket from 'bsdsock'`; this repository's
// examples import the sources directly so that they run without a build.
import * as socket from '../lib/index';
import { endianness } from 'node:os';

const { aio } = socket;
type AsyncSocket = ReturnType<typeof aio.socket>;

const ICMP_ECHOREPLY = 0;
const ICMP_ECHO = 8;
const ICMP6_ECHO_REQUEST = 128;
const ICMP6_ECHO_REPLY = 129;

// ---- arguments -------------------------------------------------------------------------

function usage(message?: string): never {
  if (message) console.error(`ping: ${message}`);
  console.error('usage: ping.ts [-6] [--dgram] [-c count] [-i interval] [-W timeout] [-s size] host');
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const o = { v6: false, dgram: false, count: 4, interval: 1, timeout: 2, size: 56, host: '' };
  const num = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max) usage(`bad value for ${flag}: ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-6') o.v6 = true;
    else if (a === '-4') o.v6 = false;
    else if (a === '--dgram') o.dgram = true;
    else if (a === '-c')
      o.count = Math.trunc(num(a, argv[++i], 1, 65535)); // the sequence number is 16 bits
    else if (a === '-i') o.interval = num(a, argv[++i], 0.01, 3600);
    else if (a === '-W') o.timeout = num(a, argv[++i], 0.01, 3600);
    else if (a === '-s') o.size = Math.trunc(num(a, argv[++i], 0, 65000));
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (o.host) usage('only one host');
    else o.host = a;
  }
  if (!o.host) usage();
  return o;
}

// ---- helpers ---------------------------------------------------------------------------

/** A C int / u32 array as the kernel reads it: native byte order. */
function hostU32s(values: number[]): Buffer {
  return Buffer.from(new Uint32Array(values).buffer);
}

function readHostInt(b: Buffer): number {
  return endianness() === 'LE' ? b.readInt32LE(0) : b.readInt32BE(0);
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6; // milliseconds
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An ICMP / ICMPv6 echo request: type, code, checksum, identifier, sequence, payload. */
function echoRequest(v6: boolean, id: number, seq: number, size: number): Buffer {
  const msg = Buffer.alloc(8 + size);
  msg[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
  msg[1] = 0; // code
  msg.writeUInt16BE(id, 4);
  msg.writeUInt16BE(seq, 6);
  for (let i = 0; i < size; i++) msg[8 + i] = i & 0xff;
  // ICMPv4: the RFC 1071 checksum over the whole message, written big-endian. ICMPv6
  // includes a pseudo-header with both addresses, so the kernel computes it for us.
  if (!v6) msg.writeUInt16BE(socket.inet_checksum(msg), 2);
  return msg;
}

/**
 * Creates the socket. Raw sockets get a filter so that only echo replies wake us:
 *   ICMP_FILTER (level SOL_RAW) is a 32-bit mask of ICMP types to DROP;
 *   ICMP6_FILTER (level IPPROTO_ICMPV6) is struct icmp6_filter, 256 bits, a set bit = block.
 * Both are passed to setsockopt as bytes in native byte order.
 */
function openSocket(v6: boolean, dgram: boolean): AsyncSocket {
  const family = v6 ? socket.AF_INET6 : socket.AF_INET;
  const proto = v6 ? socket.IPPROTO_ICMPV6 : socket.IPPROTO_ICMP;
  const sock = aio.socket(family, dgram ? socket.SOCK_DGRAM : socket.SOCK_RAW, proto);
  if (v6) {
    if (!dgram) {
      const filter = new Array<number>(8).fill(0xffffffff);
      filter[ICMP6_ECHO_REPLY >> 5] &= ~(1 << (ICMP6_ECHO_REPLY & 31)); // pass type 129
      sock.setsockopt(socket.IPPROTO_ICMPV6, socket.ICMP6_FILTER, hostU32s(filter.map((x) => x >>> 0)));
    }
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1); // hop limit as ancillary data
  } else if (!dgram) {
    sock.setsockopt(socket.SOL_RAW, socket.ICMP_FILTER, hostU32s([~(1 << ICMP_ECHOREPLY) >>> 0]));
  } else {
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTTL, 1); // no IP header: TTL as ancillary data
  }
  return sock;
}

// ---- main ------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opt = parseArgs(process.argv.slice(2));
  const family = opt.v6 ? socket.AF_INET6 : socket.AF_INET;

  let target: unknown[];
  try {
    const infos = await aio.getaddrinfo(opt.host, null, family, socket.SOCK_RAW);
    target = [...(infos[0][4] as unknown[])];
  } catch (e) {
    console.error(`ping: ${opt.host}: ${(e as Error).message}`);
    return 2;
  }
  const targetIp = String(target[0]);

  let sock: AsyncSocket;
  try {
    sock = openSocket(opt.v6, opt.dgram);
  } catch (e) {
    console.error(`ping: ${(e as Error).message}`);
    if (e instanceof socket.PermissionError) {
      console.error(
        opt.dgram
          ? 'ping: ping sockets need your group id inside sysctl net.ipv4.ping_group_range'
          : 'ping: try --dgram (unprivileged ICMP) or run with CAP_NET_RAW',
      );
    }
    return 2;
  }

  // Raw sockets: we choose the identifier. Ping sockets: binding to port 0 makes the kernel
  // choose one, and getsockname() reports it as the port.
  let id = process.pid & 0xffff;
  if (opt.dgram) {
    await sock.bind([opt.v6 ? '::' : '0.0.0.0', 0]);
    id = (sock.getsockname() as [string, number])[1];
  }
  const ipHeader = opt.size + 8 + (opt.v6 ? 40 : 20);
  console.log(`PING ${opt.host} (${targetIp}) ${opt.size}(${ipHeader}) bytes of data.`);

  const sentAt = new Map<number, number>(); // seq -> send time (ms)
  const rtts: number[] = [];
  let transmitted = 0;
  let allReplied: () => void = () => {};
  const everyReply = new Promise<void>((resolve) => (allReplied = resolve));

  // Receiving runs concurrently with sending; an AbortSignal ends it.
  const stop = new AbortController();
  const receiver = (async () => {
    const ancSize = socket.CMSG_SPACE(4);
    while (!stop.signal.aborted) {
      let data: Buffer, anc: [number, number, Buffer][], from: unknown;
      try {
        [data, anc, , from] = await sock.recvmsg(65536, ancSize, 0, { signal: stop.signal });
      } catch (e) {
        if (stop.signal.aborted) return;
        throw e;
      }
      const t = now();
      let ttl: number | undefined;
      let icmp = data;
      if (!opt.v6 && !opt.dgram) {
        // A raw IPv4 socket returns the IP header too: IHL (32-bit words) in the low nibble.
        const ihl = (data[0] & 0x0f) * 4;
        ttl = data[8];
        icmp = data.subarray(ihl);
      }
      for (const [level, type, cdata] of anc) {
        if (
          (level === socket.IPPROTO_IP && type === socket.IP_TTL) ||
          (level === socket.IPPROTO_IPV6 && type === socket.IPV6_HOPLIMIT)
        ) {
          ttl = readHostInt(cdata);
        }
      }
      if (icmp.length < 8 || icmp[0] !== (opt.v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY)) continue;
      const rid = icmp.readUInt16BE(4);
      const seq = icmp.readUInt16BE(6);
      const start = sentAt.get(seq);
      if (rid !== id || start === undefined) continue; // someone else's ping, or a duplicate
      sentAt.delete(seq);
      const rtt = t - start;
      rtts.push(rtt);
      const who = Array.isArray(from) ? from[0] : targetIp;
      const ttlText = ttl === undefined ? '' : ` ttl=${ttl}`;
      console.log(`${icmp.length} bytes from ${who}: icmp_seq=${seq}${ttlText} time=${rtt.toFixed(3)} ms`);
      if (rtts.length === opt.count) allReplied();
    }
  })();

  // Ctrl-C ends the run early and still prints the statistics, as ping does.
  let interrupted: () => void = () => {};
  const sigint = new Promise<void>((resolve) => (interrupted = resolve));
  process.once('SIGINT', () => interrupted());

  const begin = now();
  let sendError: unknown = null;
  for (let seq = 1; seq <= opt.count; seq++) {
    sentAt.set(seq, now());
    try {
      await sock.sendto(echoRequest(opt.v6, id, seq, opt.size), target as socket.Address);
    } catch (e) {
      sendError = e;
      break;
    }
    transmitted++;
    if (
      seq < opt.count &&
      (await Promise.race([sleep(opt.interval * 1000).then(() => false), sigint.then(() => true)]))
    )
      break;
  }
  if (sendError) console.error(`ping: sendto: ${(sendError as Error).message}`);

  // Wait for the outstanding replies, at most `timeout` seconds after the last request.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    everyReply,
    sigint,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, opt.timeout * 1000))),
  ]);
  clearTimeout(timer);
  stop.abort();
  await receiver;
  sock.close();

  const received = rtts.length;
  const loss = transmitted === 0 ? 0 : Math.round((100 * (transmitted - received)) / transmitted);
  console.log(`\n--- ${opt.host} ping statistics ---`);
  console.log(
    `${transmitted} packets transmitted, ${received} received, ${loss}% packet loss, time ${Math.round(now() - begin)}ms`,
  );
  if (received > 0) {
    const min = Math.min(...rtts);
    const max = Math.max(...rtts);
    const avg = rtts.reduce((s, x) => s + x, 0) / received;
    const mdev = Math.sqrt(rtts.reduce((s, x) => s + (x - avg) ** 2, 0) / received);
    console.log(`rtt min/avg/max/mdev = ${[min, avg, max, mdev].map((x) => x.toFixed(3)).join('/')} ms`);
  }
  return received > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`ping: ${(e as Error).stack ?? e}`);
    process.exit(2);
  },
);
