// AF_UNIX: ports of CPython's TestUnixDomain, TestLinuxAbstractNamespace and the
// UnixStreamBase connected-stream setup, plus AF_UNIX datagrams and the address rules of
// API.md (string or Buffer paths; abstract names returned as Buffer; '' autobinds).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { abstractName, unixPath } from '../helpers/paths';
import { accept, sock, track, useSockets } from '../helpers/tracker';

useSockets();

const MSG = Buffer.from('unix domain says hi \u00fc\n', 'utf8');
const UNIX_PATH_MAX = 108;

function unixListener(path: string | Buffer = unixPath()): { srv: socket.Socket; path: string | Buffer } {
  const srv = sock(socket.AF_UNIX, socket.SOCK_STREAM);
  srv.bind(path);
  srv.listen();
  return { srv, path };
}

describe('TestUnixDomain', () => {
  it('an unbound socket has the empty name (testUnbound)', () => {
    expect(sock(socket.AF_UNIX, socket.SOCK_STREAM).getsockname()).toBe('');
  });

  it('binding a string path returns the same string (testStrAddr)', () => {
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const p = unixPath();
    expect(s.bind(p)).toBeUndefined();
    expect(s.getsockname()).toBe(p);
    expect(fs.statSync(p).isSocket()).toBe(true);
  });

  it('binding a Buffer path returns it as a string (testBytesAddr)', () => {
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const p = unixPath();
    s.bind(Buffer.from(p));
    expect(s.getsockname()).toBe(p);
  });

  it('binding a Uint8Array path works too (testBytesAddr, bytes-like)', () => {
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const p = unixPath();
    s.bind(new Uint8Array(Buffer.from(p)));
    expect(s.getsockname()).toBe(p);
  });

  it('a non-ASCII path round-trips as UTF-8 (testSurrogateescapeBind, testUnencodableAddr)', () => {
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const p = unixPath('s\u00e9\u2603-');
    s.bind(p);
    expect(s.getsockname()).toBe(p);
    expect(fs.existsSync(p)).toBe(true);
  });

  it('a path of 108 bytes or more is OSError "AF_UNIX path too long" without errno (bind, path too long)', () => {
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    for (const p of [
      'x'.repeat(UNIX_PATH_MAX),
      '/tmp/' + 'x'.repeat(200),
      Buffer.alloc(UNIX_PATH_MAX, 'y'),
    ]) {
      const e = catchError(() => s.bind(p));
      expect(e).toBeInstanceOf(socket.OSError);
      expect(e.message).toBe('AF_UNIX path too long');
      expect(e.errno).toBeNull();
    }
    // connect and sendto check it the same way.
    expect(() => s.connect('x'.repeat(UNIX_PATH_MAX))).toThrow('AF_UNIX path too long');
    const d = sock(socket.AF_UNIX, socket.SOCK_DGRAM);
    expect(() => d.sendto(MSG, 'x'.repeat(UNIX_PATH_MAX))).toThrow('AF_UNIX path too long');
  });

  it('a path of 107 bytes fits (bind, longest path)', () => {
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const base = unixPath('L');
    const p = base + 'x'.repeat(UNIX_PATH_MAX - 1 - Buffer.byteLength(base));
    expect(Buffer.byteLength(p)).toBe(UNIX_PATH_MAX - 1);
    s.bind(p);
    expect(s.getsockname()).toBe(p);
  });

  it('binding an existing path is EADDRINUSE; connecting to a missing one is FileNotFoundError (bind/connect errors)', () => {
    const p = unixPath();
    sock(socket.AF_UNIX).bind(p);
    let e = catchError(() => sock(socket.AF_UNIX).bind(p));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(98);
    e = catchError(() => sock(socket.AF_UNIX).connect(unixPath('missing')));
    expect(e).toBeInstanceOf(socket.FileNotFoundError);
    expect(e.errno).toBe(2);
    expect(e.code).toBe('ENOENT');
  });

  it('an address that is neither string nor bytes-like is a TypeError (bind, AF_UNIX address type)', () => {
    const s = sock(socket.AF_UNIX);
    for (const bad of [5, ['a'], null, {}]) {
      const e = catchError(() => s.bind(bad as any));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(/^a bytes-like object is required, not /);
    }
  });
});

