// Inspecting this process's file descriptors through /proc/self (leak checks, fd identity).
import * as fs from 'node:fs';

/** Number of open file descriptors of this process. */
export function fdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** What /proc/self/fd/<fd> points to ('socket:[1234]'), or null when the fd is closed. */
export function fdTarget(fd: number): string | null {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/** fd number -> readlink target ('socket:[1234]', 'pipe:[5]', paths), for this process. */
export function fdSnapshot(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of fs.readdirSync('/proc/self/fd')) {
    const target = fdTarget(Number(name));
    // null: the fd of readdir itself, or one closed meanwhile.
    if (target !== null) out.set(Number(name), target);
  }
  return out;
}

/** The fds open now that were not open (with the same target) in `before`, as "fd -> target". */
export function newFds(before: Map<number, string>): string[] {
  const extra: string[] = [];
  for (const [fd, target] of fdSnapshot()) if (before.get(fd) !== target) extra.push(`${fd} -> ${target}`);
  return extra;
}

/** Soft RLIMIT_NOFILE of this process (Infinity for unlimited). */
export function nofileLimit(): number {
  const line = fs
    .readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  if (!line) return Infinity;
  const soft = line.replace('Max open files', '').trim().split(/\s+/)[0];
  return soft === 'unlimited' ? Infinity : Number(soft);
}
