// Bad input, table-driven: every public function and socket method called with wrong
// types, out-of-range integers, NaN, Infinity, huge sizes, strings where buffers go, and on
// closed or detached sockets. Each must throw the class API.md says (TypeError for a wrong
// type or a non-integer, RangeError for an out-of-range value - Python's OverflowError and
// ValueError -, OSError for what the OS or Python's socket module reports as OSError),
// never crash or hang. After the table, the process must not hold more fds than before.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as socket from '../../lib/index';
import { fdCount } from '../helpers/fds';
import { unixPath } from '../helpers/paths';
import { hangGuard, listener, sock, tcpPair, track, useSockets } from '../helpers/tracker';

useSockets();

type Sock = socket.Socket;
type ErrorClass = new (...args: any[]) => Error;

interface Ctx {
  /** Unbound TCP socket (timeout 2 s, so a call that wrongly passes validation cannot hang). */
  tcp(): Sock;
  /** UDP socket bound to 127.0.0.1 (timeout 2 s). */
  udp(): Sock;
  /** Connected TCP socket (timeout 2 s). */
  conn(): Sock;
  /** Unbound AF_UNIX stream socket. */
  unix(): Sock;
  /** Unbound AF_INET6 stream socket. */
  tcp6(): Sock;
  /** A closed socket. */
  closed(): Sock;
  /** A detached socket (its fd closed by the context afterwards). */
  detached(): Sock;
  /** An fd of a regular file. */
  file(): number;
  /** A loopback address nobody uses in this test. */
  addr(): [string, number];
}

const opened: number[] = [];
afterEach(() => {
  while (opened.length) {
    try {
      fs.closeSync(opened.pop()!);
    } catch {
      // already closed
    }
  }
});

function makeCtx(): Ctx {
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key) as T;
  };
  return {
    tcp: () =>
      once('tcp', () => {
        const s = sock(socket.AF_INET, socket.SOCK_STREAM);
        s.settimeout(2);
        return s;
      }),
    udp: () =>
      once('udp', () => {
        const s = sock(socket.AF_INET, socket.SOCK_DGRAM);
        s.bind(['127.0.0.1', 0]);
        s.settimeout(2);
        return s;
      }),
    conn: () =>
      once('conn', () => {
        const { cli } = tcpPair();
        cli.settimeout(2);
        return cli;
      }),
    unix: () => once('unix', () => sock(socket.AF_UNIX, socket.SOCK_STREAM)),
    tcp6: () => once('tcp6', () => sock(socket.AF_INET6, socket.SOCK_STREAM)),
    closed: () =>
      once('closed', () => {
        const s = sock(socket.AF_INET, socket.SOCK_STREAM);
        s.close();
        return s;
      }),
    detached: () =>
      once('detached', () => {
        const s = sock(socket.AF_INET, socket.SOCK_STREAM);
        opened.push(s.detach());
        return s;
      }),
    file: () =>
      once('file', () => {
        const fd = fs.openSync('/proc/self/status', 'r');
        opened.push(fd);
        return fd;
      }),
    addr: () => once('addr', () => listener().addr),
  };
}

interface Expect {
  cls: ErrorClass;
  message?: string | RegExp;
  errno?: number | null;
}
type Row = [label: string, fn: (c: Ctx) => unknown, expect: Expect];

const A = (v: unknown) => v as any;
const buf = (n = 16) => Buffer.alloc(n);
const T = (label: string, fn: (c: Ctx) => unknown, message?: string | RegExp): Row => [
  label,
  fn,
  { cls: TypeError, message },
];
const R = (label: string, fn: (c: Ctx) => unknown, message?: string | RegExp): Row => [
  label,
  fn,
  { cls: RangeError, message },
];
const O = (label: string, fn: (c: Ctx) => unknown, errno?: number | null, message?: string | RegExp): Row => [
  label,
  fn,
  { cls: socket.OSError, errno, message },
];
const G = (label: string, fn: (c: Ctx) => unknown, errno?: number): Row => [
  label,
  fn,
  { cls: socket.gaierror, errno },
];
const EBADF = 9;
const BYTES_STR = "a bytes-like object is required, not 'string'";
const NOT_INT = /cannot be interpreted as an integer/;

// ---- module functions --------------------------------------------------------------

