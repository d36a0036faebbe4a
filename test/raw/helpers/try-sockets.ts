// Run as a child process by test/raw/privileges.test.ts, typically with CAP_NET_RAW dropped:
// tries to create each kind of raw and packet socket and prints one JSON object describing
// what happened (the error's class, errno and message, or "ok"), plus this process's
// effective capability mask.
import * as fs from 'node:fs';
import * as socket from '../../../lib/index';

const attempts: Record<string, () => { close(): void }> = {
  'AF_INET SOCK_RAW IPPROTO_ICMP': () => socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
  'AF_INET6 SOCK_RAW IPPROTO_ICMPV6': () =>
    socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6),
  'AF_INET SOCK_RAW IPPROTO_RAW': () => socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW),
  'AF_PACKET SOCK_RAW': () =>
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_ALL)),
  'AF_PACKET SOCK_DGRAM': () =>
    socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(socket.ETH_P_IP)),
  'aio AF_INET SOCK_RAW': () => socket.aio.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
  'aio AF_PACKET SOCK_RAW': () =>
    socket.aio.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(socket.ETH_P_ALL)),
  // Needs no capability: the control group.
  'AF_INET SOCK_DGRAM': () => socket.socket(socket.AF_INET, socket.SOCK_DGRAM),
};

interface Result {
  outcome: string;
  name?: string;
  errno?: number | null;
  code?: string;
  syscall?: string;
  message?: string;
  isPermissionError?: boolean;
}
const results: Record<string, Result> = {};
for (const [label, make] of Object.entries(attempts)) {
  try {
    make().close();
    results[label] = { outcome: 'ok' };
  } catch (e) {
    const err = e as socket.OSError;
    results[label] = {
      outcome: 'error',
      name: err.name,
      errno: err.errno,
      code: err.code,
      syscall: err.syscall,
      message: err.message,
      isPermissionError: err instanceof socket.PermissionError && err instanceof socket.OSError,
    };
  }
}
const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
console.log(JSON.stringify({ capEff, uid: process.getuid?.(), results }));
