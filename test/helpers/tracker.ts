/**
 * Socket bookkeeping shared by the test files in test/sync.
 *
 * `useSockets()` installs hooks that, after each test, close every socket the test made
 * through `track()` (or the helpers below), restore the default timeout to null, and
 * report a hang caught by the watchdog (see watchdog.ts). Blocking calls in these tests
 * only ever run on tracked sockets, so the watchdog can unblock them.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as socket from '../../lib/index';
import { watchdog } from './watchdog';

type Sock = socket.Socket;

const live = new Set<Sock>();

/** Registers `s` to be closed after the current test; returns it. */
export function track<T extends Sock>(s: T): T {
  live.add(s);
  const fd = s.fileno();
  if (fd >= 0) watchdog.watch(fd);
  return s;
}

/** Closes every tracked socket (errors ignored: the test may have closed or detached them). */
export function closeAll(): void {
  for (const s of live) {
    try {
      s.close();
    } catch {
      // Already closed behind the object's back: nothing to do.
    }
  }
  live.clear();
}

/** socket.socket(...) that is closed after the test. */
export function sock(family?: number, type?: number, proto?: number): Sock {
  return track(socket.socket(family, type, proto));
}

/** socket.socketpair(...) whose two ends are closed after the test. */
export function pair(family?: number, type?: number, proto?: number): [Sock, Sock] {
  const [a, b] = socket.socketpair(family, type, proto);
  return [track(a), track(b)];
}

/** A listening TCP socket on loopback, port chosen by the kernel. */
export function listener(
  host = '127.0.0.1',
  backlog?: number,
): { srv: Sock; port: number; addr: [string, number] } {
  const family = host.includes(':') ? socket.AF_INET6 : socket.AF_INET;
  const srv = sock(family, socket.SOCK_STREAM);
  srv.bind([host, 0]);
  if (backlog === undefined) srv.listen();
  else srv.listen(backlog);
  const name = srv.getsockname() as [string, number];
  return { srv, port: name[1], addr: [host, name[1]] };
}

/** accept() whose result is tracked. */
export function accept(srv: Sock): [Sock, unknown] {
  const [conn, addr] = srv.accept();
  return [track(conn), addr];
}

/**
 * A connected TCP pair over loopback, built on one thread: connect() completes through
 * the listen backlog (the kernel does the handshake), then accept() finds it pending.
 */
export function tcpPair(host = '127.0.0.1'): { srv: Sock; cli: Sock; conn: Sock; port: number } {
  const { srv, port } = listener(host);
  const family = host.includes(':') ? socket.AF_INET6 : socket.AF_INET;
  const cli = sock(family, socket.SOCK_STREAM);
  cli.connect([host, port]);
  const [conn] = accept(srv);
  return { srv, cli, conn, port };
}

/** A UDP socket bound to loopback, and its address. */
export function udp(host = '127.0.0.1'): { s: Sock; addr: [string, number] } {
  const family = host.includes(':') ? socket.AF_INET6 : socket.AF_INET;
  const s = sock(family, socket.SOCK_DGRAM);
  s.bind([host, 0]);
  const name = s.getsockname() as [string, number];
  return { s, addr: [host, name[1]] };
}

// ---- temporary AF_UNIX paths ---------------------------------------------------

let tmpRoot: string | null = null;
let tmpSeq = 0;

/** A fresh path in this file's private temporary directory (short enough for sun_path). */
export function unixPath(name = 'sock'): string {
  if (!tmpRoot) tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-'));
  tmpSeq += 1;
  return path.join(tmpRoot, `${name}${tmpSeq}`);
}

/** A unique abstract-namespace name (leading NUL). */
export function abstractName(tag = 't'): string {
  tmpSeq += 1;
  return `\0bsdsock-test-${process.pid}-${tag}-${tmpSeq}`;
}

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

/** Seconds elapsed while running `fn`, and its outcome. */
export function timed<T>(fn: () => T): { elapsed: number; value?: T; error?: unknown } {
  const t0 = process.hrtime.bigint();
  try {
    const value = fn();
    return { elapsed: Number(process.hrtime.bigint() - t0) / 1e9, value };
  } catch (error) {
    return { elapsed: Number(process.hrtime.bigint() - t0) / 1e9, error };
  }
}

/**
 * Shortens the hang guard for the current test: a blocking call still stuck `seconds`
 * from now gets its sockets shut down (for tests of calls that must not block at all).
 */
export function hangGuard(seconds: number): void {
  watchdog.deadline(seconds);
}

/** Runs `fn` expecting it to throw; returns the error (fails the test otherwise). */
export function catchError(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  expect.fail('expected an exception, but the call returned normally');
}

/**
 * Installs the per-file hooks: the watchdog (a stuck blocking call is unblocked and the
 * test failed), socket cleanup, default-timeout reset, tmp dir removal.
 */
export function useSockets(opts: { hangAfter?: number } = {}): void {
  const hangAfter = opts.hangAfter ?? 10;
  beforeAll(async () => {
    await watchdog.start();
  });
  beforeEach(() => {
    watchdog.arm(hangAfter);
  });
  afterEach(() => {
    const fired = watchdog.disarm();
    closeAll();
    socket.setdefaulttimeout(null);
    if (fired) expect.fail('a blocking call hung past the hang guard; the watchdog shut its sockets down');
  });
  afterAll(async () => {
    await watchdog.stop();
    if (tmpRoot) fs.rmSync(tmpRoot, { recursive: true, force: true });
    tmpRoot = null;
  });
}