const moduleRows: Row[] = [
  // socket()
  T("socket('x')", () => socket.socket(A('x'))),
  T('socket(1.5)', () => socket.socket(1.5)),
  T('socket(NaN)', () => socket.socket(NaN)),
  T('socket(Infinity)', () => socket.socket(Infinity)),
  R('socket(2**40)', () => socket.socket(2 ** 40)),
  O('socket(99999) (unknown family)', () => socket.socket(99999), 97),
  O('socket(AF_INET, 999) (unknown type)', () => socket.socket(socket.AF_INET, 999), 22),
  T("socket(AF_INET, SOCK_STREAM, 'x')", () => socket.socket(socket.AF_INET, socket.SOCK_STREAM, A('x'))),
  O('socket(AF_INET, SOCK_STREAM, 99999) (unknown proto)', () =>
    socket.socket(socket.AF_INET, socket.SOCK_STREAM, 99999),
  ),
  R(
    'socket(fileno=-1)',
    () => socket.socket(undefined, undefined, undefined, -1),
    'negative file descriptor',
  ),
  T('socket(fileno=1.5)', () => socket.socket(undefined, undefined, undefined, 1.5)),
  T("socket(fileno='3')", () => socket.socket(undefined, undefined, undefined, A('3'))),
  T('socket(fileno=NaN)', () => socket.socket(undefined, undefined, undefined, NaN)),
  R('socket(fileno=2**40)', () => socket.socket(undefined, undefined, undefined, 2 ** 40)),
  O('socket(fileno=<not open>)', () => socket.socket(undefined, undefined, undefined, 1 << 20), EBADF),
  O('socket(fileno=<regular file>)', (c) => socket.socket(undefined, undefined, undefined, c.file()), 88),
  O(
    'socket(AF_INET, SOCK_STREAM, 0, <regular file>)',
    (c) => socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, c.file()),
    88,
  ),
  T("new Socket('x')", () => new socket.Socket(A('x'))),
  // socketpair()
  O('socketpair(AF_INET)', () => socket.socketpair(socket.AF_INET), 95),
  T("socketpair('x')", () => socket.socketpair(A('x'))),
  T("socketpair(AF_UNIX, 'x')", () => socket.socketpair(socket.AF_UNIX, A('x'))),
  O('socketpair(AF_UNIX, 999)', () => socket.socketpair(socket.AF_UNIX, 999)),
  R('socketpair(AF_UNIX, 2**40)', () => socket.socketpair(socket.AF_UNIX, 2 ** 40)),
  // fromfd()
  T("fromfd('x', AF_INET, SOCK_STREAM)", () => socket.fromfd(A('x'), socket.AF_INET, socket.SOCK_STREAM)),
  T('fromfd(1.5, AF_INET, SOCK_STREAM)', () => socket.fromfd(1.5, socket.AF_INET, socket.SOCK_STREAM)),
  O('fromfd(-1, AF_INET, SOCK_STREAM)', () => socket.fromfd(-1, socket.AF_INET, socket.SOCK_STREAM), EBADF),
  O(
    'fromfd(<not open>, AF_INET, SOCK_STREAM)',
    () => socket.fromfd(1 << 20, socket.AF_INET, socket.SOCK_STREAM),
    EBADF,
  ),
  O(
    'fromfd(<regular file>, AF_INET, SOCK_STREAM)',
    (c) => socket.fromfd(c.file(), socket.AF_INET, socket.SOCK_STREAM),
    88,
  ),
  // create_connection()
  T("create_connection('127.0.0.1:80')", () => socket.create_connection(A('127.0.0.1:80'))),
  T("create_connection(['127.0.0.1'])", () => socket.create_connection(A(['127.0.0.1']))),
  T('create_connection([1234, 80])', () => socket.create_connection(A([1234, 80]))),
  O(
    "create_connection(['127.0.0.1', {}])",
    () => socket.create_connection(A(['127.0.0.1', {}])),
    null,
    'Int or String expected',
  ),
  R(
    'create_connection(addr, -1)',
    (c) => socket.create_connection(c.addr(), -1),
    'Timeout value out of range',
  ),
  R('create_connection(addr, NaN)', (c) => socket.create_connection(c.addr(), NaN)),
  T("create_connection(addr, 'x')", (c) => socket.create_connection(c.addr(), A('x'))),
  T("create_connection(addr, 1, 'x') (source_address)", (c) => socket.create_connection(c.addr(), 1, A('x'))),
  R("create_connection(addr, 1, ['127.0.0.1', 70000])", (c) =>
    socket.create_connection(c.addr(), 1, ['127.0.0.1', 70000]),
  ),
  G(
    "create_connection(['nonexistent.invalid', 80])",
    () => socket.create_connection(['nonexistent.invalid', 80]),
    -2,
  ),
  // create_server()
  T(
    "create_server('x')",
    () => socket.create_server(A('x')),
    'bind(): AF_INET address must be an array, not string',
  ),
  R(
    "create_server(['127.0.0.1', -1])",
    () => socket.create_server(['127.0.0.1', -1]),
    'bind(): port must be 0-65535.',
  ),
  T("create_server(addr, { family: 'x' })", () => socket.create_server(['127.0.0.1', 0], { family: A('x') })),
  O(
    'create_server(addr, { family: 9999 })',
    () => socket.create_server(['127.0.0.1', 0], { family: 9999 }),
    97,
  ),
  T("create_server(addr, { backlog: 'x' })", () =>
    socket.create_server(['127.0.0.1', 0], { backlog: A('x') }),
  ),
  R('create_server(addr, { backlog: 2**40 })', () =>
    socket.create_server(['127.0.0.1', 0], { backlog: 2 ** 40 }),
  ),
  R('create_server(addr, { dualstack_ipv6: true }) on AF_INET', () =>
    socket.create_server(['127.0.0.1', 0], { dualstack_ipv6: true }),
  ),
  // As Python: the bind error is re-raised as a plain OSError naming the address.
  O(
    "create_server(['nonexistent.invalid', 0])",
    () => socket.create_server(['nonexistent.invalid', 0]),
    -2,
    "[Errno -2] Name or service not known (while attempting to bind on address ['nonexistent.invalid', 0])",
  ),
  // getaddrinfo()
  T(
    'getaddrinfo(123, 80)',
    () => socket.getaddrinfo(A(123), 80),
    'getaddrinfo() argument 1 must be string or null',
  ),
  O(
    "getaddrinfo('localhost', {})",
    () => socket.getaddrinfo('localhost', A({})),
    null,
    'Int or String expected',
  ),
  O(
    "getaddrinfo('localhost', 1.5)",
    () => socket.getaddrinfo('localhost', 1.5),
    null,
    'Int or String expected',
  ),
  T("getaddrinfo('localhost', 80, 'x')", () => socket.getaddrinfo('localhost', 80, A('x'))),
  T("getaddrinfo('localhost', 80, 0, 0, 0, 1.5)", () => socket.getaddrinfo('localhost', 80, 0, 0, 0, 1.5)),
  R("getaddrinfo('localhost', 80, 0, 0, 0, 2**40)", () =>
    socket.getaddrinfo('localhost', 80, 0, 0, 0, 2 ** 40),
  ),
  G("getaddrinfo('localhost', 80, 9999)", () => socket.getaddrinfo('localhost', 80, 9999), -6),
  G("getaddrinfo('localhost', 80, 0, 9999)", () => socket.getaddrinfo('localhost', 80, 0, 9999), -7),
  G(
    "getaddrinfo('localhost', 80, 0, 0, 0, 1 << 20)",
    () => socket.getaddrinfo('localhost', 80, 0, 0, 0, 1 << 20),
    -1,
  ),
  // getnameinfo()
  T("getnameinfo('x', 0)", () => socket.getnameinfo(A('x'), 0), 'getnameinfo() argument 1 must be an array'),
  T(
    "getnameinfo(['127.0.0.1'], 0)",
    () => socket.getnameinfo(A(['127.0.0.1']), 0),
    'getnameinfo(): illegal sockaddr argument',
  ),
  T("getnameinfo(['127.0.0.1', 80, 0, 0, 0], 0)", () => socket.getnameinfo(A(['127.0.0.1', 80, 0, 0, 0]), 0)),
  T("getnameinfo(['127.0.0.1', '80'], 0)", () => socket.getnameinfo(A(['127.0.0.1', '80']), 0)),
  T("getnameinfo(['127.0.0.1', 80], 'x')", () => socket.getnameinfo(['127.0.0.1', 80], A('x'))),
  R(
    "getnameinfo(['::1', 0, 0xffffffff], 0)",
    () => socket.getnameinfo(['::1', 0, 0xffffffff], 0),
    'getnameinfo(): flowinfo must be 0-1048575.',
  ),
  O(
    "getnameinfo(['127.0.0.1', 80, 0, 0], 0)",
    () => socket.getnameinfo(['127.0.0.1', 80, 0, 0], 0),
    null,
    'IPv4 sockaddr must be 2 tuple',
  ),
  G("getnameinfo(['mail.python.org', 0], 0)", () => socket.getnameinfo(['mail.python.org', 0], 0)),
  // gethostbyname(), gethostbyname_ex(), gethostbyaddr(), getfqdn()
  T('gethostbyname(123)', () => socket.gethostbyname(A(123))),
  T('gethostbyname(null)', () => socket.gethostbyname(A(null))),
  T("gethostbyname('a\\0b')", () => socket.gethostbyname('a\0b')),
  G("gethostbyname('nonexistent.invalid')", () => socket.gethostbyname('nonexistent.invalid'), -2),
  T('gethostbyname_ex(123)', () => socket.gethostbyname_ex(A(123))),
  T("gethostbyname_ex('a\\0b')", () => socket.gethostbyname_ex('a\0b')),
  G("gethostbyname_ex('nonexistent.invalid')", () => socket.gethostbyname_ex('nonexistent.invalid'), -2),
  T('gethostbyaddr(5)', () => socket.gethostbyaddr(A(5))),
  T("gethostbyaddr('127.0.0.1\\0junk')", () => socket.gethostbyaddr('127.0.0.1\0junk')),
  O("gethostbyaddr('0.1.1.~1')", () => socket.gethostbyaddr('0.1.1.~1')),
  T('getfqdn(5)', () => socket.getfqdn(A(5))),
  // getservbyname(), getservbyport(), getprotobyname()
  T('getservbyname(5)', () => socket.getservbyname(A(5))),
  T("getservbyname('http', 5)", () => socket.getservbyname('http', A(5))),
  R("getservbyname('http\\0junk')", () => socket.getservbyname('http\0junk'), 'embedded null character'),
  O(
    "getservbyname('no-such-service')",
    () => socket.getservbyname('no-such-service'),
    null,
    'service/proto not found',
  ),
  R('getservbyport(-1)', () => socket.getservbyport(-1), 'getservbyport: port must be 0-65535.'),
  R('getservbyport(65536)', () => socket.getservbyport(65536), 'getservbyport: port must be 0-65535.'),
  R('getservbyport(2**53)', () => socket.getservbyport(2 ** 53)),
  T("getservbyport('80')", () => socket.getservbyport(A('80'))),
  T('getservbyport(1.5)', () => socket.getservbyport(1.5)),
  T('getservbyport(NaN)', () => socket.getservbyport(NaN)),
  T('getservbyport(80, 5)', () => socket.getservbyport(80, A(5))),
  T('getprotobyname(5)', () => socket.getprotobyname(A(5))),
  R("getprotobyname('tcp\\0junk')", () => socket.getprotobyname('tcp\0junk'), 'embedded null character'),
  O(
    "getprotobyname('no-such-proto')",
    () => socket.getprotobyname('no-such-proto'),
    null,
    'protocol not found',
  ),
  // inet_*
  T('inet_aton(5)', () => socket.inet_aton(A(5))),
  T('inet_aton(Buffer)', () => socket.inet_aton(A(Buffer.from('1.2.3.4')))),
  R("inet_aton('1.2.3.4\\0')", () => socket.inet_aton('1.2.3.4\0'), 'embedded null character'),
  O(
    "inet_aton('300.1.1.1')",
    () => socket.inet_aton('300.1.1.1'),
    null,
    'illegal IP address string passed to inet_aton',
  ),
  T("inet_ntoa('1234')", () => socket.inet_ntoa(A('1234'))),
  T('inet_ntoa(null)', () => socket.inet_ntoa(A(null))),
  O('inet_ntoa(3 bytes)', () => socket.inet_ntoa(buf(3)), null, 'packed IP wrong length for inet_ntoa'),
  T('inet_pton(AF_INET, 5)', () => socket.inet_pton(socket.AF_INET, A(5))),
  T('inet_pton(AF_INET, Buffer)', () => socket.inet_pton(socket.AF_INET, A(Buffer.from('1.2.3.4')))),
  T("inet_pton('x', '1.2.3.4')", () => socket.inet_pton(A('x'), '1.2.3.4')),
  O(
    "inet_pton(AF_INET, '::1')",
    () => socket.inet_pton(socket.AF_INET, '::1'),
    null,
    'illegal IP address string passed to inet_pton',
  ),
  O("inet_pton(9999, '1.2.3.4')", () => socket.inet_pton(9999, '1.2.3.4'), 97),
  R("inet_pton(AF_INET, '1.2.3.4\\0')", () => socket.inet_pton(socket.AF_INET, '1.2.3.4\0')),
  T("inet_ntop(AF_INET, 'abcd')", () => socket.inet_ntop(socket.AF_INET, A('abcd'))),
  T("inet_ntop('x', 4 bytes)", () => socket.inet_ntop(A('x'), buf(4))),
  R(
    'inet_ntop(AF_INET, 5 bytes)',
    () => socket.inet_ntop(socket.AF_INET, buf(5)),
    'invalid length of packed IP address string',
  ),
  R(
    'inet_ntop(AF_INET6, 4 bytes)',
    () => socket.inet_ntop(socket.AF_INET6, buf(4)),
    'invalid length of packed IP address string',
  ),
  R('inet_ntop(9999, 4 bytes)', () => socket.inet_ntop(9999, buf(4)), 'unknown address family 9999'),
  // byte order
  ...(['htons', 'ntohs', 'htonl', 'ntohl'] as const).flatMap((name): Row[] => {
    const fn = socket[name] as (x: unknown) => number;
    const big = name.endsWith('s') ? 65536 : 2 ** 32;
    return [
      R(`${name}(-1)`, () => fn(-1)),
      R(`${name}(${big})`, () => fn(big)),
      R(`${name}(2**53)`, () => fn(2 ** 53)),
      T(`${name}(1.5)`, () => fn(1.5)),
      T(`${name}('1')`, () => fn('1')),
      T(`${name}(NaN)`, () => fn(NaN)),
      T(`${name}(Infinity)`, () => fn(Infinity)),
      T(`${name}(null)`, () => fn(null)),
      T(`${name}(1n)`, () => fn(1n)),
    ];
  }),
  // interfaces
  T('if_nametoindex(0)', () => socket.if_nametoindex(A(0))),
  T('if_nametoindex(null)', () => socket.if_nametoindex(A(null))),
  O(
    "if_nametoindex('_DEADBEEF')",
    () => socket.if_nametoindex('_DEADBEEF'),
    null,
    'no interface with this name',
  ),
  R("if_nametoindex('lo\\0x')", () => socket.if_nametoindex('lo\0x')),
  O('if_indextoname(0)', () => socket.if_indextoname(0), 6),
  R('if_indextoname(-1)', () => socket.if_indextoname(-1)),
  // As CPython: an unsigned long whose low 32 bits reach if_indextoname(3) (index 0: ENXIO).
  O('if_indextoname(2**40)', () => socket.if_indextoname(2 ** 40), 6),
  R('if_indextoname(2**64)', () => socket.if_indextoname(2 ** 64)),
  T("if_indextoname('x')", () => socket.if_indextoname(A('x'))),
  T('if_indextoname(1.5)', () => socket.if_indextoname(1.5)),
  T('if_indextoname(NaN)', () => socket.if_indextoname(NaN)),
  // default timeout
  R('setdefaulttimeout(-1)', () => socket.setdefaulttimeout(-1), 'Timeout value out of range'),
  R('setdefaulttimeout(-Infinity)', () => socket.setdefaulttimeout(-Infinity)),
  R('setdefaulttimeout(NaN)', () => socket.setdefaulttimeout(NaN), 'Invalid value NaN (not a number)'),
  R('setdefaulttimeout(Infinity)', () => socket.setdefaulttimeout(Infinity)),
  R('setdefaulttimeout(1e300)', () => socket.setdefaulttimeout(1e300)),
  T("setdefaulttimeout('spam')", () => socket.setdefaulttimeout(A('spam'))),
  T('setdefaulttimeout({})', () => socket.setdefaulttimeout(A({}))),
  // close(), dup()
  T('close(null)', () => socket.close(A(null))),
  T("close('x')", () => socket.close(A('x'))),
  T('close(1.5)', () => socket.close(1.5)),
  O('close(-1)', () => socket.close(-1), EBADF),
  O('close(<not open>)', () => socket.close(1 << 20), EBADF),
  T("dup('x')", () => socket.dup(A('x'))),
  T('dup(1.5)', () => socket.dup(1.5)),
  O('dup(-1)', () => socket.dup(-1), EBADF),
  O('dup(<not open>)', () => socket.dup(1 << 20), EBADF),
];

