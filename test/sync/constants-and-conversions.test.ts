// Module constants, enums, byte order and address text conversions as CPython's
// GeneralModuleTests check them (Lib/test/test_socket.py). Each title names the original
// test; ValueError/OverflowError on arguments are RangeError (API.md).
import { describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import { sock, useSockets } from '../helpers/tracker';

useSockets();

const A = (v: unknown) => v as any;

describe('constants and enums (GeneralModuleTests)', () => {
  it('the crucial constants exist with Linux values (testCrucialConstants, testCrucialIpProtoConstants)', () => {
    expect(socket.AF_INET).toBe(2);
    expect(socket.AF_INET6).toBe(10);
    expect(socket.AF_UNIX).toBe(1);
    expect(socket.SOCK_STREAM).toBe(1);
    expect(socket.SOCK_DGRAM).toBe(2);
    expect(socket.SOCK_RAW).toBe(3);
    expect(socket.SOCK_RDM).toBe(4);
    expect(socket.SOCK_SEQPACKET).toBe(5);
    expect(socket.SOL_SOCKET).toBe(1);
    expect(socket.SO_REUSEADDR).toBe(2);
    expect(socket.IPPROTO_TCP).toBe(6);
    expect(socket.IPPROTO_UDP).toBe(17);
    expect(socket.IPPROTO_IPV6).toBe(41);
    expect(socket.SOCK_NONBLOCK).toBe(2048);
    expect(socket.SOCK_CLOEXEC).toBe(0x80000);
    expect(socket.has_ipv6).toBe(true);
  });

  it('AddressFamily and SocketKind map names to numbers and back (test_str_for_enums, test_addressfamily_enum, test_socketkind_enum)', () => {
    const s = sock(socket.AF_INET, socket.SOCK_STREAM);
    expect((socket.AddressFamily as any)[s.family]).toBe('AF_INET');
    expect((socket.SocketKind as any)[s.type]).toBe('SOCK_STREAM');
    expect((socket.AddressFamily as any).AF_INET6).toBe(socket.AF_INET6);
    expect((socket.SocketKind as any).SOCK_DGRAM).toBe(socket.SOCK_DGRAM);
    expect((socket.MsgFlag as any).MSG_PEEK).toBe(socket.MSG_PEEK);
    expect((socket.MsgFlag as any)[socket.MSG_PEEK]).toBe('MSG_PEEK');
    expect((socket.AddressInfo as any).AI_PASSIVE).toBe(socket.AI_PASSIVE);
    expect((socket.AddressInfo as any)[socket.AI_CANONNAME]).toBe('AI_CANONNAME');
  });
});

describe('byte order and address conversions (GeneralModuleTests)', () => {
  it('htons/ntohs/htonl/ntohl are their own inverse (testNtoH)', () => {
    const fns: [(x: number) => number, number][] = [
      [socket.htonl, 32],
      [socket.ntohl, 32],
      [socket.htons, 16],
      [socket.ntohs, 16],
    ];
    for (const [fn, size] of fns) {
      const mask = size === 32 ? 0xffffffff : 0xffff;
      for (const i of [0, 1, 0xffff, 2, 0x01234567, 0x76543210, 0xffff0000]) {
        const v = size === 32 ? i >>> 0 : i & mask;
        expect(fn(fn(v))).toBe(v);
      }
      expect(fn(mask)).toBe(mask);
      expect(() => fn(2 ** 34)).toThrow(RangeError);
    }
    expect(socket.htons(0x1234)).toBe(0x3412);
    expect(socket.htonl(0x01020304)).toBe(0x04030201);
    expect(socket.ntohl(0xff000000)).toBe(0xff);
  });

  it('byte-order functions reject negative and too large values (testNtoHErrors)', () => {
    const sGood = [0, 1, 2, 0xffff];
    const lGood = [...sGood, 0xffffffff];
    const neg = [-1, -2, -(2 ** 15) - 1, -(2 ** 31) - 1, -(2 ** 53)];
    const lBad = [2 ** 32, 2 ** 52];
    const sBad = [...lBad, 2 ** 16, 2 ** 31 - 1, 2 ** 31];
    for (const k of sGood) {
      socket.ntohs(k);
      socket.htons(k);
    }
    for (const k of lGood) {
      socket.ntohl(k);
      socket.htonl(k);
    }
    for (const k of neg) {
      for (const fn of [socket.ntohs, socket.htons, socket.ntohl, socket.htonl])
        expect(() => fn(k), String(k)).toThrow(RangeError);
    }
    for (const k of sBad) {
      expect(() => socket.ntohs(k)).toThrow(RangeError);
      expect(() => socket.htons(k)).toThrow(RangeError);
    }
    for (const k of lBad) {
      expect(() => socket.ntohl(k)).toThrow(RangeError);
      expect(() => socket.htonl(k)).toThrow(RangeError);
    }
    for (const fn of [socket.ntohs, socket.htons, socket.ntohl, socket.htonl]) {
      expect(() => fn(1.5)).toThrow(TypeError);
      expect(() => fn(A('1'))).toThrow(TypeError);
    }
  });

  it('inet_aton always returns 4 bytes (testIPv4_inet_aton_fourbytes)', () => {
    expect(socket.inet_aton('0.0.0.0')).toEqual(Buffer.alloc(4));
    expect(socket.inet_aton('255.255.255.255')).toEqual(Buffer.alloc(4, 0xff));
  });

  it('inet_aton follows the BSD rules (inet_aton)', () => {
    expect(socket.inet_aton('1.2')).toEqual(Buffer.from([1, 0, 0, 2]));
    expect(socket.inet_aton('127')).toEqual(Buffer.from([0, 0, 0, 127]));
    expect(socket.inet_aton('0x7f.1')).toEqual(Buffer.from([127, 0, 0, 1]));
  });

  it('inet_aton and inet_pton(AF_INET) parse dotted quads (testIPv4toString)', () => {
    const g = (a: string) => socket.inet_pton(socket.AF_INET, a);
    for (const f of [socket.inet_aton, g]) {
      expect(f('0.0.0.0')).toEqual(Buffer.from([0, 0, 0, 0]));
      expect(f('255.0.255.0')).toEqual(Buffer.from([255, 0, 255, 0]));
      expect(f('170.170.170.170')).toEqual(Buffer.from([0xaa, 0xaa, 0xaa, 0xaa]));
      expect(f('1.2.3.4')).toEqual(Buffer.from([1, 2, 3, 4]));
      expect(f('255.255.255.255')).toEqual(Buffer.from([255, 255, 255, 255]));
      for (const bad of ['0.0.0.', '300.0.0.0', 'a.0.0.0', '1.2.3.4.5', '::1']) {
        expect(() => f(bad), bad).toThrow(socket.OSError);
      }
    }
    expect(() => socket.inet_aton('300.0.0.0')).toThrow('illegal IP address string passed to inet_aton');
    expect(() => g('300.0.0.0')).toThrow('illegal IP address string passed to inet_pton');
  });

  it('inet_pton(AF_INET6) parses IPv6 text (testIPv6toString)', () => {
    const f = (a: string) => socket.inet_pton(socket.AF_INET6, a);
    expect(f('::')).toEqual(Buffer.alloc(16));
    expect(f('0::0')).toEqual(Buffer.alloc(16));
    expect(f('1::')).toEqual(Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(14)]));
    expect(f('45ef:76cb:1a:56ef:afeb:bac:1924:aeae')).toEqual(
      Buffer.from('45ef76cb001a56efafeb0bac1924aeae', 'hex'),
    );
    expect(f('ad42:abc::127:0:254:2')).toEqual(Buffer.from('ad420abc000000000127000002540002', 'hex'));
    expect(f('12:a::')).toEqual(Buffer.concat([Buffer.from([0, 0x12, 0, 0x0a]), Buffer.alloc(12)]));
    expect(f('::254.42.23.64')).toEqual(
      Buffer.concat([Buffer.alloc(12), Buffer.from([0xfe, 0x2a, 0x17, 0x40])]),
    );
    expect(f('42::a29b:254.42.23.64')).toEqual(Buffer.from('00420000000000000000a29bfe2a1740', 'hex'));
    expect(f('42:a8b9:0:2:ffff:a29b:254.42.23.64')).toEqual(
      Buffer.from('0042a8b900000002ffffa29bfe2a1740', 'hex'),
    );
    for (const bad of [
      '0x20::',
      ':::',
      '::0::',
      '1::abc::',
      '1::abc::def',
      '1:2:3:4:5:6',
      '1:2:3:4:5:6:',
      '1:2:3:4:5:6:7:8:0',
      '1:2:3:4:5:6:7:8:',
      '255.254.253.252',
      '1::260.2.3.0',
      '1::0.be.e.0',
      '1:2:3:4:5:6:7:1.2.3.4',
      '::1.2.3.4:0',
      '0.100.200.0:3:4:5:6:7:8',
    ]) {
      expect(() => f(bad), bad).toThrow(socket.OSError);
    }
  });

  it('inet_ntoa and inet_ntop(AF_INET) format 4 bytes (testStringToIPv4)', () => {
    const g = (a: ArrayBufferView) => socket.inet_ntop(socket.AF_INET, a);
    for (const f of [socket.inet_ntoa, g]) {
      expect(f(Buffer.from([1, 0, 1, 0]))).toBe('1.0.1.0');
      expect(f(Buffer.from([0xaa, 0x55, 0xaa, 0x55]))).toBe('170.85.170.85');
      expect(f(Buffer.from([255, 255, 255, 255]))).toBe('255.255.255.255');
      expect(f(new Uint8Array([0xaa, 0x55, 0xaa, 0x55]))).toBe('170.85.170.85');
      for (const n of [3, 5, 16]) expect(() => f(Buffer.alloc(n))).toThrow(Error);
    }
    expect(socket.inet_ntoa(Buffer.from([1, 2, 3, 4]))).toBe('1.2.3.4');
    expect(() => socket.inet_ntoa(Buffer.alloc(3))).toThrow(socket.OSError);
    expect(() => socket.inet_ntoa(Buffer.alloc(3))).toThrow('packed IP wrong length for inet_ntoa');
    expect(() => g(Buffer.alloc(3))).toThrow(RangeError);
    expect(() => g(Buffer.alloc(3))).toThrow('invalid length of packed IP address string');
  });

  it('inet_ntop(AF_INET6) formats 16 bytes (testStringToIPv6)', () => {
    const f = (a: ArrayBufferView) => socket.inet_ntop(socket.AF_INET6, a);
    expect(f(Buffer.alloc(16))).toBe('::');
    expect(f(Buffer.concat([Buffer.alloc(15), Buffer.from([1])]))).toBe('::1');
    expect(f(Buffer.from('0aef0b0105061001ffff999700550170', 'hex'))).toBe(
      'aef:b01:506:1001:ffff:9997:55:170',
    );
    expect(f(new Uint8Array([...new Array(15).fill(0), 1]))).toBe('::1');
    expect(f(Buffer.from('00000000000000000000ffff7f000001', 'hex'))).toBe('::ffff:127.0.0.1');
    for (const n of [15, 17, 4]) expect(() => f(Buffer.alloc(n, 0x12))).toThrow(RangeError);
    expect(() => socket.inet_ntop(12345, Buffer.alloc(4))).toThrow('unknown address family 12345');
  });
});