describe('UnixStreamBase (connected AF_UNIX stream)', () => {
  it('connect, accept and exchange data; accept from an unbound client gives "" (UnixStreamBase)', () => {
    const { srv, path } = unixListener();
    const cli = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    cli.connect(path);
    const [conn, addr] = accept(srv);
    expect(addr).toBe('');
    expect(cli.getpeername()).toBe(path);
    expect(conn.getsockname()).toBe(path);
    cli.sendall(MSG);
    expect(conn.recv(1024)).toEqual(MSG);
    conn.sendall(MSG);
    expect(cli.recv(1024)).toEqual(MSG);
    cli.close();
    expect(conn.recv(1024).length).toBe(0);
  });

  it('accept from a bound client gives its path (UnixStreamBase, bound client)', () => {
    const { srv, path } = unixListener();
    const cli = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const cpath = unixPath('client');
    cli.bind(cpath);
    cli.connect(Buffer.from(path as string));
    const [conn, addr] = accept(srv);
    expect(addr).toBe(cpath);
    expect(conn.getpeername()).toBe(cpath);
  });

  it('connect with a timeout to an AF_UNIX listener (UnixStreamBase, timeout)', () => {
    const { srv, path } = unixListener();
    const cli = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    cli.settimeout(5);
    cli.connect(path);
    srv.settimeout(5);
    accept(srv);
  });

  it('SOCK_SEQPACKET keeps message boundaries (AF_UNIX SOCK_SEQPACKET)', () => {
    const srv = sock(socket.AF_UNIX, socket.SOCK_SEQPACKET);
    const p = unixPath();
    srv.bind(p);
    srv.listen();
    const cli = sock(socket.AF_UNIX, socket.SOCK_SEQPACKET);
    cli.connect(p);
    const [conn] = accept(srv);
    expect(conn.type).toBe(socket.SOCK_SEQPACKET);
    cli.send(Buffer.from('one'));
    cli.send(Buffer.from('two'));
    expect(conn.recv(100).toString()).toBe('one');
    expect(conn.recv(100).toString()).toBe('two');
  });
});

describe('AF_UNIX datagrams', () => {
  it('recvfrom gives the sender path, or null for an unbound sender (recvfrom, AF_UNIX)', () => {
    const srv = sock(socket.AF_UNIX, socket.SOCK_DGRAM);
    const p = unixPath();
    srv.bind(p);
    const bound = sock(socket.AF_UNIX, socket.SOCK_DGRAM);
    const bp = unixPath('from');
    bound.bind(bp);
    expect(bound.sendto(MSG, p)).toBe(MSG.length);
    expect(srv.recvfrom(1024)).toEqual([MSG, bp]);
    const unbound = sock(socket.AF_UNIX, socket.SOCK_DGRAM);
    unbound.sendto(MSG, 0, Buffer.from(p));
    const [data, addr] = srv.recvfrom(1024);
    expect(data).toEqual(MSG);
    expect(addr).toBeNull();
    unbound.sendto(MSG, p);
    const buf = Buffer.alloc(100);
    expect(srv.recvfrom_into(buf)).toEqual([MSG.length, null]);
  });

  it('a datagram sender autobound with "" is seen under its abstract name (recvfrom, autobind sender)', () => {
    const srv = sock(socket.AF_UNIX, socket.SOCK_DGRAM);
    const p = unixPath();
    srv.bind(p);
    const c = sock(socket.AF_UNIX, socket.SOCK_DGRAM);
    c.bind('');
    const name = c.getsockname() as Buffer;
    c.sendto(MSG, p);
    const [, addr] = srv.recvfrom(1024);
    expect(Buffer.isBuffer(addr)).toBe(true);
    expect(addr).toEqual(name);
  });

  it('a datagram longer than the buffer is truncated to it (recv, datagram truncation)', () => {
    const [a, b] = [sock(socket.AF_UNIX, socket.SOCK_DGRAM), sock(socket.AF_UNIX, socket.SOCK_DGRAM)];
    const p = unixPath();
    b.bind(p);
    a.connect(p);
    a.send(Buffer.from('0123456789'));
    expect(b.recv(4).toString()).toBe('0123');
    a.send(Buffer.from('second'));
    expect(b.recv(100).toString()).toBe('second');
  });
});