// ---- socket methods ------------------------------------------------------------------

const methodRows: Row[] = [
  // accept
  O('accept() on a socket that is not listening', (c) => c.tcp().accept(), 22),
  O('accept() on a UDP socket', (c) => c.udp().accept(), 95),
  // bind
  T("bind('x')", (c) => c.tcp().bind(A('x')), 'bind(): AF_INET address must be an array, not string'),
  T('bind({})', (c) => c.tcp().bind(A({}))),
  T('bind([])', (c) => c.tcp().bind(A([])), 'AF_INET address must be a pair (host, port)'),
  R("bind(['127.0.0.1', 70000])", (c) => c.tcp().bind(['127.0.0.1', 70000]), 'bind(): port must be 0-65535.'),
  R("bind(['127.0.0.1', -1])", (c) => c.tcp().bind(['127.0.0.1', -1]), 'bind(): port must be 0-65535.'),
  T("bind(['127.0.0.1', NaN])", (c) => c.tcp().bind(['127.0.0.1', NaN]), NOT_INT),
  T("bind(['127.0.0.1', Infinity])", (c) => c.tcp().bind(['127.0.0.1', Infinity]), NOT_INT),
  T("bind(['127.0.0.1', '80'])", (c) => c.tcp().bind(A(['127.0.0.1', '80'])), NOT_INT),
  T('bind([1234, 0])', (c) => c.tcp().bind(A([1234, 0])), /^str, bytes or bytearray expected, not /),
  T(
    "bind(['127.0.0.1\\0', 0])",
    (c) => c.tcp().bind(['127.0.0.1\0', 0]),
    'host name must not contain null character',
  ),
  T('bind(5) on AF_UNIX', (c) => c.unix().bind(A(5)), /^a bytes-like object is required, not /),
  O('bind(<200-byte path>) on AF_UNIX', (c) => c.unix().bind('x'.repeat(200)), null, 'AF_UNIX path too long'),
  T(
    "bind('::1') on AF_INET6",
    (c) => c.tcp6().bind(A('::1')),
    'bind(): AF_INET6 address must be an array, not string',
  ),
  R(
    "bind(['::1', 0, 0x100000]) on AF_INET6",
    (c) => c.tcp6().bind(['::1', 0, 0x100000]),
    'bind(): flowinfo must be 0-1048575.',
  ),
  T("bind(['::1', 0, 'x']) on AF_INET6", (c) => c.tcp6().bind(A(['::1', 0, 'x']))),
  O(
    "bind(['<broadcast>', 0]) on AF_INET6",
    (c) => c.tcp6().bind(['<broadcast>', 0]),
    null,
    'address family mismatched',
  ),
  // connect, connect_ex
  T(
    "connect('x')",
    (c) => c.tcp().connect(A('x')),
    'connect(): AF_INET address must be an array, not string',
  ),
  R(
    "connect(['127.0.0.1', 65536])",
    (c) => c.tcp().connect(['127.0.0.1', 65536]),
    'connect(): port must be 0-65535.',
  ),
  T(
    'connect(null)',
    (c) => c.tcp().connect(A(null)),
    'connect(): AF_INET address must be an array, not null',
  ),
  T(
    "connect_ex('x')",
    (c) => c.tcp().connect_ex(A('x')),
    'connect_ex(): AF_INET address must be an array, not string',
  ),
  R(
    "connect_ex(['127.0.0.1', -1])",
    (c) => c.tcp().connect_ex(['127.0.0.1', -1]),
    'connect_ex(): port must be 0-65535.',
  ),
  // getsockopt
  T("getsockopt(SOL_SOCKET, 'x')", (c) => c.tcp().getsockopt(socket.SOL_SOCKET, A('x'))),
  T("getsockopt('x', SO_TYPE)", (c) => c.tcp().getsockopt(A('x'), socket.SO_TYPE)),
  T('getsockopt(SOL_SOCKET, SO_TYPE, 1.5)', (c) =>
    c.tcp().getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 1.5),
  ),
  O(
    'getsockopt(SOL_SOCKET, SO_TYPE, -1)',
    (c) => c.tcp().getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, -1),
    null,
    'getsockopt buflen out of range',
  ),
  O(
    'getsockopt(SOL_SOCKET, SO_TYPE, 1025)',
    (c) => c.tcp().getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 1025),
    null,
    'getsockopt buflen out of range',
  ),
  R('getsockopt(SOL_SOCKET, SO_TYPE, 2**40)', (c) =>
    c.tcp().getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 2 ** 40),
  ),
  R('getsockopt(SOL_SOCKET, 2**40)', (c) => c.tcp().getsockopt(socket.SOL_SOCKET, 2 ** 40)),
  O('getsockopt(9999, 9999)', (c) => c.tcp().getsockopt(9999, 9999)),
  // setsockopt
  T(
    "setsockopt(SOL_SOCKET, SO_REUSEADDR, 'x')",
    (c) => c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, A('x')),
    BYTES_STR,
  ),
  T(
    'setsockopt(SOL_SOCKET, SO_REUSEADDR, 2**40)',
    (c) => c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 2 ** 40),
    /^a bytes-like object is required, not /,
  ),
  T('setsockopt(SOL_SOCKET, SO_REUSEADDR, 1.5)', (c) =>
    c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1.5),
  ),
  T('setsockopt(SOL_SOCKET, SO_REUSEADDR, NaN)', (c) =>
    c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, NaN),
  ),
  T('setsockopt(SOL_SOCKET, SO_REUSEADDR, {})', (c) =>
    c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, A({})),
  ),
  T('setsockopt(SOL_SOCKET, SO_REUSEADDR, null) without optlen', (c) =>
    c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null),
  ),
  T('setsockopt(SOL_SOCKET, SO_REUSEADDR, 1, 4) (value and optlen)', (c) =>
    c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1, 4),
  ),
  // As CPython: optlen is an unsigned int taken modulo 2**32, and the kernel refuses it.
  O(
    'setsockopt(SOL_SOCKET, SO_REUSEADDR, null, -1)',
    (c) => c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, -1),
    22,
  ),
  O(
    'setsockopt(SOL_SOCKET, SO_REUSEADDR, null, 2**40)',
    (c) => c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, 2 ** 40),
    22,
  ),
  T("setsockopt(SOL_SOCKET, SO_REUSEADDR, null, 'x')", (c) =>
    c.tcp().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, null, A('x')),
  ),
  T("setsockopt('x', SO_REUSEADDR, 1)", (c) => c.tcp().setsockopt(A('x'), socket.SO_REUSEADDR, 1)),
  O('setsockopt(9999, 9999, 1)', (c) => c.tcp().setsockopt(9999, 9999, 1)),
  // settimeout, setblocking
  R('settimeout(-1)', (c) => c.tcp().settimeout(-1), 'Timeout value out of range'),
  R('settimeout(NaN)', (c) => c.tcp().settimeout(NaN), 'Invalid value NaN (not a number)'),
  R('settimeout(Infinity)', (c) => c.tcp().settimeout(Infinity)),
  R('settimeout(-Infinity)', (c) => c.tcp().settimeout(-Infinity)),
  T("settimeout('1')", (c) => c.tcp().settimeout(A('1'))),
  T('settimeout({})', (c) => c.tcp().settimeout(A({}))),
  T('settimeout()', (c) => A(c.tcp()).settimeout()),
  // listen
  T("listen('x')", (c) => c.tcp().listen(A('x'))),
  T('listen(1.5)', (c) => c.tcp().listen(1.5)),
  R('listen(2**31)', (c) => c.tcp().listen(2 ** 31)),
  O('listen() on a UDP socket', (c) => c.udp().listen(), 95),
  // recv family
  R('recv(-1)', (c) => c.conn().recv(-1), 'negative buffersize in recv'),
  T("recv('x')", (c) => c.conn().recv(A('x')), NOT_INT),
  T('recv(1.5)', (c) => c.conn().recv(1.5), NOT_INT),
  T('recv(NaN)', (c) => c.conn().recv(NaN)),
  T('recv(Infinity)', (c) => c.conn().recv(Infinity)),
  T('recv()', (c) => A(c.conn()).recv()),
  R('recv(2**40)', (c) => c.conn().recv(2 ** 40)),
  R('recv(2**53)', (c) => c.conn().recv(2 ** 53)),
  T("recv(10, 'x')", (c) => c.conn().recv(10, A('x'))),
  T('recv(10, 1.5)', (c) => c.conn().recv(10, 1.5)),
  R('recv(10, 2**40)', (c) => c.conn().recv(10, 2 ** 40)),
  T(
    "recv_into('abc')",
    (c) => c.conn().recv_into(A('abc')),
    /^recv_into\(\) argument 1 must be read-write bytes-like object, not /,
  ),
  T('recv_into(null)', (c) => c.conn().recv_into(A(null))),
  T('recv_into(5)', (c) => c.conn().recv_into(A(5))),
  T('recv_into([0, 0])', (c) => c.conn().recv_into(A([0, 0]))),
  R('recv_into(buf, -1)', (c) => c.conn().recv_into(buf(), -1), 'negative buffersize in recv_into'),
  R(
    'recv_into(8 bytes, 1024)',
    (c) => c.conn().recv_into(buf(8), 1024),
    'buffer too small for requested bytes',
  ),
  R('recv_into(8 bytes, 2**31)', (c) => c.conn().recv_into(buf(8), 2 ** 31)),
  R('recv_into(8 bytes, 2**53)', (c) => c.conn().recv_into(buf(8), 2 ** 53)),
  T('recv_into(buf, 1.5)', (c) => c.conn().recv_into(buf(), 1.5)),
  T("recv_into(buf, 'x')", (c) => c.conn().recv_into(buf(), A('x'))),
  T('recv_into(buf, NaN)', (c) => c.conn().recv_into(buf(), NaN)),
  T("recv_into(buf, 0, 'x')", (c) => c.conn().recv_into(buf(), 0, A('x'))),
  R('recvfrom(-1)', (c) => c.udp().recvfrom(-1), 'negative buffersize in recvfrom'),
  T("recvfrom('x')", (c) => c.udp().recvfrom(A('x'))),
  T('recvfrom(Infinity)', (c) => c.udp().recvfrom(Infinity)),
  R('recvfrom(2**40)', (c) => c.udp().recvfrom(2 ** 40)),
  T("recvfrom(10, 'x')", (c) => c.udp().recvfrom(10, A('x'))),
  T(
    "recvfrom_into('abc')",
    (c) => c.udp().recvfrom_into(A('abc')),
    /^recvfrom_into\(\) argument 1 must be read-write bytes-like object, not /,
  ),
  R(
    'recvfrom_into(8 bytes, 1024)',
    (c) => c.udp().recvfrom_into(buf(8), 1024),
    'nbytes is greater than the length of the buffer',
  ),
  R(
    'recvfrom_into(buf, -1)',
    (c) => c.udp().recvfrom_into(buf(), -1),
    'negative buffersize in recvfrom_into',
  ),
  T('recvfrom_into(buf, 1.5)', (c) => c.udp().recvfrom_into(buf(), 1.5)),
  T("recvfrom_into(buf, 0, 'x')", (c) => c.udp().recvfrom_into(buf(), 0, A('x'))),
  // send family
  T("send('abc')", (c) => c.conn().send(A('abc')), BYTES_STR),
  T('send(5)', (c) => c.conn().send(A(5)), /^a bytes-like object is required, not /),
  T('send(null)', (c) => c.conn().send(A(null))),
  T('send()', (c) => A(c.conn()).send()),
  T('send([1, 2])', (c) => c.conn().send(A([1, 2]))),
  T("send(buf, 'x')", (c) => c.conn().send(buf(), A('x'))),
  R('send(buf, 2**40)', (c) => c.conn().send(buf(), 2 ** 40)),
  T("sendall('abc')", (c) => c.conn().sendall(A('abc')), BYTES_STR),
  T('sendall({})', (c) => c.conn().sendall(A({}))),
  T("sendall(buf, 'x')", (c) => c.conn().sendall(buf(), A('x'))),
  T('sendto(buf) (1 argument)', (c) => A(c.udp()).sendto(buf()), 'sendto() takes 2 or 3 arguments (1 given)'),
  T(
    'sendto(buf, 0, addr, 4) (4 arguments)',
    (c) => A(c.udp()).sendto(buf(), 0, ['127.0.0.1', 9], 4),
    'sendto() takes 2 or 3 arguments (4 given)',
  ),
  T("sendto('abc', addr)", (c) => c.udp().sendto(A('abc'), ['127.0.0.1', 9]), BYTES_STR),
  T(
    'sendto(buf, null)',
    (c) => c.udp().sendto(buf(), A(null)),
    'sendto(): AF_INET address must be an array, not null',
  ),
  T("sendto(buf, 'x', addr)", (c) => c.udp().sendto(buf(), A('x'), ['127.0.0.1', 9])),
  T('sendto(buf, null, null)', (c) => c.udp().sendto(buf(), A(null), A(null))),
  R('sendto(buf, 2**40, addr)', (c) => c.udp().sendto(buf(), 2 ** 40, ['127.0.0.1', 9])),
  R(
    "sendto(buf, ['127.0.0.1', 70000])",
    (c) => c.udp().sendto(buf(), ['127.0.0.1', 70000]),
    'sendto(): port must be 0-65535.',
  ),
  // shutdown
  O('shutdown(5)', (c) => c.conn().shutdown(5), 22),
  T("shutdown('x')", (c) => c.conn().shutdown(A('x'))),
  T('shutdown(NaN)', (c) => c.conn().shutdown(NaN)),
  R('shutdown(2 + 2**32)', (c) => c.conn().shutdown(2 + 2 ** 32)),
  O('shutdown(SHUT_RDWR) on an unconnected socket', (c) => c.tcp().shutdown(socket.SHUT_RDWR), 107),
  // getpeername
  O('getpeername() on an unconnected socket', (c) => c.tcp().getpeername(), 107),
  // read-only attributes
  T('family = 5', (c) => {
    (c.tcp() as any).family = 5;
  }),
  T('type = 5', (c) => {
    (c.tcp() as any).type = 5;
  }),
  T('proto = 5', (c) => {
    (c.tcp() as any).proto = 5;
  }),
];

