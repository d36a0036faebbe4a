// arping: ask "who has this IPv4 address?" on one Ethernet link, print who answers.
//
// Run:  npx tsx examples/arping.ts -I ifname [-s source-ip] [-c count] [-i interval] [--raw] target-ip
//
//   -I ifname    the interface to send on (required)
//   -s source    the sender IPv4 address to put in the request (default: the interface's
//                first IPv4 address, read from `ip -j -4 addr show dev ifname`)
//   -c count     requests to send (default 3)
//   -i interval  seconds between requests, and how long to wait for each answer (default 1)
//   --raw        use SOCK_RAW and build the Ethernet header by hand (default: SOCK_DGRAM,
//                where the kernel builds it from the address we send to)
//
// Exit status: 0 when at least one reply came, 1 when none did, 2 on a usage error or when
// the socket cannot be created (AF_PACKET needs CAP_NET_RAW).
//
// An AF_PACKET address is [ifname, proto, pkttype, hatype, addr]; proto is in host order
// (ETH_P_ARP, not htons(ETH_P_ARP)), as in Python. The socket() argument, on the other hand,
// is the raw protocol number of socket(2), in network order: htons(ETH_P_ARP).
// getsockname() of a socket bound to an interface gives the interface's hardware type
// (1 = Ethernet) and MAC address, which the request needs.
//
// This example uses the blocking API: recvfrom() blocks this thread (like fs.*Sync), for
// at most `interval` seconds thanks to settimeout().
//
// User code would `import * as socket from 'bsdsock'`; the examples import the sources so
// that they run without a build.
import * as socket from '../lib/index';
import { execFileSync } from 'node:child_process';

const ARPHRD_ETHER = 1;
const ARPOP_REQUEST = 1;
const ARPOP_REPLY = 2;
const BROADCAST = Buffer.alloc(6, 0xff);

// ---- arguments -------------------------------------------------------------------------

function usage(message?: string): never {
  if (message) console.error(`arping: ${message}`);
  console.error('usage: arping.ts -I ifname [-s source-ip] [-c count] [-i interval] [--raw] target-ip');
  process.exit(2);
}

function parseArgs(argv: string[]) {
  const o = { ifname: '', source: '', count: 3, interval: 1, raw: false, target: '' };
  const num = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max) usage(`bad value for ${flag}: ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-I') o.ifname = argv[++i] ?? usage('-I needs an interface name');
    else if (a === '-s') o.source = argv[++i] ?? usage('-s needs an address');
    else if (a === '-c') o.count = Math.trunc(num(a, argv[++i], 1, 1e6));
    else if (a === '-i') o.interval = num(a, argv[++i], 0.01, 3600);
    else if (a === '--raw') o.raw = true;
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (o.target) usage('only one target');
    else o.target = a;
  }
  if (!o.ifname || !o.target) usage();
  return o;
}

const opt = parseArgs(process.argv.slice(2));
const now = (): number => Number(process.hrtime.bigint()) / 1e6; // milliseconds
const macText = (b: Buffer): string =>
  [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':');

/** inet_aton, or exit with a usage error. */
function ipv4(text: string, what: string): Buffer {
  try {
    return socket.inet_aton(text);
  } catch {
    usage(`bad ${what} address ${text}`);
  }
}

/** The interface's first IPv4 address, from iproute2's JSON output. */
function interfaceAddress(ifname: string): string {
  let out: string;
  try {
    out = execFileSync('ip', ['-j', '-4', 'addr', 'show', 'dev', ifname], { encoding: 'utf8' });
  } catch {
    usage(`cannot read the address of ${ifname} with \`ip\`: give it with -s`);
  }
  const info = JSON.parse(out) as { addr_info?: { family: string; local: string }[] }[];
  const local = info[0]?.addr_info?.find((a) => a.family === 'inet')?.local;
  return local ?? usage(`${ifname} has no IPv4 address: give one with -s`);
}

// ---- the socket ------------------------------------------------------------------------