describe('TestLinuxAbstractNamespace', () => {
  it('bind, connect and accept on an abstract name with NUL and 0xff inside (testLinuxAbstractNamespace)', () => {
    const address = Buffer.concat([
      Buffer.from('\0bsdsock-abstract-'),
      Buffer.from(String(process.pid)),
      Buffer.from([0, 0xff]),
    ]);
    const s1 = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    s1.bind(address);
    s1.listen();
    const s2 = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    s2.connect(s1.getsockname() as Buffer);
    const [s3] = accept(s1);
    expect(Buffer.isBuffer(s1.getsockname())).toBe(true);
    expect(s1.getsockname()).toEqual(address);
    expect(s2.getpeername()).toEqual(address);
    expect(s3.getsockname()).toEqual(address);
  });

  it('an abstract name may use all 108 bytes (testMaxName)', () => {
    const address = Buffer.concat([Buffer.from([0]), Buffer.alloc(UNIX_PATH_MAX - 1, 'h')]);
    address.write(String(process.pid), 1);
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    s.bind(address);
    expect(s.getsockname()).toEqual(address);
  });

  it('an abstract name of 109 bytes is OSError "AF_UNIX path too long" (testNameOverflow)', () => {
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    const e = catchError(() => s.bind('\0' + 'h'.repeat(UNIX_PATH_MAX)));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.message).toBe('AF_UNIX path too long');
  });

  it('an abstract name given as a string comes back as a Buffer (testStrName)', () => {
    const name = abstractName('str') + '\0python\0test\0';
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    s.bind(name);
    const got = s.getsockname();
    expect(Buffer.isBuffer(got)).toBe(true);
    expect(got).toEqual(Buffer.from(name, 'utf8'));
  });

  it('an abstract name given as a Uint8Array (testBytearrayName)', () => {
    const name = Buffer.from(abstractName('u8') + '\0python\0test\0');
    const s = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    s.bind(new Uint8Array(name));
    expect(s.getsockname()).toEqual(name);
  });

  it('binding "" autobinds to a distinct \\0 + 5 hex digits name (testAutobind)', () => {
    const s1 = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    s1.bind('');
    const n1 = s1.getsockname() as Buffer;
    expect(Buffer.isBuffer(n1)).toBe(true);
    expect(n1.toString('latin1')).toMatch(/^\0[0-9a-f]{5}$/);
    const s2 = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    s2.bind(Buffer.alloc(0));
    const n2 = s2.getsockname() as Buffer;
    expect(n2.toString('latin1')).toMatch(/^\0[0-9a-f]{5}$/);
    expect(n2).not.toEqual(n1);
  });

  it('a client connects to an autobound listener by the returned name (testAutobind, connect)', () => {
    const s1 = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    s1.bind('');
    s1.listen();
    const c = sock(socket.AF_UNIX, socket.SOCK_STREAM);
    c.connect(s1.getsockname() as Buffer);
    const [conn] = accept(s1);
    c.sendall(MSG);
    expect(conn.recv(1024)).toEqual(MSG);
  });

  it('repr shows an abstract laddr (repr, abstract name)', () => {
    const s = track(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM));
    s.bind(abstractName('repr'));
    expect(String(s)).toMatch(/^<socket\.socket fd=\d+, family=1, type=1, proto=0, laddr=.+>$/);
  });
});
