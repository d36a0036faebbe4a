// UDP over IPv4 loopback: port of CPython's BasicUDPTest, the BufferIOTest recvfrom_into
// cases on datagrams, both sendto overloads, connected UDP, truncation, and the AF_INET
// address forms of API.md ('localhost', '', '<broadcast>').
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { catchError } from '../helpers/errors';
import { sock, udp, useSockets } from '../helpers/tracker';

useSockets();

const MSG = Buffer.from('datagram \u00e6\u00f8\u00e5 payload\r\n', 'utf8');

describe('BasicUDPTest', () => {
  it('sendto(data, flags, address) then recv (testSendtoAndRecv)', () => {
    const { s: serv, addr } = udp();
    const cli = sock(socket.AF_INET, socket.SOCK_DGRAM);
    expect(cli.sendto(MSG, 0, addr)).toBe(MSG.length);
    expect(serv.recv(MSG.length)).toEqual(MSG);
  });

  it('recvfrom gives the data and the sender address (testRecvFrom)', () => {
    const { s: serv, addr } = udp();
    const cli = sock(socket.AF_INET, socket.SOCK_DGRAM);
    cli.sendto(MSG, 0, addr);
    const [msg, from] = serv.recvfrom(MSG.length);
    expect(msg).toEqual(MSG);
    const cliPort = (cli.getsockname() as [string, number])[1];
    expect(cliPort).toBeGreaterThan(0);
    expect(from).toEqual(['127.0.0.1', cliPort]);
  });

  it('a negative recvfrom size is a RangeError (testRecvFromNegative)', () => {
    const { s: serv, addr } = udp();
    sock(socket.AF_INET, socket.SOCK_DGRAM).sendto(MSG, 0, addr);
    const e = catchError(() => serv.recvfrom(-1));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('negative buffersize in recvfrom');
    // The datagram is still there.
    expect(serv.recv(1024)).toEqual(MSG);
  });

  it('sendto(data, address) is the two-argument overload (sendto overloads)', () => {
    const { s: serv, addr } = udp();
    const { s: cli, addr: caddr } = udp();
    expect(cli.sendto(MSG, addr)).toBe(MSG.length);
    expect(serv.recvfrom(1024)).toEqual([MSG, caddr]);
    expect(cli.sendto(MSG, socket.MSG_DONTWAIT, addr)).toBe(MSG.length);
    expect(serv.recvfrom(1024)).toEqual([MSG, caddr]);
  });

  it('recvfrom_into returns nbytes and address (testRecvFromInto)', () => {
    const { s: serv, addr } = udp();
    const { s: cli, addr: caddr } = udp();
    cli.sendto(MSG, addr);
    const buf = Buffer.alloc(1024);
    const [n, from] = serv.recvfrom_into(buf);
    expect(n).toBe(MSG.length);
    expect(from).toEqual(caddr);
    expect(buf.subarray(0, n)).toEqual(MSG);
  });

  it('recvfrom_into with nbytes reads that much of the datagram (recvfrom_into nbytes)', () => {
    const { s: serv, addr } = udp();
    const { s: cli, addr: caddr } = udp();
    cli.sendto(MSG, addr);
    const buf = Buffer.alloc(64, 0);
    const [n, from] = serv.recvfrom_into(buf, 4);
    expect(n).toBe(4);
    expect(from).toEqual(caddr);
    expect(buf.subarray(0, 4)).toEqual(MSG.subarray(0, 4));
    expect(buf[4]).toBe(0);
  });

  it('recv_into receives a datagram into a typed array (recv_into, UDP)', () => {
    const { s: serv, addr } = udp();
    sock(socket.AF_INET, socket.SOCK_DGRAM).sendto(MSG, addr);
    const arr = new Uint8Array(256);
    const n = serv.recv_into(arr);
    expect(Buffer.from(arr.subarray(0, n))).toEqual(MSG);
  });

  it('datagrams keep their boundaries and order (recv, several datagrams)', () => {
    const { s: serv, addr } = udp();
    const cli = sock(socket.AF_INET, socket.SOCK_DGRAM);
    for (const m of ['one', 'two', 'three']) cli.sendto(Buffer.from(m), addr);
    expect(serv.recv(100).toString()).toBe('one');
    expect(serv.recv(100).toString()).toBe('two');
    expect(serv.recv(100).toString()).toBe('three');
  });

  it('an empty datagram is received as an empty Buffer (recvfrom, zero-length datagram)', () => {
    const { s: serv, addr } = udp();
    const { s: cli, addr: caddr } = udp();
    expect(cli.sendto(Buffer.alloc(0), addr)).toBe(0);
    expect(serv.recvfrom(100)).toEqual([Buffer.alloc(0), caddr]);
  });

  it('a short recv truncates the datagram and drops the rest (recv, truncation)', () => {
    const { s: serv, addr } = udp();
    const cli = sock(socket.AF_INET, socket.SOCK_DGRAM);
    cli.sendto(Buffer.from('0123456789'), addr);
    cli.sendto(Buffer.from('next'), addr);
    expect(serv.recv(4).toString()).toBe('0123');
    expect(serv.recv(100).toString()).toBe('next');
  });

  it('recv(n, MSG_TRUNC) returns at most n bytes; recv_into reports the true length (API decision on MSG_TRUNC)', () => {
    const { s: serv, addr } = udp();
    const cli = sock(socket.AF_INET, socket.SOCK_DGRAM);
    cli.sendto(Buffer.from('0123456789'), addr);
    const got = serv.recv(4, socket.MSG_TRUNC);
    expect(got.toString()).toBe('0123');
    cli.sendto(Buffer.from('abcdefghij'), addr);
    const buf = Buffer.alloc(4);
    expect(serv.recv_into(buf, 0, socket.MSG_TRUNC)).toBe(10);
    expect(buf.toString()).toBe('abcd');
  });

  it('recv(0) returns an empty Buffer without consuming the datagram (recv, bufsize 0)', () => {
    const { s: serv, addr } = udp();
    sock(socket.AF_INET, socket.SOCK_DGRAM).sendto(MSG, addr);
    expect(serv.recv(0)).toEqual(Buffer.alloc(0));
    expect(serv.recv(1024)).toEqual(MSG);
  });

  it('recvfrom(0) does a real receive: the datagram is consumed and its sender returned (recvfrom, bufsize 0)', () => {
    const { s: serv, addr } = udp();
    const { s: cli, addr: caddr } = udp();
    cli.sendto(MSG, addr);
    cli.sendto(Buffer.from('second'), addr);
    expect(serv.recvfrom(0)).toEqual([Buffer.alloc(0), caddr]);
    expect(serv.recv(1024).toString()).toBe('second');
  });

  it('recv with a large bufsize returns only what arrived (recv, short datagram)', () => {
    const { s: serv, addr } = udp();
    sock(socket.AF_INET, socket.SOCK_DGRAM).sendto(MSG, addr);
    const got = serv.recv(1 << 20);
    expect(got.length).toBe(MSG.length);
    expect(got).toEqual(MSG);
  });

  it('MSG_PEEK leaves the datagram queued (recvfrom, MSG_PEEK)', () => {
    const { s: serv, addr } = udp();
    const { s: cli, addr: caddr } = udp();
    cli.sendto(MSG, addr);
    expect(serv.recvfrom(1024, socket.MSG_PEEK)).toEqual([MSG, caddr]);
    expect(serv.recvfrom(1024)).toEqual([MSG, caddr]);
  });

  it('a connected UDP socket uses send/recv and has a peer name (connect, UDP)', () => {
    const { s: serv, addr } = udp();
    const cli = sock(socket.AF_INET, socket.SOCK_DGRAM);
    cli.connect(addr);
    expect(cli.getpeername()).toEqual(addr);
    expect(cli.send(MSG)).toBe(MSG.length);
    const [data, from] = serv.recvfrom(1024);
    expect(data).toEqual(MSG);
    serv.sendto(Buffer.from('reply'), from as [string, number]);
    expect(cli.recv(100).toString()).toBe('reply');
  });

  it('send on an unconnected UDP socket is OSError EDESTADDRREQ (send, no destination)', () => {
    const e = catchError(() => sock(socket.AF_INET, socket.SOCK_DGRAM).send(MSG));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(e.errno).toBe(89);
  });

  it('a datagram to a closed port makes the connected sender see ECONNREFUSED (connected UDP, ICMP error)', () => {
    const { s: probe, addr } = udp();
    probe.close();
    const cli = sock(socket.AF_INET, socket.SOCK_DGRAM);
    cli.connect(addr);
    cli.send(MSG);
    cli.settimeout(5);
    const e = catchError(() => cli.recv(100));
    expect(e).toBeInstanceOf(socket.ConnectionRefusedError);
    expect(e.errno).toBe(111);
  });
});