let sock: socket.Socket;
try {
  sock = socket.socket(
    socket.AF_PACKET,
    opt.raw ? socket.SOCK_RAW : socket.SOCK_DGRAM,
    socket.htons(socket.ETH_P_ARP),
  );
  sock.bind([opt.ifname, socket.ETH_P_ARP]);
} catch (e) {
  console.error(`arping: ${(e as Error).message}`);
  process.exit(2);
}
const [, , , hatype, ownMac] = sock.getsockname() as [string, number, number, number, Buffer];
if (hatype !== ARPHRD_ETHER) {
  console.error(`arping: ${opt.ifname} is not an Ethernet interface (hatype ${hatype})`);
  process.exit(2);
}
const sourceIp = opt.source || interfaceAddress(opt.ifname);
const spa = ipv4(sourceIp, 'source');
const tpa = ipv4(opt.target, 'target');

/** An ARP request (RFC 826) for Ethernet and IPv4: 28 bytes. */
function arpRequest(): Buffer {
  const p = Buffer.alloc(28);
  p.writeUInt16BE(ARPHRD_ETHER, 0); // hardware type
  p.writeUInt16BE(socket.ETH_P_IP, 2); // protocol type
  p[4] = 6; // hardware address length
  p[5] = 4; // protocol address length
  p.writeUInt16BE(ARPOP_REQUEST, 6);
  ownMac.copy(p, 8); // sender hardware address
  spa.copy(p, 14); // sender protocol address
  // target hardware address (18..23) stays zero: that is what we ask for
  tpa.copy(p, 24); // target protocol address
  return p;
}

function send(): void {
  const arp = arpRequest();
  if (opt.raw) {
    // SOCK_RAW: we write the Ethernet header (destination, source, EtherType) ourselves.
    const eth = Buffer.alloc(14);
    BROADCAST.copy(eth, 0);
    ownMac.copy(eth, 6);
    eth.writeUInt16BE(socket.ETH_P_ARP, 12);
    sock.send(Buffer.concat([eth, arp]));
  } else {
    // SOCK_DGRAM: the kernel builds the header from the address; addr is the destination MAC.
    sock.sendto(arp, [opt.ifname, socket.ETH_P_ARP, 0, 0, BROADCAST]);
  }
}

/** Waits until `deadline` for a reply from the target; returns [sender MAC, arrival time]. */
function receive(deadline: number): [Buffer, number] | null {
  for (;;) {
    const left = deadline - now();
    if (left <= 0) return null;
    sock.settimeout(left / 1000);
    let data: Buffer, addr: unknown;
    try {
      [data, addr] = sock.recvfrom(1500);
    } catch (e) {
      if (e instanceof socket.TimeoutError) return null;
      throw e;
    }
    const t = now();
    const pkttype = (addr as unknown[])[2];
    if (pkttype === socket.PACKET_OUTGOING) continue; // our own request, looped back to us
    const arp = opt.raw ? data.subarray(14) : data; // SOCK_RAW includes the Ethernet header
    if (arp.length < 28 || arp.readUInt16BE(6) !== ARPOP_REPLY) continue;
    if (!arp.subarray(14, 18).equals(tpa)) continue; // a reply, but about another address
    return [Buffer.from(arp.subarray(8, 14)), t];
  }
}

// ---- main loop -------------------------------------------------------------------------

console.log(`ARPING ${opt.target} from ${sourceIp} ${opt.ifname}`);
let sent = 0;
let received = 0;
for (let i = 0; i < opt.count; i++) {
  const start = now();
  send();
  sent++;
  const reply = receive(start + opt.interval * 1000);
  if (reply) {
    const [sha, t] = reply;
    received++;
    console.log(`Unicast reply from ${opt.target} [${macText(sha)}]  ${(t - start).toFixed(3)}ms`);
    // As arping, the next request goes out one interval after the previous one.
    // Late duplicates are read and ignored meanwhile.
    if (i + 1 < opt.count) while (receive(start + opt.interval * 1000));
  }
}
sock.close();
console.log(`Sent ${sent} probes (${sent} broadcast(s))`);
console.log(`Received ${received} response(s)`);
process.exit(received > 0 ? 0 : 1);