// ---- closed and detached sockets: every operation is EBADF ---------------------------

const ebadfOps: [string, (s: Sock) => unknown][] = [
  ['accept()', (s) => s.accept()],
  ["bind(['127.0.0.1', 0])", (s) => s.bind(['127.0.0.1', 0])],
  ["connect(['127.0.0.1', 9])", (s) => s.connect(['127.0.0.1', 9])],
  ['dup()', (s) => s.dup()],
  ['get_inheritable()', (s) => s.get_inheritable()],
  ['set_inheritable(true)', (s) => s.set_inheritable(true)],
  ['getpeername()', (s) => s.getpeername()],
  ['getsockname()', (s) => s.getsockname()],
  ['getsockopt(SOL_SOCKET, SO_TYPE)', (s) => s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)],
  ['getsockopt(SOL_SOCKET, SO_TYPE, 4)', (s) => s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE, 4)],
  ['setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)', (s) => s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)],
  ['setblocking(false)', (s) => s.setblocking(false)],
  ['settimeout(1)', (s) => s.settimeout(1)],
  ['listen()', (s) => s.listen()],
  ['recv(10)', (s) => s.recv(10)],
  ['recv_into(buf)', (s) => s.recv_into(buf())],
  ['recvfrom(10)', (s) => s.recvfrom(10)],
  ['recvfrom_into(buf)', (s) => s.recvfrom_into(buf())],
  ['send(buf)', (s) => s.send(buf())],
  ['sendall(buf)', (s) => s.sendall(buf())],
  ["sendto(buf, ['127.0.0.1', 9])", (s) => s.sendto(buf(), ['127.0.0.1', 9])],
  ['shutdown(SHUT_RDWR)', (s) => s.shutdown(socket.SHUT_RDWR)],
];

