// bsdsock/aio's module functions and constructors keep trio.socket's semantics
// (python-trio/trio src/trio/_tests/test_socket.py, each title names the original test):
// re-exports, async getaddrinfo/getnameinfo, from_stdlib_socket, fromfd, socketpair, sniffing.
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { aio, type ASock } from '../helpers/aio';
import { rejection } from '../helpers/errors';
import { within } from '../helpers/timing';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

describe('module level', () => {
  it('re-exports constants, errors and helpers (test_socket_has_some_reexports)', () => {
    expect(aio.SOL_SOCKET).toBe(socket.SOL_SOCKET);
    expect(aio.TCP_NODELAY).toBe(socket.TCP_NODELAY);
    expect(aio.gaierror).toBe(socket.gaierror);
    expect(aio.ntohs).toBe(socket.ntohs);
    expect(aio.OSError).toBe(socket.OSError);
    expect(aio.TimeoutError).toBe(socket.TimeoutError);
    expect(aio.BlockingIOError).toBe(socket.BlockingIOError);
  });

  it('getaddrinfo resolves numeric hosts and reports resolver errors as gaierror (test_getaddrinfo)', async () => {
    const pick = (r: any[]) => r.map(([f, t, , , sa]) => [f, t, sa]);
    const p = aio.getaddrinfo('127.0.0.1', '12345', 0, aio.SOCK_STREAM);
    expect(p).toBeInstanceOf(Promise);
    expect(pick(await p)).toEqual([[aio.AF_INET, aio.SOCK_STREAM, ['127.0.0.1', 12345]]]);
    expect(pick(await aio.getaddrinfo('::1', '12345', 0, aio.SOCK_DGRAM))).toEqual([
      [aio.AF_INET6, aio.SOCK_DGRAM, ['::1', 12345, 0, 0]],
    ]);
    const tcp = await aio.getaddrinfo('127.0.0.1', 12345, 0, aio.SOCK_STREAM);
    expect(tcp[0][2]).toBe(aio.IPPROTO_TCP);
    // A bad socket type is the resolver's error, as a gaierror with the EAI_* code.
    const e = await rejection(aio.getaddrinfo('::1', '12345', 0, -1));
    expect(e).toBeInstanceOf(socket.gaierror);
    expect([aio.EAI_SOCKTYPE, aio.EAI_SERVICE]).toContain(e.errno);
    // A real lookup (off the loop thread) of a name every host has.
    const lh = await aio.getaddrinfo('localhost', 80, aio.AF_INET, aio.SOCK_STREAM);
    expect(lh.length).toBeGreaterThan(0);
    expect(lh[0][4]).toEqual(['127.0.0.1', 80]);
  });

  it('getnameinfo, async, matches the blocking one (test_getnameinfo)', async () => {
    const numeric = aio.NI_NUMERICHOST | aio.NI_NUMERICSERV;
    expect(await aio.getnameinfo(['127.0.0.1', 1234], numeric)).toEqual(['127.0.0.1', '1234']);
    // getnameinfo wants a numeric address.
    expect(await rejection(aio.getnameinfo(['localhost', 80], 0))).toBeInstanceOf(socket.gaierror);
    const [host, service] = socket.getnameinfo(['127.0.0.1', 80], 0);
    expect(await aio.getnameinfo(['127.0.0.1', 80], 0)).toEqual([host, service]);
    expect(await aio.getnameinfo(['127.0.0.1', 80], aio.NI_NUMERICHOST)).toEqual(['127.0.0.1', service]);
    expect(await aio.getnameinfo(['127.0.0.1', 80], aio.NI_NUMERICSERV)).toEqual([host, '80']);
  });
});

describe('constructors', () => {
  it('from_stdlib_socket wraps a blocking Socket, sharing its fd, and rejects other types (test_from_stdlib_socket)', async () => {
    const [sa, sb] = socket.socketpair();
    track(sa);
    track(sb);
    const ta = aio.from_stdlib_socket(sa);
    expect(ta).toBeInstanceOf(aio.AsyncSocket);
    expect(sa).not.toBeInstanceOf(aio.AsyncSocket);
    expect(ta.fileno()).toBe(sa.fileno());
    expect(aio.from_stdlib_socket(sa)).toBe(ta);
    expect(await ta.send(Buffer.from('x'))).toBe(1);
    expect(sb.recv(1)).toEqual(Buffer.from('x'));
    expect(() => aio.from_stdlib_socket(1 as any)).toThrow(TypeError);
    expect(() => aio.from_stdlib_socket(ta as any)).toThrow(TypeError);
  });

  it('fromfd wraps a dup of the fd (test_from_fd)', async () => {
    const [sa, sb] = socket.socketpair();
    track(sa);
    track(sb);
    const ta = track(aio.fromfd(sa.fileno(), sa.family, sa.type, sa.proto));
    expect(ta.fileno()).not.toBe(sa.fileno());
    await ta.send(Buffer.from('x'));
    expect(sb.recv(3)).toEqual(Buffer.from('x'));
  });

  it('socketpair ends talk to each other concurrently (test_socketpair_simple)', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const child = async (s: ASock) => {
      await s.send(Buffer.from('h'));
      expect(await s.recv(1)).toEqual(Buffer.from('h'));
    };
    await within(Promise.all([child(a), child(b)]), 5000);
  });

  it('aio.socket() defaults to AF_INET SOCK_STREAM (test_socket)', () => {
    const s = track(aio.socket());
    expect(s).toBeInstanceOf(aio.AsyncSocket);
    expect(s.family).toBe(aio.AF_INET);
    expect(s.type).toBe(aio.SOCK_STREAM);
  });

  it('aio.socket(AF_INET6, SOCK_DGRAM) (test_socket_v6)', () => {
    const s = track(aio.socket(aio.AF_INET6, aio.SOCK_DGRAM));
    expect(s.family).toBe(aio.AF_INET6);
    expect(s.type).toBe(aio.SOCK_DGRAM);
  });

  it('socket(fileno=) sniffs family and type; fromfd with the right family/type and no proto works (test_sniff_sockopts)', () => {
    for (const family of [socket.AF_INET, socket.AF_INET6]) {
      for (const type of [socket.SOCK_DGRAM, socket.SOCK_STREAM]) {
        const s = track(socket.socket(family, type));
        const t = aio.socket(undefined, undefined, undefined, s.fileno());
        expect(t.family).toBe(family);
        expect(t.type).toBe(type);
        expect(t.detach()).toBe(s.fileno());
        // trio passes wrong values and lets Linux sniff the right ones; bsdsock checks
        // them instead (API.md "Decisions"), so a wrong family is EINVAL ...
        const wrong = family === socket.AF_INET ? socket.AF_INET6 : socket.AF_INET;
        let e: any = null;
        try {
          aio.fromfd(s.fileno(), wrong, type).close();
        } catch (err) {
          e = err;
        }
        expect(e).toBeInstanceOf(socket.OSError);
        expect(e.errno).toBe(22);
        // ... while the right ones with proto omitted (Python's default 0, "any") work.
        const f = track(aio.fromfd(s.fileno(), family, type));
        expect(f.family).toBe(family);
        expect(f.type).toBe(type);
      }
    }
  });
});
