// socketpair, fd ownership and inheritance: ports of CPython's BasicSocketPairTest and
// InheritanceTest, plus detach/dup/fileno/fromfd on pairs. Inheritance is checked for real:
// a python3 child spawned by Node sees an fd only if FD_CLOEXEC was clear.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { fdTarget } from '../helpers/fds';
import { pair, sock, track, useSockets } from '../helpers/tracker';

useSockets();

const MSG = Buffer.from('socketpair payload \u00a7\n', 'utf8');

/** Whether a freshly spawned child process inherits `fd` (and sees a socket there). */
function childSeesFd(fd: number): boolean {
  const r = spawnSync(
    'python3',
    [
      '-c',
      'import os, stat, sys\ntry:\n    print(stat.S_ISSOCK(os.fstat(int(sys.argv[1])).st_mode))\nexcept OSError:\n    print("closed")',
      String(fd),
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  const out = r.stdout.trim();
  if (out !== 'True' && out !== 'closed') throw new Error(`unexpected child output: ${out} ${r.stderr}`);
  return out === 'True';
}

describe('BasicSocketPairTest', () => {
  it('defaults are AF_UNIX, SOCK_STREAM, proto 0, socket.socket instances (testDefaults)', () => {
    const [a, b] = pair();
    for (const s of [a, b]) {
      expect(s).toBeInstanceOf(socket.socket);
      expect(s.family).toBe(socket.AF_UNIX);
      expect(s.type).toBe(socket.SOCK_STREAM);
      expect(s.proto).toBe(0);
      expect(s.gettimeout()).toBeNull();
    }
  });

  it('one end receives what the other sent (testRecv)', () => {
    const [serv, cli] = pair();
    cli.send(MSG);
    expect(serv.recv(1024)).toEqual(MSG);
  });

  it('and the other way round (testSend)', () => {
    const [serv, cli] = pair();
    serv.send(MSG);
    expect(cli.recv(1024)).toEqual(MSG);
  });

  it('a socketpair is connected but unnamed (getsockname/getpeername on a pair)', () => {
    const [a, b] = pair();
    expect(a.getsockname()).toBe('');
    expect(b.getpeername()).toBe('');
  });

  it('AF_UNIX SOCK_DGRAM and SOCK_SEQPACKET pairs keep message boundaries (socketpair types)', () => {
    for (const type of [socket.SOCK_DGRAM, socket.SOCK_SEQPACKET]) {
      const [a, b] = pair(socket.AF_UNIX, type);
      expect(a.type).toBe(type);
      a.send(Buffer.from('ab'));
      a.send(Buffer.from('cde'));
      expect(b.recv(100).toString()).toBe('ab');
      expect(b.recv(100).toString()).toBe('cde');
      const [data, addr] = (b.send(Buffer.from('x')), a.recvfrom(10));
      expect(data.toString()).toBe('x');
      expect(addr === null || addr === '').toBe(true);
    }
  });

  it('socketpair(AF_INET) is OSError EOPNOTSUPP on Linux (socketpair, AF_INET)', () => {
    const e = catchError(() => socket.socketpair(socket.AF_INET));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(95);
  });

  it('socketpair(null) means AF_UNIX (socketpair, family None)', () => {
    const [a, b] = socket.socketpair(null);
    track(a);
    track(b);
    expect(a.family).toBe(socket.AF_UNIX);
  });
});

describe('fd ownership: fileno, detach, dup, fromfd', () => {
  it('fileno is the fd while open and -1 after close or detach (fileno)', () => {
    const [a, b] = pair();
    expect(a.fileno()).toBeGreaterThan(2);
    expect(fdTarget(a.fileno())).toMatch(/^socket:\[\d+\]$/);
    a.close();
    expect(a.fileno()).toBe(-1);
    const fd = b.detach();
    expect(b.fileno()).toBe(-1);
    expect(b.detach()).toBe(-1);
    expect(fdTarget(fd)).toMatch(/^socket:/);
    socket.close(fd);
    expect(fdTarget(fd)).toBeNull();
  });

  it('close() really closes the fd (close)', () => {
    const [a] = pair();
    const fd = a.fileno();
    const before = fdTarget(fd);
    a.close();
    expect(fdTarget(fd)).not.toBe(before);
  });

  it('a detached fd can be wrapped again with socket(fileno=) (detach)', () => {
    const [a, b] = pair();
    const fd = a.detach();
    const again = track(socket.socket(undefined, undefined, undefined, fd));
    expect(again.family).toBe(socket.AF_UNIX);
    expect(again.type).toBe(socket.SOCK_STREAM);
    again.send(MSG);
    expect(b.recv(1024)).toEqual(MSG);
  });

  it('dup shares the connection; closing one keeps the other working (dup)', () => {
    const [a, b] = pair();
    const d = track(a.dup());
    expect(d.fileno()).not.toBe(a.fileno());
    a.close();
    d.send(MSG);
    expect(b.recv(1024)).toEqual(MSG);
  });

  it('fromfd duplicates, so the source fd stays open and owned (fromfd)', () => {
    const [a, b] = pair();
    const f = track(socket.fromfd(a.fileno(), socket.AF_UNIX, socket.SOCK_STREAM));
    expect(f.fileno()).not.toBe(a.fileno());
    f.close();
    a.send(MSG);
    expect(b.recv(1024)).toEqual(MSG);
  });

  it('fromfd on a non-socket fd is OSError ENOTSOCK and leaks nothing (fromfd, ENOTSOCK)', () => {
    const before = fs.readdirSync('/proc/self/fd').length;
    const fd = fs.openSync('/proc/self/status', 'r');
    try {
      const e = catchError(() => socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.errno).toBe(88);
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });
});

describe('InheritanceTest', () => {
  it('SOCK_CLOEXEC is accepted and stripped from .type; the socket is not inheritable (test_SOCK_CLOEXEC)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_CLOEXEC);
    expect(s.type).toBe(socket.SOCK_STREAM);
    expect(s.get_inheritable()).toBe(false);
  });

  it('new sockets are not inheritable (test_default_inheritable)', () => {
    const s = sock();
    expect(s.get_inheritable()).toBe(false);
    expect(childSeesFd(s.fileno())).toBe(false);
  });

  it('a dup is not inheritable (test_dup)', () => {
    const s = sock();
    const d = track(s.dup());
    s.close();
    expect(d.get_inheritable()).toBe(false);
  });

  it('set_inheritable(true/false) round-trips (test_set_inheritable)', () => {
    const s = sock();
    expect(s.set_inheritable(true)).toBeUndefined();
    expect(s.get_inheritable()).toBe(true);
    s.set_inheritable(false);
    expect(s.get_inheritable()).toBe(false);
  });

  it('get_inheritable reads the fd flag, changed through another object on the same fd (test_get_inheritable_cloexec)', () => {
    const s = sock();
    expect(s.get_inheritable()).toBe(false);
    const alias = socket.socket(undefined, undefined, undefined, s.fileno());
    try {
      alias.set_inheritable(true);
      expect(s.get_inheritable()).toBe(true);
    } finally {
      alias.detach();
    }
  });

  it('set_inheritable(true) really lets a child process inherit the fd (test_set_inheritable_cloexec)', () => {
    const s = sock();
    expect(childSeesFd(s.fileno())).toBe(false);
    s.set_inheritable(true);
    expect(childSeesFd(s.fileno())).toBe(true);
    s.set_inheritable(false);
    expect(childSeesFd(s.fileno())).toBe(false);
  });

  it('both ends of a socketpair are not inheritable (test_socketpair)', () => {
    const [a, b] = pair();
    expect(a.get_inheritable()).toBe(false);
    expect(b.get_inheritable()).toBe(false);
  });

  it('accepted, fromfd and socket.dup() fds are not inheritable (inheritance of derived fds)', () => {
    const srv = sock();
    srv.bind(['127.0.0.1', 0]);
    srv.listen();
    const c = sock();
    c.connect(srv.getsockname() as [string, number]);
    const [conn] = srv.accept();
    track(conn);
    expect(conn.get_inheritable()).toBe(false);
    const f = track(socket.fromfd(c.fileno(), socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP));
    expect(f.get_inheritable()).toBe(false);
    const fd = socket.dup(c.fileno());
    const w = track(socket.socket(undefined, undefined, undefined, fd));
    expect(w.get_inheritable()).toBe(false);
  });
});
