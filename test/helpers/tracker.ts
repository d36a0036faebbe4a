// Everything a test opens (sockets, fds, workers, children) closed after it; blocking socket factories.
/*
 * `useSockets()` installs hooks that, after each test, close everything the test handed to
 * `track()` (or made with the factories below), close adopted fds, run onCleanup()
 * functions, restore the default timeout to null, and remove the file's temporary
 * directory at the end. By default it also runs the watchdog (watchdog.ts): a blocking call
 * still stuck `hangAfter` seconds into a test gets its tracked sockets shut down and the
 * test fails. Files whose sockets all carry timeouts, or are async, pass `watchdog: false`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import * as fs from 'node:fs';
import * as socket from '../../lib/index';
import { removeTmpDir } from './paths';
import { watchdog } from './watchdog';

// Kept here for the files that import them from this module.
export { fdCount, fdTarget } from './fds';
export { catchError } from './errors';
export { timed } from './timing';
export { unixPath, abstractName } from './paths';

type Sock = socket.Socket;
type Closable = { close(): void } | { destroy(): void } | (() => void);

const live: Closable[] = [];
const liveFds = new Set<number>();
const cleanups: (() => void | Promise<void>)[] = [];

/** Registers `x` (a socket, stream, server, or a function) to be closed after the current test. */
export function track<T extends Closable>(x: T): T {
  live.push(x);
  if (watchdog.running && typeof x === 'object' && 'fileno' in x && typeof x.fileno === 'function') {
    const fd = (x as { fileno(): number }).fileno();
    if (fd >= 0) watchdog.watch(fd);
  }
  return x;
}

/** An fd (received through SCM_RIGHTS, opened with fs) closed after the test unless closeFd'd first. */
export function adoptFd(fd: number): number {
  liveFds.add(fd);
  return fd;
}

/** Closes an adopted fd now (and forgets it, so the fd number can be reused safely). */
export function closeFd(fd: number): void {
  liveFds.delete(fd);
  fs.closeSync(fd);
}

/** Runs `fn` after the test (after its sockets are closed). */
export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

/** Closes everything tracked, newest first (errors ignored: the test may have closed them). */
export function closeAll(): void {
  while (live.length) {
    const x = live.pop()!;
    try {
      if (typeof x === 'function') x();
      else if ('close' in x) x.close();
      else x.destroy();
    } catch {
      // Already closed behind the object's back: nothing to do.
    }
  }
  for (const fd of liveFds) {
    try {
      fs.closeSync(fd);
    } catch {
      // Closed by the test already.
    }
  }
  liveFds.clear();
}

/**
 * Shortens the hang guard for the current test: a blocking call still stuck `seconds`
 * from now gets its sockets shut down (for tests of calls that must not block at all).
 */
export function hangGuard(seconds: number): void {
  watchdog.deadline(seconds);
}

/** Installs the per-file hooks (see the top of this file). */
export function useSockets(opts: { hangAfter?: number; watchdog?: boolean } = {}): void {
  const hangAfter = opts.hangAfter ?? 10;
  const guarded = opts.watchdog ?? true;
  if (guarded) {
    beforeAll(async () => {
      await watchdog.start();
    });
    beforeEach(() => {
      watchdog.arm(hangAfter);
    });
  }
  afterEach(async () => {
    const fired = guarded && watchdog.disarm();
    closeAll();
    while (cleanups.length) await cleanups.pop()!();
    socket.setdefaulttimeout(null);
    if (fired) expect.fail('a blocking call hung past the hang guard; the watchdog shut its sockets down');
  });
  afterAll(async () => {
    if (guarded) await watchdog.stop();
    removeTmpDir();
  });
}

// ---- blocking socket factories (tracked) ---------------------------------------------------

/** socket.socket(...) that is closed after the test. */
export function sock(family?: number, type?: number, proto?: number): Sock {
  return track(socket.socket(family, type, proto));
}

/** socket.socketpair(...) whose two ends are closed after the test. */
export function pair(family?: number, type?: number, proto?: number): [Sock, Sock] {
  const [a, b] = socket.socketpair(family, type, proto);
  return [track(a), track(b)];
}

const familyOf = (host: string) => (host.includes(':') ? socket.AF_INET6 : socket.AF_INET);

/** A listening TCP socket on loopback, port chosen by the kernel. */
export function listener(
  host = '127.0.0.1',
  backlog?: number,
): { srv: Sock; port: number; addr: [string, number] } {
  const srv = sock(familyOf(host), socket.SOCK_STREAM);
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
 * `tweak` sees the bound listener and the client before listen() and connect().
 */
export function tcpPair(
  host = '127.0.0.1',
  tweak?: (listener: Sock, cli: Sock) => void,
): { srv: Sock; cli: Sock; conn: Sock; port: number } {
  const srv = sock(familyOf(host), socket.SOCK_STREAM);
  srv.bind([host, 0]);
  const cli = sock(familyOf(host), socket.SOCK_STREAM);
  tweak?.(srv, cli);
  srv.listen();
  const port = (srv.getsockname() as [string, number])[1];
  cli.connect([host, port]);
  const [conn] = accept(srv);
  return { srv, cli, conn, port };
}

/** A UDP socket bound to loopback, and its address. */
export function udp(host = '127.0.0.1'): { s: Sock; addr: [string, number] } {
  const s = sock(familyOf(host), socket.SOCK_DGRAM);
  s.bind([host, 0]);
  const name = s.getsockname() as [string, number];
  return { s, addr: [host, name[1]] };
}
