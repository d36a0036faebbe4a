// Python's calling convention (arity, keyword arguments as a trailing options object) and
// the fd-passing twins, beyond what the differential test (python-diff.test.ts) compares.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as socket from '../lib/index';
import * as aio from '../lib/aio';

describe('keyword arguments', () => {
  it('getaddrinfo, socket, socketpair, fromfd and create_connection take Python names', () => {
    expect(
      socket.getaddrinfo('127.0.0.1', 80, { type: socket.SOCK_DGRAM, flags: socket.AI_NUMERICHOST }),
    ).toEqual([[socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP, '', ['127.0.0.1', 80]]]);
    expect(socket.getaddrinfo({ host: '127.0.0.1', port: 80, type: socket.SOCK_STREAM })).toHaveLength(1);
    using s = socket.socket({ family: socket.AF_INET6, type: socket.SOCK_DGRAM });
    expect([s.family, s.type]).toEqual([socket.AF_INET6, socket.SOCK_DGRAM]);
    const [a, b] = socket.socketpair({ type: socket.SOCK_DGRAM });
    expect(a.type).toBe(socket.SOCK_DGRAM);
    using c = socket.fromfd(a.fileno(), socket.AF_UNIX, socket.SOCK_DGRAM, { proto: 0 });
    expect(c.family).toBe(socket.AF_UNIX);
    a.close();
    b.close();
    using srv = socket.create_server(['127.0.0.1', 0]);
    using conn = socket.create_connection(srv.getsockname() as [string, number], {
      timeout: 5,
      all_errors: true,
    });
    expect(conn.gettimeout()).toBe(5);
    const [peer] = srv.accept();
    peer.close();
  });

  it('recv_into and recvfrom_into take keywords; positional-only methods refuse them', () => {
    const [a, b] = socket.socketpair();
    try {
      a.send(Buffer.from('hello'));
      const buf = Buffer.alloc(10);
      expect(b.recv_into(buf, { nbytes: 2 })).toBe(2);
      expect(buf.subarray(0, 2).toString()).toBe('he');
      expect(() => (b.recv as (...x: unknown[]) => unknown)(1, { flags: 0 })).toThrow(
        new TypeError('recv() takes no keyword arguments'),
      );
      expect(() => (b.recv_into as (...x: unknown[]) => unknown)(buf, { bogus: 1 })).toThrow(
        new TypeError("'bogus' is an invalid keyword argument for recv_into()"),
      );
      // An empty {} where a positional value is needed stays a value, as a dict in Python.
      expect(() => (b.bind as (...x: unknown[]) => unknown)({})).toThrow(TypeError);
    } finally {
      a.close();
      b.close();
    }
  });

  it('arity errors use CPython wording', () => {
    const S = socket as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => S.htons()).toThrow(new TypeError('htons() takes exactly 1 argument (0 given)'));
    expect(() => S.getaddrinfo('localhost')).toThrow(
      new TypeError("getaddrinfo() missing 1 required positional argument: 'port'"),
    );
    expect(() => S.socket(1, 2, 3, 4, 5)).toThrow(
      new TypeError('socket.__init__() takes from 1 to 5 positional arguments but 6 were given'),
    );
    using s = socket.socket();
    const M = s as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => M.send(Buffer.from('x'), 0, 1)).toThrow(
      new TypeError('send() takes at most 2 arguments (3 given)'),
    );
    expect(() => M.close(1)).toThrow(
      new TypeError('socket.close() takes 1 positional argument but 2 were given'),
    );
    expect(() => M.sendto(Buffer.from('x'))).toThrow(
      new TypeError('sendto() takes 2 or 3 arguments (1 given)'),
    );
  });
});

describe('send_fds / recv_fds twins', () => {
  it('the blocking functions refuse an AsyncSocket with a TypeError and leave no promise behind', async () => {
    const [a, b] = aio.socketpair();
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      expect(() => socket.send_fds(a as never, [Buffer.from('x')], [0])).toThrow(TypeError);
      expect(() => socket.recv_fds(b as never, 10, 1)).toThrow(
        new TypeError(
          'recv_fds() argument 1 must be a socket.socket, not AsyncSocket (use aio.recv_fds for an AsyncSocket)',
        ),
      );
      await new Promise((r) => setTimeout(r, 20));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      a.close();
      b.close();
    }
  });

  it('aio.send_fds / aio.recv_fds pass an fd that still works', async () => {
    const [a, b] = aio.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
    const [p, q] = socket.socketpair();
    try {
      expect(await aio.send_fds(a, [Buffer.from('fd')], [q.fileno()])).toBe(2);
      const [msg, fds, flags] = await aio.recv_fds(b, 10, 4);
      expect(msg.toString()).toBe('fd');
      expect(fds).toHaveLength(1);
      expect(flags).toBe(0);
      p.send(Buffer.from('through'));
      using got = socket.socket(null, null, null, fds[0]);
      expect(got.recv(10).toString()).toBe('through');
      expect(fs.existsSync(`/proc/self/fd/${fds[0]}`)).toBe(true);
      await expect(aio.recv_fds(p as never, 10, 1)).rejects.toThrow(TypeError);
    } finally {
      for (const x of [a, b, p, q]) x.close();
    }
  });
});

describe('the async twins take the same arguments', () => {
  it('aio.socket, socketpair and getaddrinfo take keywords; argument errors are rejections', async () => {
    using s = aio.socket({ family: socket.AF_INET, type: socket.SOCK_DGRAM });
    expect(s.type).toBe(socket.SOCK_DGRAM);
    const [a, b] = aio.socketpair({ type: socket.SOCK_DGRAM });
    a.close();
    b.close();
    expect(await aio.getaddrinfo('127.0.0.1', 80, { type: socket.SOCK_STREAM })).toEqual([
      [socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, '', ['127.0.0.1', 80]],
    ]);
    const G = aio.getaddrinfo as (...a: unknown[]) => Promise<unknown>;
    const p = G('localhost');
    expect(p).toBeInstanceOf(Promise);
    await expect(p).rejects.toThrow(
      new TypeError("getaddrinfo() missing 1 required positional argument: 'port'"),
    );
  });
});

describe('AF_INET6 scope_id', () => {
  it('is taken modulo 2**32 as CPython does (-1, 2**32 and 2**32 + 1 bind ::1)', () => {
    for (const scope of [-1, 2 ** 32, 2 ** 32 + 1]) {
      using s = socket.socket(socket.AF_INET6);
      s.bind(['::1', 0, 0, scope]);
      expect((s.getsockname() as unknown[])[0]).toBe('::1');
    }
    expect(socket.getnameinfo(['::1', 80, 0, -1], socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)).toEqual([
      '::1%4294967295',
      '80',
    ]);
  });
});

describe('sendfile keywords', () => {
  it('sendfile(file, { offset, count }) sends that part of the file', () => {
    const path = `${os.tmpdir()}/bsdsock-fidelity-sendfile-${process.pid}`;
    fs.writeFileSync(path, '0123456789');
    const fd = fs.openSync(path, 'r');
    const [a, b] = socket.socketpair();
    try {
      expect(a.sendfile(fd, { offset: 2, count: 5 })).toBe(5);
      expect(b.recv(10).toString()).toBe('23456');
      expect(() => (a.sendfile as (...x: unknown[]) => unknown)(fd, { bogus: 1 })).toThrow(
        new TypeError("socket.sendfile() got an unexpected keyword argument 'bogus'"),
      );
    } finally {
      fs.closeSync(fd);
      fs.rmSync(path);
      a.close();
      b.close();
    }
  });
});