describe('AF_INET address forms', () => {
  it("bind(['', 0]) binds INADDR_ANY (AF_INET '' host)", () => {
    const s = sock(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind(['', 0]);
    const [host, port] = s.getsockname() as [string, number];
    expect(host).toBe('0.0.0.0');
    expect(port).toBeGreaterThan(0);
  });

  it("sendto(['localhost', port]) resolves the name (AF_INET hostname)", () => {
    const { s: serv, addr } = udp();
    const cli = sock(socket.AF_INET, socket.SOCK_DGRAM);
    cli.sendto(MSG, ['localhost', addr[1]]);
    expect(serv.recv(1024)).toEqual(MSG);
    const b = sock(socket.AF_INET, socket.SOCK_DGRAM);
    b.bind(['localhost', 0]);
    expect((b.getsockname() as [string, number])[0]).toBe('127.0.0.1');
  });

  it("sendto(['<broadcast>', port]) targets 255.255.255.255: EACCES without SO_BROADCAST (AF_INET '<broadcast>')", () => {
    const s = sock(socket.AF_INET, socket.SOCK_DGRAM);
    const e = catchError(() => s.sendto(MSG, ['<broadcast>', 9]));
    expect(e).toBeInstanceOf(socket.PermissionError);
    expect(e.errno).toBe(13);
    const e2 = catchError(() => s.sendto(MSG, ['255.255.255.255', 9]));
    expect(e2).toBeInstanceOf(socket.PermissionError);
  });

  it('an unknown host name is gaierror from sendto/connect/bind (AF_INET name resolution)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_DGRAM);
    for (const fn of [
      () => s.sendto(MSG, ['nonexistent.invalid', 9]),
      () => s.connect(['nonexistent.invalid', 9]),
      () => s.bind(['nonexistent.invalid', 0]),
    ]) {
      const e = catchError(fn);
      expect(e).toBeInstanceOf(socket.gaierror);
      expect(e.errno).toBe(-2);
    }
    // A malformed dotted quad goes to the resolver too.
    expect(() => s.sendto(MSG, ['300.1.1.1', 9])).toThrow(socket.gaierror);
  });

  it('an IPv6 literal on an AF_INET socket is gaierror -9 (AF_INET, IPv6 literal)', () => {
    const e = catchError(() => sock(socket.AF_INET, socket.SOCK_DGRAM).bind(['::1', 0]));
    expect(e).toBeInstanceOf(socket.gaierror);
    expect(e.errno).toBe(-9);
  });

  it('SO_BROADCAST can be set and read (setsockopt SO_BROADCAST)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_DGRAM);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST)).toBe(0);
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1);
    expect(s.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST)).toBe(1);
  });
});