const deadRows: Row[] = (['closed', 'detached'] as const).flatMap((kind) =>
  ebadfOps.map(([label, op]): Row => [
    `${label} on a ${kind} socket`,
    (c) => op(c[kind]()),
    { cls: socket.OSError, errno: EBADF },
  ]),
);

function check(fn: () => unknown, exp: Expect): void {
  let threw = false;
  let err: any;
  try {
    fn();
  } catch (e) {
    threw = true;
    err = e;
  }
  if (!threw) expect.fail(`expected ${exp.cls.name}, but the call returned normally`);
  expect(err).toBeInstanceOf(exp.cls);
  // A TypeError/RangeError must not be an OSError in disguise, nor the reverse.
  if (exp.cls === TypeError || exp.cls === RangeError) expect(err).not.toBeInstanceOf(socket.OSError);
  if (exp.message instanceof RegExp) expect(err.message).toMatch(exp.message);
  else if (exp.message !== undefined) expect(err.message).toBe(exp.message);
  if (exp.errno !== undefined) expect(err.errno).toBe(exp.errno);
}

let fdsBefore = -1;

describe('bad input', () => {
  it('(baseline: open fds before the table)', () => {
    fdsBefore = fdCount();
    expect(fdsBefore).toBeGreaterThan(0);
  });

  describe('module functions', () => {
    for (const [label, fn, exp] of moduleRows) {
      it(`${label} -> ${exp.cls.name}`, () => {
        hangGuard(5);
        check(() => fn(makeCtx()), exp);
      });
    }
  });

  describe('socket methods', () => {
    for (const [label, fn, exp] of methodRows) {
      it(`${label} -> ${exp.cls.name}`, () => {
        hangGuard(5);
        const ctx = makeCtx();
        check(() => fn(ctx), exp);
      });
    }
  });

  describe('closed and detached sockets', () => {
    for (const [label, fn, exp] of deadRows) {
      it(`${label} -> OSError EBADF`, () => {
        hangGuard(5);
        const ctx = makeCtx();
        check(() => fn(ctx), exp);
      });
    }

    it('what still works on a closed or detached socket: close, detach, fileno, gettimeout, getblocking, family/type/proto, repr, connect_ex (dead sockets)', () => {
      for (const kind of ['closed', 'detached'] as const) {
        const s = makeCtx()[kind]();
        expect(s.close()).toBeUndefined();
        expect(s.detach()).toBe(-1);
        expect(s.fileno()).toBe(-1);
        expect(s.gettimeout()).toBeNull();
        expect(s.getblocking()).toBe(true);
        expect([s.family, s.type, s.proto]).toEqual([socket.AF_INET, socket.SOCK_STREAM, 0]);
        expect(String(s)).toBe('<socket.socket [closed] fd=-1, family=2, type=1, proto=0>');
        expect(s.connect_ex(['127.0.0.1', 9])).toBe(EBADF);
        // recv(0) needs no syscall in Python, but bsdsock checks the socket first.
        expect(() => s.recv(0)).toThrow(socket.OSError);
      }
    });
  });

  it('argument errors leave sockets usable (no half-done state after a rejected call)', () => {
    const { cli, conn } = tcpPair();
    expect(() => cli.send(A('abc'))).toThrow(TypeError);
    expect(() => conn.recv(-1)).toThrow(RangeError);
    expect(() => cli.settimeout(-1)).toThrow(RangeError);
    expect(cli.gettimeout()).toBeNull();
    cli.sendall(Buffer.from('still fine'));
    conn.settimeout(5);
    expect(conn.recv(100).toString()).toBe('still fine');
    const u = track(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM));
    expect(() => u.bind('x'.repeat(300))).toThrow(socket.OSError);
    const p = unixPath();
    u.bind(p);
    expect(u.getsockname()).toBe(p);
  });

  it('no fd leaked by the table (open fd count did not grow)', async () => {
    expect(fdsBefore).toBeGreaterThan(0);
    let after = fdCount();
    for (let i = 0; i < 20 && after > fdsBefore; i++) {
      await new Promise((r) => setTimeout(r, 25));
      after = fdCount();
    }
    expect(after).toBeLessThanOrEqual(fdsBefore);
  });
});
