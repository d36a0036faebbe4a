// The differential test: one table of operations, run by CPython (3.12 when pyenv has it,
// else python3) and by bsdsock in the same test, comparing results, error classes, errno
// and messages after the mappings docs/differences.md documents (ValueError and
// OverflowError are RangeError, tuples are arrays, JavaScript type names in messages).
//
// The Python side is one python3 process for the whole table (JSON in, JSON out). Each
// operation runs on a socket of its own, built in the named state on both sides: fresh,
// bound, listening, connected, closed, detached (TCP), plus UDP and AF_UNIX ones. Every
// difference that remains is listed in KNOWN below with the reason docs/differences.md
// gives; the test fails on any other difference, and on a KNOWN entry that no longer differs.
// The same table runs a second time on the async twins (each socket wrapped by
// aio.from_stdlib_socket, module functions taken from bsdsock/aio), against the same CPython
// results, with KNOWN_AIO for what trio does differently.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as socket from '../lib/index';
import * as aio from '../lib/aio';
import { libPath, repoRoot } from './helpers/paths';

const PYTHON =
  ['/root/.pyenv/versions/3.12.1/bin/python3', `${process.env.HOME}/.pyenv/versions/3.12.1/bin/python3`].find(
    (p) => fs.existsSync(p),
  ) ?? 'python3';

/** JSON forms shared by both sides: {$b: hex} bytes, {$t: [...]} a tuple, {$listener: 1} the
 * listener's address, {$socket: [family, type, proto]} a socket result. */
type Val = unknown;
const b = (s: string) => ({ $b: Buffer.from(s, 'latin1').toString('hex') });
const t = (...items: Val[]) => ({ $t: items });
const LISTENER = { $listener: 1 };
const DEAD = t('127.0.0.1', 1);

type State =
  'module' | 'fresh' | 'bound' | 'listening' | 'connected' | 'closed' | 'detached' | 'udp' | 'unix' | 'inet6';
/** How results are compared: exactly, by type only (fds), or with ports masked. */
type Mode = 'exact' | 'type' | 'port';

interface Op {
  id: string;
  state: State;
  /** Method or module function name; with `attr`, an attribute read. */
  call: string;
  args?: Val[];
  kwargs?: Record<string, Val>;
  attr?: boolean;
  mode?: Mode;
  /** Calls made first on the same socket (or module), whose results are ignored. */
  before?: { call: string; args?: Val[] }[];
}

const ops: Op[] = [];
const add = (o: Op) => ops.push(o);

// ---- module functions ---------------------------------------------------------------------
const mod = (id: string, call: string, args: Val[] = [], extra: Partial<Op> = {}) =>
  add({ id, state: 'module', call, args, ...extra });
mod('htons(1)', 'htons', [1]);
mod('htons(-1)', 'htons', [-1]);
mod('htons(2**16)', 'htons', [65536]);
mod('htons()', 'htons', []);
mod('htons(1,2)', 'htons', [1, 2]);
mod('htons(1.5)', 'htons', [1.5]);
mod("htons('1')", 'htons', ['1']);
mod('ntohs(0x1234)', 'ntohs', [0x1234]);
mod('htonl(1)', 'htonl', [1]);
mod('htonl(2**32)', 'htonl', [2 ** 32]);
mod('htonl(-1)', 'htonl', [-1]);
mod('ntohl(0x12345678)', 'ntohl', [0x12345678]);
mod("inet_aton('1.2.3.4')", 'inet_aton', ['1.2.3.4']);
mod("inet_aton('1.2.3')", 'inet_aton', ['1.2.3']);
mod("inet_aton('x')", 'inet_aton', ['x']);
mod("inet_aton('1.2.3.4', 1)", 'inet_aton', ['1.2.3.4', 1]);
mod('inet_aton(None)', 'inet_aton', [null]);
mod('inet_ntoa(b4)', 'inet_ntoa', [b('\x01\x02\x03\x04')]);
mod('inet_ntoa(b2)', 'inet_ntoa', [b('12')]);
mod("inet_ntoa('1234')", 'inet_ntoa', ['1234']);
mod("inet_pton(AF_INET6, '::1')", 'inet_pton', [socket.AF_INET6, '::1']);
mod("inet_pton(AF_INET, '::1')", 'inet_pton', [socket.AF_INET, '::1']);
mod("inet_pton(999, '::1')", 'inet_pton', [999, '::1']);
mod('inet_ntop(AF_INET, b4)', 'inet_ntop', [socket.AF_INET, b('\x7f\x00\x00\x01')]);
mod('inet_ntop(AF_INET, b3)', 'inet_ntop', [socket.AF_INET, b('abc')]);
mod('inet_ntop(999, b4)', 'inet_ntop', [999, b('abcd')]);
mod("getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_STREAM)", 'getaddrinfo', [
  '127.0.0.1',
  80,
  socket.AF_INET,
  socket.SOCK_STREAM,
]);
mod("getaddrinfo('127.0.0.1', 80, type=, flags=)", 'getaddrinfo', ['127.0.0.1', 80], {
  kwargs: { type: socket.SOCK_DGRAM, flags: socket.AI_NUMERICHOST },
});
mod('getaddrinfo(host=, port=, family=)', 'getaddrinfo', [], {
  kwargs: { host: '::1', port: 'http', family: socket.AF_INET6, type: socket.SOCK_STREAM },
});
mod("getaddrinfo('localhost')", 'getaddrinfo', ['localhost']);
mod('getaddrinfo()', 'getaddrinfo', []);
mod("getaddrinfo('127.0.0.1', 80, bogus=1)", 'getaddrinfo', ['127.0.0.1', 80], { kwargs: { bogus: 1 } });
mod("getaddrinfo('127.0.0.1', [])", 'getaddrinfo', ['127.0.0.1', []]);
mod("getaddrinfo('127.0.0.1', 'nosuchservice')", 'getaddrinfo', ['127.0.0.1', 'nosuchservice']);
mod("getaddrinfo(b'127.0.0.1', 80, AF_INET)", 'getaddrinfo', [b('127.0.0.1'), 80, socket.AF_INET]);
mod("getnameinfo(('127.0.0.1', 80), 0)", 'getnameinfo', [t('127.0.0.1', 80), 0]);
mod("getnameinfo(('127.0.0.1', 80, 0, 0), 0)", 'getnameinfo', [t('127.0.0.1', 80, 0, 0), 0]);
mod("getnameinfo(('::1', 80, 0, 0), NI_NUMERICHOST)", 'getnameinfo', [
  t('::1', 80, 0, 0),
  socket.NI_NUMERICHOST,
]);
mod("getnameinfo(('::1', 80, 0, 2**32 - 1), NI_NUMERICHOST)", 'getnameinfo', [
  t('::1', 80, 0, 2 ** 32 - 1),
  socket.NI_NUMERICHOST,
]);
mod("getnameinfo(('127.0.0.1', '80'), 0)", 'getnameinfo', [t('127.0.0.1', '80'), 0]);
mod('getnameinfo()', 'getnameinfo', []);
mod("gethostbyname('127.0.0.1')", 'gethostbyname', ['127.0.0.1']);
mod("gethostbyname(b'127.0.0.1')", 'gethostbyname', [b('127.0.0.1')]);
mod('gethostbyname(None)', 'gethostbyname', [null]);
mod('gethostbyname()', 'gethostbyname', []);
mod("gethostbyname_ex('127.0.0.1')", 'gethostbyname_ex', ['127.0.0.1']);
mod("gethostbyname_ex(b'127.0.0.1')", 'gethostbyname_ex', [b('127.0.0.1')]);
mod("gethostbyaddr(b'127.0.0.1')", 'gethostbyaddr', [b('127.0.0.1')]);
mod("gethostbyname('a\\0b')", 'gethostbyname', ['a\0b']);
mod("gethostbyaddr('')", 'gethostbyaddr', ['']);
mod("getservbyname('http', 'tcp')", 'getservbyname', ['http', 'tcp']);
mod("getservbyname('http')", 'getservbyname', ['http']);
mod("getservbyname('http', None)", 'getservbyname', ['http', null]);
mod("getservbyname('nosuch')", 'getservbyname', ['nosuch']);
mod('getservbyport(80)', 'getservbyport', [80]);
mod("getservbyport(80, 'udp')", 'getservbyport', [80, 'udp']);
mod('getservbyport(80, None)', 'getservbyport', [80, null]);
mod('getservbyport(70000)', 'getservbyport', [70000]);
mod('getservbyport(80, protocolname=)', 'getservbyport', [80], { kwargs: { protocolname: 'tcp' } });
mod('inet_pton(AF_INET, None)', 'inet_pton', [socket.AF_INET, null]);
mod('socketpair(type=SOCK_DGRAM)', 'socketpair', [], { kwargs: { type: socket.SOCK_DGRAM } });
mod('getfqdn(name=)', 'getfqdn', [], { kwargs: { name: '127.0.0.1' }, mode: 'type' });
mod('has_dualstack_ipv6(1)', 'has_dualstack_ipv6', [1]);
mod('if_indextoname(2**64)', 'if_indextoname', [2 ** 64]);
// NI_NUMERICHOST: ::1 is not in every /etc/hosts, and flags 0 would send a PTR query to the
// machine's name server; the row is about how scope_id -1 is taken, not about resolution.
mod("getnameinfo(('::1', 80, 0, -1), NI_NUMERICHOST)", 'getnameinfo', [
  t('::1', 80, 0, -1),
  socket.NI_NUMERICHOST,
]);
mod("getnameinfo(('::1', 80, 0, 2**32), NI_NUMERICHOST)", 'getnameinfo', [
  t('::1', 80, 0, 2 ** 32),
  socket.NI_NUMERICHOST,
]);
mod("getaddrinfo('127.0.0.1\\0junk', 80, AF_INET)", 'getaddrinfo', ['127.0.0.1\0junk', 80, socket.AF_INET]);
mod("getprotobyname('tcp')", 'getprotobyname', ['tcp']);
mod("getprotobyname('nosuch')", 'getprotobyname', ['nosuch']);
mod("if_nametoindex('lo')", 'if_nametoindex', ['lo']);
mod("if_nametoindex('nosuch0')", 'if_nametoindex', ['nosuch0']);
mod("if_nametoindex('lo\\0')", 'if_nametoindex', ['lo\0']);
mod('if_indextoname(1)', 'if_indextoname', [1]);
mod('if_indextoname(0)', 'if_indextoname', [0]);
mod('if_indextoname(-1)', 'if_indextoname', [-1]);
mod('if_indextoname(2**32)', 'if_indextoname', [2 ** 32]);
mod('CMSG_LEN(1)', 'CMSG_LEN', [1]);
mod('CMSG_LEN(-1)', 'CMSG_LEN', [-1]);
mod('CMSG_SPACE(4)', 'CMSG_SPACE', [4]);
mod('getdefaulttimeout()', 'getdefaulttimeout', []);
mod('setdefaulttimeout(1e-10)', 'getdefaulttimeout', [], {
  before: [{ call: 'setdefaulttimeout', args: [1e-10] }],
});
mod('setdefaulttimeout(-1)', 'setdefaulttimeout', [-1]);
mod('setdefaulttimeout()', 'setdefaulttimeout', []);
mod("setdefaulttimeout('x')", 'setdefaulttimeout', ['x']);
// The socket() matrix.
for (const [fam, fname] of [
  [socket.AF_INET, 'AF_INET'],
  [socket.AF_INET6, 'AF_INET6'],
  [socket.AF_UNIX, 'AF_UNIX'],
  [999, '999'],
] as const) {
  for (const [type, tname] of [
    [socket.SOCK_STREAM, 'SOCK_STREAM'],
    [socket.SOCK_DGRAM, 'SOCK_DGRAM'],
    [socket.SOCK_SEQPACKET, 'SOCK_SEQPACKET'],
    [999, '999'],
  ] as const) {
    for (const proto of [0, socket.IPPROTO_TCP, socket.IPPROTO_UDP]) {
      mod(`socket(${fname}, ${tname}, ${proto})`, 'socket', [fam, type, proto]);
    }
  }
}
mod("socket('x')", 'socket', ['x']);
mod('socket(AF_INET, SOCK_STREAM, 0, -5)', 'socket', [socket.AF_INET, socket.SOCK_STREAM, 0, -5]);
mod('socket(family=AF_INET6)', 'socket', [], { kwargs: { family: socket.AF_INET6 } });
mod('socket(bogus=1)', 'socket', [], { kwargs: { bogus: 1 } });
mod('socket(1, 2, 3, 4, 5)', 'socket', [1, 2, 3, 4, 5]);
mod('socketpair()', 'socketpair', []);
mod('socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK)', 'socket', [
  socket.AF_INET,
  socket.SOCK_STREAM | socket.SOCK_NONBLOCK,
]);
mod('socket(-1, -1, -1)', 'socket', [-1, -1, -1]);
mod('socket(None, None, None)', 'socket', [null, null, null]);
mod('fromfd(-1, AF_INET, SOCK_STREAM)', 'fromfd', [-1, socket.AF_INET, socket.SOCK_STREAM]);
mod('fromfd(99999, AF_INET, SOCK_STREAM)', 'fromfd', [99999, socket.AF_INET, socket.SOCK_STREAM]);
mod('dup(-1)', 'dup', [-1]);
mod('close(-1)', 'close', [-1]);
mod('create_server(dead-ish port 70000)', 'create_server', [t('127.0.0.1', 70000)]);
mod('create_server(bogus=1)', 'create_server', [t('127.0.0.1', 0)], { kwargs: { bogus: 1 } });
mod('has_dualstack_ipv6()', 'has_dualstack_ipv6', []);
mod('getfqdn(1)', 'getfqdn', [1]);
mod('inet_pton(AF_INET6, "1::2::3")', 'inet_pton', [socket.AF_INET6, '1::2::3']);
mod('inet_ntop(AF_INET6, b16)', 'inet_ntop', [socket.AF_INET6, b('\x00'.repeat(15) + '\x01')]);
mod('CMSG_SPACE(2**31)', 'CMSG_SPACE', [2 ** 31]);
mod("getaddrinfo(None, 'http', AF_INET, SOCK_STREAM)", 'getaddrinfo', [
  null,
  'http',
  socket.AF_INET,
  socket.SOCK_STREAM,
]);
mod('getaddrinfo(None, None)', 'getaddrinfo', [null, null]);
mod("getaddrinfo('127.0.0.1', 80, 999)", 'getaddrinfo', ['127.0.0.1', 80, 999]);
mod("getaddrinfo('127.0.0.1', 80, flags=-1)", 'getaddrinfo', ['127.0.0.1', 80], { kwargs: { flags: -1 } });
mod('socketpair(AF_INET)', 'socketpair', [socket.AF_INET]);
mod('create_connection(dead)', 'create_connection', [DEAD]);
mod('create_connection()', 'create_connection', []);
mod('create_connection(listener, timeout=5)', 'create_connection', [LISTENER], { kwargs: { timeout: 5 } });
// ---- issue 13, item by item: keywords, arity, constants
mod('socketpair(1, 2, 3, 4)', 'socketpair', [1, 2, 3, 4]);
mod("inet_aton('1.2.3.4', x=1)", 'inet_aton', ['1.2.3.4'], { kwargs: { x: 1 } });
mod('htons(x=1)', 'htons', [], { kwargs: { x: 1 } });
mod('htonl(x=1)', 'htonl', [], { kwargs: { x: 1 } });
mod('htonl()', 'htonl', []);
mod('ntohl(1, 2)', 'ntohl', [1, 2]);
mod("getfqdn('a', 'b')", 'getfqdn', ['a', 'b']);
mod('getaddrinfo(7 arguments)', 'getaddrinfo', ['127.0.0.1', 80, 0, 0, 0, 0, 0]);
mod("getaddrinfo('127.0.0.1', port=80, proto=IPPROTO_UDP)", 'getaddrinfo', ['127.0.0.1'], {
  kwargs: { port: 80, family: socket.AF_INET, proto: socket.IPPROTO_UDP },
});
mod("getaddrinfo('127.0.0.1', 80, host=)", 'getaddrinfo', ['127.0.0.1', 80], { kwargs: { host: 'x' } });
mod('getnameinfo(sockaddr=, flags=)', 'getnameinfo', [], {
  kwargs: { sockaddr: t('127.0.0.1', 80), flags: 0 },
});
mod("if_nametoindex(b'lo')", 'if_nametoindex', [b('lo')]);
mod('if_nametoindex(None)', 'if_nametoindex', [null]);
mod('if_nametoindex()', 'if_nametoindex', []);
mod('if_indextoname()', 'if_indextoname', []);
mod('if_nameindex(1)', 'if_nameindex', [1]);
mod('gethostname(1)', 'gethostname', [1]);
mod('getservbyname()', 'getservbyname', []);
mod("getprotobyname('tcp', 1)", 'getprotobyname', ['tcp', 1]);
mod('create_server(address, 5)', 'create_server', [t('127.0.0.1', 0), 5]);
mod('create_server(address, backlog=, family=)', 'create_server', [t('127.0.0.1', 0)], {
  kwargs: { backlog: 5, family: socket.AF_INET },
  mode: 'type',
});
mod('create_connection(address, 5, None, True)', 'create_connection', [LISTENER, 5, null, true]);
mod('create_connection(dead, all_errors=True)', 'create_connection', [DEAD], {
  kwargs: { all_errors: true },
});
mod('create_connection(address=, timeout=)', 'create_connection', [], {
  kwargs: { address: LISTENER, timeout: 5 },
  mode: 'type',
});
mod('fromfd(-1, AF_INET, SOCK_STREAM, proto=0)', 'fromfd', [-1, socket.AF_INET, socket.SOCK_STREAM], {
  kwargs: { proto: 0 },
});
mod('fromfd(-1, AF_INET, SOCK_STREAM, bogus=0)', 'fromfd', [-1, socket.AF_INET, socket.SOCK_STREAM], {
  kwargs: { bogus: 0 },
});
mod('fromfd(-1, AF_INET)', 'fromfd', [-1, socket.AF_INET]);
mod('socket(type=SOCK_DGRAM, proto=IPPROTO_UDP)', 'socket', [], {
  kwargs: { type: socket.SOCK_DGRAM, proto: socket.IPPROTO_UDP },
});
mod('socket(AF_INET, type=SOCK_DGRAM)', 'socket', [socket.AF_INET], { kwargs: { type: socket.SOCK_DGRAM } });
mod('socket(AF_INET, family=AF_INET)', 'socket', [socket.AF_INET], { kwargs: { family: socket.AF_INET } });
mod('send_fds()', 'send_fds', []);
mod('recv_fds(None, 1, 1)', 'recv_fds', [null, 1, 1]);
mod('dup()', 'dup', []);
mod('close()', 'close', []);
mod('CMSG_LEN()', 'CMSG_LEN', []);
mod('setdefaulttimeout(timeout=1)', 'setdefaulttimeout', [], { kwargs: { timeout: 1 } });
mod('getdefaulttimeout(1)', 'getdefaulttimeout', [1]);
for (const name of ['EAGAIN', 'EBADF', 'EWOULDBLOCK']) mod(name, name, [], { attr: true });

// ---- methods in every state -----------------------------------------------------------------
const TCP_STATES: State[] = ['fresh', 'bound', 'listening', 'connected', 'closed', 'detached'];
const ALL_STATES: State[] = [...TCP_STATES, 'udp', 'unix'];
const meth = (call: string, args: Val[] = [], extra: Partial<Op> = {}, states = ALL_STATES) => {
  const label = `${call}(${args.map((a) => JSON.stringify(a)).join(', ')}${extra.kwargs ? ', ' + JSON.stringify(extra.kwargs) : ''})`;
  for (const state of states) add({ id: `${state}: ${label}`, state, call, args, ...extra });
};
for (const a of ['family', 'type', 'proto', 'timeout']) meth(a, [], { attr: true });
meth('fileno', [], { mode: 'type' });
meth('gettimeout');
meth('getblocking');
meth('settimeout', [1.5]);
meth('settimeout', [-1]);
meth('settimeout', []);
meth('settimeout', [1e-10]);
meth('settimeout', [2 ** 40], {}, ['fresh']);
meth('settimeout', [1e300], {}, ['fresh']);
meth('gettimeout', [], { before: [{ call: 'settimeout', args: [2.5] }] });
meth('setblocking', [false]);
meth('getsockname', [], { mode: 'port' });
meth('getpeername', [], { mode: 'port' });
meth('listen', []);
meth('listen', [5, 6]);
meth('accept', [], {}, ['fresh', 'bound', 'listening', 'closed', 'detached', 'udp', 'unix']);
meth('bind', [t('127.0.0.1', 0)], { mode: 'port' });
meth('bind', [t('127.0.0.1', -1)]);
meth('bind', [t('127.0.0.1', 70000)]);
meth('bind', [['127.0.0.1', 0]]);
meth('bind', []);
meth('connect', [DEAD], {}, ['fresh', 'bound', 'listening', 'connected', 'closed', 'detached', 'unix']);
meth('connect_ex', [DEAD], {}, ['fresh', 'bound', 'listening', 'connected', 'closed', 'detached', 'unix']);
meth('connect', [t('127.0.0.1')]);
meth('recv', [1], {}, ['fresh', 'bound', 'listening', 'connected', 'closed', 'detached', 'unix']);
meth('recv', [-1]);
meth('recv', [2 ** 31], {}, ['connected', 'udp']);
meth('recv_into', [{ $ba: '' }], {}, ['fresh', 'connected', 'closed', 'udp']);
meth('recv', []);
meth('recv', [1, 0, 3]);
meth('recv', [1], { kwargs: { flags: 0 } });
meth('recvfrom', [1], {}, ['fresh', 'bound', 'listening', 'connected', 'closed', 'detached', 'unix']);
meth('send', [b('x')], {}, ['fresh', 'bound', 'listening', 'connected', 'closed', 'detached', 'unix']);
meth('send', ['x']);
meth('send', [b('x'), 0, 1]);
meth('sendall', [b('xy')], {}, ['fresh', 'bound', 'listening', 'connected', 'closed', 'detached', 'unix']);
meth('sendto', [b('x'), DEAD], {}, ['fresh', 'bound', 'listening', 'connected', 'closed', 'detached', 'udp']);
meth('sendto', [b('x')]);
meth('recvfrom_into', [{ $ba: '00' }], {}, ['fresh', 'bound', 'connected', 'closed', 'detached', 'udp']);
meth('recvfrom_into', [{ $ba: '00' }, 5]);
meth('recv_into', [{ $ba: '0000' }, -1]);
meth('recvmsg', [1], {}, ['fresh', 'bound', 'connected', 'closed', 'detached', 'udp']);
meth('recvmsg', [-1]);
meth('recvmsg', [1, -1]);
meth('recvmsg_into', [[{ $ba: '00' }]], {}, ['fresh', 'connected', 'closed', 'udp']);
meth('sendmsg', [[b('x')]], {}, ['fresh', 'bound', 'connected', 'closed', 'detached', 'unix']);
meth('sendmsg', [[b('x')], [], 0, DEAD], {}, ['udp', 'closed']);
meth('sendmsg', [b('x')]);
meth('sendto', [b('x'), 0, DEAD], {}, ['udp', 'closed']);
meth('sendto', [b('x'), 'bad']);
meth('getsockopt', [socket.SOL_SOCKET, socket.SO_ERROR]);
meth('getsockopt', [socket.SOL_SOCKET, socket.SO_ACCEPTCONN]);
meth('getsockopt', [socket.SOL_SOCKET, socket.SO_TYPE, -1]);
meth('getsockopt', [socket.SOL_SOCKET, socket.SO_TYPE, 0]);
meth('setsockopt', [socket.SOL_SOCKET, socket.SO_RCVBUF, b('ab')]);
meth('setsockopt', [socket.SOL_SOCKET, socket.SO_REUSEADDR, 2 ** 31]);
meth('setsockopt', [socket.SOL_SOCKET, socket.SO_REUSEADDR, 'x']);
meth('shutdown', [socket.SHUT_RDWR]);
meth('shutdown', [7]);
meth('getsockopt', [socket.SOL_SOCKET, socket.SO_TYPE]);
meth('getsockopt', [socket.SOL_SOCKET, socket.SO_TYPE, 4]);
meth('getsockopt', [socket.SOL_SOCKET, socket.SO_TYPE, 2000]);
meth('setsockopt', [socket.SOL_SOCKET, socket.SO_REUSEADDR, 1]);
meth('setsockopt', [socket.SOL_SOCKET, socket.SO_REUSEADDR, null, -1]);
meth('setsockopt', [socket.SOL_SOCKET, socket.SO_REUSEADDR]);
meth('get_inheritable');
meth('set_inheritable', [true]);
meth('dup', [], { mode: 'type' });
meth('detach', [], { mode: 'type' });
meth('close');
meth('close', [1]);
meth('makefile', [], { mode: 'type' }, ['closed', 'detached']);
// Receive sizes: a C ssize_t, allocated before the system call, as CPython.
meth('recv', [2 ** 40], {}, ['connected']);
meth('recv', [2 ** 63], {}, ['connected']);
meth('recv', [-(2 ** 64)], {}, ['connected']);
meth('recv', [2 ** 53], {}, ['connected']);
meth('recvfrom', [2 ** 31], {}, ['connected', 'udp']);
meth('recvfrom', [2 ** 63], {}, ['udp']);
meth('recvmsg', [2 ** 31], {}, ['udp']);
meth('recvmsg', [2 ** 63], {}, ['udp']);
meth('recvmsg', [1, 2 ** 31], {}, ['udp']);
// makefile(mode='r', buffering=None, *, encoding=None, errors=None, newline=None)
meth('makefile', ['r', null, 'utf-8', null], {}, ['fresh']);
meth('makefile', ['r'], { kwargs: { bogus: 1 } }, ['fresh']);
meth('makefile', ['x'], {}, ['fresh']);
meth('makefile', ['rb'], { kwargs: { buffering: 0 }, mode: 'type' }, ['fresh']);
meth('makefile', ['rb', 0], { mode: 'type' }, ['fresh']);
meth('makefile', ['r'], { kwargs: { encoding: 'utf-8', newline: null }, mode: 'type' }, ['fresh']);
// Issue 13, item by item: keywords, arity and state on the methods.
meth('recv_into', [{ $ba: '0000' }], { kwargs: { nbytes: 1, flags: 0 } }, ['fresh', 'connected', 'closed']);
meth('recv_into', [{ $ba: '0000' }], { kwargs: { bogus: 1 } }, ['fresh']);
meth('recv_into', [{ $ba: '0000' }, 1, 0, 1], {}, ['fresh', 'closed']);
meth('recvfrom_into', [{ $ba: '0000' }], { kwargs: { nbytes: 1 } }, ['connected', 'closed', 'udp']);
meth('recvmsg', [1], { kwargs: { ancbufsize: 1 } }, ['fresh', 'closed']);
meth('sendto', [b('x')], { kwargs: { flags: 0 } }, ['udp']);
meth('sendall', [b('x')], { kwargs: { flags: 0 } }, ['connected']);
meth('getsockopt', [socket.SOL_SOCKET, socket.SO_TYPE], { kwargs: { buflen: 4 } }, ['fresh']);
meth('accept', [], { kwargs: { bogus: 1 } }, ['listening', 'closed']);
meth('sendfile', [0], { kwargs: { bogus: 1 } }, ['connected', 'closed']);
meth('sendfile', [], {}, ['connected']);
meth('settimeout', [], { kwargs: { value: 1 } }, ['fresh']);
meth('detach', [1], {}, ['fresh']);
meth('dup', [1], {}, ['fresh']);
meth('set_inheritable', [], {}, ['fresh', 'closed']);
meth('shutdown', [], {}, ['fresh', 'closed']);
meth('getpeername', [1], {}, ['fresh']);
meth('connect', [], {}, ['fresh', 'closed']);
meth('bind', [t('127.0.0.1', -1)], {}, ['closed', 'detached']);
// AF_INET6 addresses: flowinfo is checked, scope_id wraps as a C unsigned int.
meth('bind', [t('::1', 0, 0, -1)], {}, ['inet6']);
meth('bind', [t('::1', 0, 0, 2 ** 32)], {}, ['inet6']);
meth('bind', [t('::1', 0, 0, 2 ** 64)], {}, ['inet6']);
meth('bind', [t('::1', 0, -1, 0)], {}, ['inet6']);
meth('bind', [t('::1', 0, 2 ** 20, 0)], {}, ['inet6']);
meth('connect_ex', [t('::1', 1, 0, -1)], {}, ['inet6']);
meth('getsockname', [], { mode: 'port', before: [{ call: 'bind', args: [t('::1', 0, 0, 2 ** 32 + 1)] }] }, [
  'inet6',
]);
// repr of an AF_UNIX socket: laddr=/path, without quotes; an abstract name as bytes.
meth('repr_bound', ['DIR/s'], {}, ['unix']);
meth('repr_bound', ['\0bsdsock-diff-abstract'], {}, ['unix']);

// ---- option round trips ---------------------------------------------------------------------
const rt = (id: string, state: State, level: number, opt: number, value: Val, buflen?: number) =>
  add({
    id: `roundtrip ${id}`,
    state,
    call: 'getsockopt',
    args: buflen === undefined ? [level, opt] : [level, opt, buflen],
    before: [{ call: 'setsockopt', args: [level, opt, value] }],
  });
rt('SO_REUSEADDR', 'fresh', socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
rt('SO_KEEPALIVE', 'fresh', socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1);
rt('SO_RCVBUF', 'fresh', socket.SOL_SOCKET, socket.SO_RCVBUF, 65536);
rt('SO_SNDBUF', 'udp', socket.SOL_SOCKET, socket.SO_SNDBUF, 32768);
rt('TCP_NODELAY', 'connected', socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
rt('IP_TTL', 'udp', socket.IPPROTO_IP, socket.IP_TTL, 7);
rt('IP_TOS', 'udp', socket.IPPROTO_IP, socket.IP_TOS, 0x10);
rt('SO_LINGER', 'fresh', socket.SOL_SOCKET, socket.SO_LINGER, b('\x01\x00\x00\x00\x05\x00\x00\x00'), 8);
rt('SO_BROADCAST', 'udp', socket.SOL_SOCKET, socket.SO_BROADCAST, 1);
rt('IP_MULTICAST_LOOP', 'udp', socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0);
rt('SO_PASSCRED', 'unix', socket.SOL_SOCKET, socket.SO_PASSCRED, 1);

// ---- loopback I/O ---------------------------------------------------------------------------
add({
  id: 'connected: sendall then peer recv',
  state: 'connected',
  call: 'peer_recv',
  args: [100],
  before: [{ call: 'sendall', args: [b('hello, world')] }],
});
add({
  id: 'connected: peer sends, recv',
  state: 'connected',
  call: 'recv_after_peer',
  args: [b('from the peer'), 100],
});
add({
  id: 'udp: sendto self, recvfrom',
  state: 'udp',
  call: 'recvfrom_self',
  args: [b('datagram'), 100],
  mode: 'port',
});

// ---- the Python side --------------------------------------------------------------------------
const PY = String.raw`
import json, os, re, shutil, socket, sys, tempfile, time, select
ops = json.load(sys.stdin)
listener = socket.create_server(('127.0.0.1', 0), backlog=128)
LADDR = listener.getsockname()

def dec(v):
    if isinstance(v, dict):
        if '$b' in v: return bytes.fromhex(v['$b'])
        if '$ba' in v: return bytearray.fromhex(v['$ba'])
        if '$t' in v: return tuple(dec(x) for x in v['$t'])
        if '$listener' in v: return LADDR
        return {k: dec(x) for k, x in v.items()}
    if isinstance(v, list): return [dec(x) for x in v]
    return v

def enc(v):
    if isinstance(v, (bytes, bytearray)): return {'$b': bytes(v).hex()}
    if isinstance(v, socket.socket):
        r = {'$socket': [int(v.family), int(v.type), v.proto]}
        v.close()
        return r
    if isinstance(v, (tuple, list)): return [enc(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, str): return v
    if isinstance(v, int): return int(v)
    if isinstance(v, float): return v
    return {'$type': type(v).__name__}

def make(state):
    extra = []
    if state == 'module': return socket, extra
    if state == 'udp':
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0)); s.settimeout(0)
        return s, extra
    if state == 'unix': return socket.socket(socket.AF_UNIX, socket.SOCK_STREAM), extra
    if state == 'inet6': return socket.socket(socket.AF_INET6, socket.SOCK_STREAM), extra
    s = socket.socket()
    if state in ('bound', 'listening'): s.bind(('127.0.0.1', 0))
    if state == 'listening': s.listen(); s.settimeout(0)
    if state == 'connected':
        s.connect(LADDR)
        peer, _ = listener.accept()
        extra.append(peer)
        s.settimeout(0)
    if state == 'closed': s.close()
    if state == 'detached': extra.append(s.detach())
    return s, extra

def call(target, op, extra):
    name = op['call']; args = dec(op.get('args', [])); kwargs = dec(op.get('kwargs') or {})
    if name == 'peer_recv':
        extra[0].settimeout(5)
        return extra[0].recv(*args)
    if name == 'recv_after_peer':
        extra[0].sendall(args[0])
        select.select([target], [], [], 5)
        return target.recv(args[1])
    if name == 'recvfrom_self':
        target.sendto(args[0], target.getsockname())
        select.select([target], [], [], 5)
        return target.recvfrom(args[1])
    if name == 'repr_bound':
        d = tempfile.mkdtemp()
        try:
            target.bind(args[0].replace('DIR', d))
            return re.sub(r'fd=\d+', 'fd=N', repr(target)).replace(d, 'DIR')
        finally:
            shutil.rmtree(d)
    if op.get('attr'): return getattr(target, name)
    return getattr(target, name)(*args, **kwargs)

out = []
for op in ops:
    socket.setdefaulttimeout(None)
    target, extra = make(op['state'])
    try:
        for pre in op.get('before') or []:
            try: getattr(target, pre['call'])(*dec(pre.get('args', [])))
            except Exception: pass
        r = {'ok': enc(call(target, op, extra))}
    except Exception as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
        r = {'err': {'cls': type(e).__name__, 'errno': getattr(e, 'errno', None), 'msg': msg}}
    finally:
        if target is not socket: target.close()
        for x in extra:
            if isinstance(x, int): os.close(x)
            else: x.close()
        # Connections an operation left unaccepted (create_connection) must not reach the next.
        listener.settimeout(0)
        while select.select([listener], [], [], 0)[0]: listener.accept()[0].close()
        listener.settimeout(None)
    out.append(r)
socket.setdefaulttimeout(None)
json.dump(out, sys.stdout)
`;

// ---- the bsdsock side -------------------------------------------------------------------------
type Result = { ok: Val } | { err: { cls: string; errno: number | null; msg: string } };

/**
 * The operations the AsyncSocket twin (or the aio module) runs too: those whose name it has
 * (not connect_ex and the `timeout` attribute, which trio's socket lacks too), but the
 * loopback I/O helpers.
 */
const SPECIAL = new Set(['peer_recv', 'recv_after_peer', 'recvfrom_self', 'repr_bound']);
const hasTwin = (op: Op) =>
  !SPECIAL.has(op.call) &&
  (op.state === 'module'
    ? typeof (aio as Record<string, unknown>)[op.call] === 'function'
    : op.call in aio.AsyncSocket.prototype);

/**
 * Runs `op` on a bsdsock socket in the named state; with `twin`, on its AsyncSocket twin
 * (aio.from_stdlib_socket, with the state's timeout) or on the aio module, awaiting a
 * promise result.
 */
async function runJs(op: Op, laddr: [string, number], twin = false): Promise<Result> {
  const dec = (v: Val): Val => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, Val>;
      if ('$b' in o) return Buffer.from(o.$b as string, 'hex');
      if ('$ba' in o) return Buffer.from(o.$ba as string, 'hex');
      if ('$t' in o) return (o.$t as Val[]).map(dec);
      if ('$listener' in o) return laddr;
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, dec(x)]));
    }
    if (Array.isArray(v)) return v.map(dec);
    return v;
  };
  const enc = (v: Val): Val => {
    if (Buffer.isBuffer(v)) return { $b: v.toString('hex') };
    if (v instanceof socket.Socket || v instanceof aio.AsyncSocket) {
      const r = { $socket: [v.family, v.type, v.proto] };
      v.close();
      return r;
    }
    if (Array.isArray(v)) return v.map(enc);
    if (v === null || ['boolean', 'string', 'number'].includes(typeof v)) return v;
    if (v === undefined) return null;
    return { $type: (v as object).constructor?.name };
  };
  const extra: (socket.Socket | number)[] = [];
  let target: Record<string, unknown>;
  socket.setdefaulttimeout(null);
  if (op.state === 'module') target = socket as unknown as Record<string, unknown>;
  else if (op.state === 'udp') {
    const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    s.bind(['127.0.0.1', 0]);
    s.settimeout(0);
    target = s as unknown as Record<string, unknown>;
  } else if (op.state === 'unix') {
    target = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unknown as Record<string, unknown>;
  } else if (op.state === 'inet6') {
    target = socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as unknown as Record<string, unknown>;
  } else {
    const s = socket.socket();
    if (op.state === 'bound' || op.state === 'listening') s.bind(['127.0.0.1', 0]);
    if (op.state === 'listening') {
      s.listen();
      s.settimeout(0);
    }
    if (op.state === 'connected') {
      s.connect(laddr);
      extra.push(jsListener!.accept()[0]);
      s.settimeout(0);
    }
    if (op.state === 'closed') s.close();
    if (op.state === 'detached') extra.push(s.detach());
    target = s as unknown as Record<string, unknown>;
  }
  const blocking = target;
  if (twin) {
    if (op.state === 'module') target = aio as unknown as Record<string, unknown>;
    else {
      const s = target as unknown as socket.Socket;
      const timeout = s.gettimeout();
      const a = aio.from_stdlib_socket(s);
      if (timeout !== null) a.settimeout(timeout);
      target = a as unknown as Record<string, unknown>;
    }
  }
  const fn = (name: string) => target[name] as (...a: unknown[]) => unknown;
  try {
    for (const pre of op.before ?? []) {
      try {
        await fn(pre.call).apply(target, (dec(pre.args ?? []) as Val[]) ?? []);
      } catch {
        // as the Python side: results of `before` calls are ignored
      }
    }
    const args = dec(op.args ?? []) as Val[];
    if (op.kwargs) args.push(dec(op.kwargs));
    let r: Val;
    const s = target as unknown as socket.Socket;
    if (op.call === 'peer_recv') {
      const peer = extra[0] as socket.Socket;
      peer.settimeout(5);
      r = peer.recv(args[0] as number);
    } else if (op.call === 'recv_after_peer') {
      (extra[0] as socket.Socket).sendall(args[0] as Buffer);
      s.settimeout(5);
      r = s.recv(args[1] as number);
    } else if (op.call === 'recvfrom_self') {
      s.sendto(args[0] as Buffer, s.getsockname() as [string, number]);
      s.settimeout(5);
      r = s.recvfrom(args[1] as number);
    } else if (op.call === 'repr_bound') {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-diff-'));
      try {
        s.bind((args[0] as string).replace('DIR', d));
        r = String(s)
          .replace(/fd=\d+/, 'fd=N')
          .replace(d, 'DIR');
      } finally {
        fs.rmSync(d, { recursive: true, force: true });
      }
    } else if (op.attr) r = target[op.call];
    else r = await fn(op.call).apply(target, args);
    return { ok: enc(r) };
  } catch (e) {
    const err = e as { name?: string; errno?: number | null; message?: string };
    return { err: { cls: String(err.name), errno: err.errno ?? null, msg: String(err.message) } };
  } finally {
    if (op.state !== 'module') (blocking as unknown as socket.Socket).close();
    for (const x of extra) {
      if (typeof x === 'number') socket.close(x);
      else x.close();
    }
    socket.setdefaulttimeout(null);
    // Connections an operation left unaccepted (create_connection) must not reach the next.
    jsListener!.settimeout(0);
    for (let i = 0; i < 100; i++) {
      try {
        jsListener!.accept()[0].close();
      } catch {
        break;
      }
    }
    jsListener!.settimeout(null);
  }
}
let jsListener: socket.Socket | undefined;

// ---- mappings and comparison -------------------------------------------------------------------
const CLASS_MAP: Record<string, string> = { ValueError: 'RangeError', OverflowError: 'RangeError' };
const PY_TYPES: Record<string, string> = { str: 'string', NoneType: 'null', list: 'Array', bytes: 'Buffer' };
/** Python's type names in messages, as docs/differences.md maps them ("JavaScript type names"). */
function jsMessage(msg: string): string {
  return (
    msg
      .replace(/'str'/g, "'string'")
      .replace(/'NoneType'/g, "'null'")
      .replace(/'list'/g, "'Array'")
      .replace(/'tuple'/g, "'Array'")
      .replace(/'bytes'/g, "'Buffer'")
      .replace(/, not None$/, ', not null')
      .replace(/, not NoneType$/, ', not null')
      // "Arrays instead of tuples": address messages say array, with JavaScript type names.
      .replace(/must be tuple, not (\w+)$/, (_, t: string) => `must be an array, not ${PY_TYPES[t] ?? t}`)
  );
}
function expected(py: Result): Result {
  if ('ok' in py) return py;
  const { cls, errno, msg } = py.err;
  return { err: { cls: CLASS_MAP[cls] ?? cls, errno, msg: jsMessage(msg) } };
}
function mask(v: Val, mode: Mode): Val {
  if (mode === 'type') return v && typeof v === 'object' && '$socket' in (v as object) ? v : typeof v;
  if (mode === 'port') {
    const m = (x: Val): Val =>
      Array.isArray(x) ? x.map(m) : typeof x === 'number' && x >= 1024 ? 'PORT' : x;
    return m(v);
  }
  return v;
}
function comparable(r: Result, op: Op): Val {
  if ('ok' in r) return { ok: mask(r.ok, op.mode ?? 'exact') };
  return r;
}

/**
 * Differences that remain, each with its reason. A rule matches operation ids; every
 * difference must match a rule, and every rule must still match a difference (so the list
 * shrinks with the code). "Open:" rules are bugs of issue 13 not fixed yet; the others are
 * deliberate and documented in docs/differences.md.
 */
const KNOWN: { match: RegExp; reason: string }[] = [
  {
    match: /^\w+: bind\(\["127\.0\.0\.1",0\]\)$/,
    reason: 'Arrays instead of tuples: an address is an array, so a list is not refused (differences.md)',
  },
  {
    match: /^socket\(None, None, None\)$/,
    reason: 'null and -1 mean "the default" for socket() arguments (differences.md, null and undefined)',
  },
  {
    match: /^(getfqdn\(1\)|recv_fds\(None, 1, 1\))$/,
    reason: 'JavaScript has no AttributeError: a name that is not a string is a TypeError (differences.md)',
  },
  {
    match: /^create_connection\(dead, all_errors=True\)$/,
    reason: "all_errors gives JavaScript's AggregateError for Python's ExceptionGroup (differences.md)",
  },
  {
    match: /^connected: recv\((1099511627776|9007199254740992)\)$/,
    reason: 'JavaScript has no MemoryError: a size that cannot be allocated is a RangeError (differences.md)',
  },
  {
    match: /^(closed|detached): makefile\(\)$/,
    reason: 'makefile returns a Node stream, which needs an open fd when it is made (differences.md)',
  },
];

let pyResults: Result[] | undefined;
/** CPython's results for the whole table, computed once for both tests below. */
function python(): Result[] {
  if (pyResults) return pyResults;
  // Not under the sanitizer suite's LD_PRELOAD: ASan would abort CPython on the table's
  // huge allocations (recv(2**40)), which CPython itself turns into MemoryError.
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  const py = spawnSync(PYTHON, ['-c', PY], {
    input: JSON.stringify(ops),
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  expect(py.stderr).toBe('');
  pyResults = JSON.parse(py.stdout) as Result[];
  return pyResults;
}

/**
 * Runs the table (or, with `twin`, the part the async twins have) and returns every
 * difference from CPython that no `known` rule explains, and every rule that no longer
 * matches a difference.
 */
async function differences(known: { match: RegExp; reason: string }[], twin: boolean) {
  const pyResults = python();
  jsListener = socket.create_server(['127.0.0.1', 0], { backlog: 128 });
  const laddr = jsListener.getsockname() as [string, number];
  const diffs: Record<string, { python: Val; bsdsock: Val }> = {};
  try {
    for (const [i, op] of ops.entries()) {
      if (twin && !hasTwin(op)) continue;
      const want = comparable(expected(pyResults[i]), op);
      const got = comparable(await runJs(op, laddr, twin), op);
      if (JSON.stringify(want) !== JSON.stringify(got)) diffs[op.id] = { python: want, bsdsock: got };
    }
  } finally {
    jsListener.close();
  }
  // BSDSOCK_DIFF_OUT=file writes every difference found, for updating KNOWN.
  if (process.env.BSDSOCK_DIFF_OUT)
    fs.writeFileSync(`${process.env.BSDSOCK_DIFF_OUT}${twin ? '.aio' : ''}`, JSON.stringify(diffs, null, 1));
  const ids = Object.keys(diffs);
  const unexplained = Object.fromEntries(
    Object.entries(diffs).filter(([id]) => !known.some((k) => k.match.test(id))),
  );
  const fixed = known.filter((k) => !ids.some((id) => k.match.test(id))).map((k) => k.reason);
  return { unexplained, fixed };
}

/** Further differences of the async twins, each with its reason (docs/api.md, AsyncSocket). */
const KNOWN_AIO: { match: RegExp; reason: string }[] = [
  {
    match: /^(\w+: connect\(|create_connection\(dead\))/,
    reason:
      "connect failures name the address, in trio's words: [Errno 111] Error connecting to ... (api.md)",
  },
];

describe('differential test against CPython', () => {
  it(`runs ${ops.length} operations in python3 and bsdsock and finds no unexplained difference`, async () => {
    const { unexplained, fixed } = await differences(KNOWN, false);
    expect(unexplained).toEqual({});
    expect(fixed).toEqual([]);
  });

  it(`runs them on the AsyncSocket twins and the aio module too (${ops.filter(hasTwin).length} operations)`, async () => {
    const { unexplained, fixed } = await differences([...KNOWN, ...KNOWN_AIO], true);
    expect(unexplained).toEqual({});
    expect(fixed.filter((reason) => KNOWN_AIO.some((k) => k.reason === reason))).toEqual([]);
  });
});

// ---- bytes hosts, against a private /etc/hosts -------------------------------------------------
// A bytes host must reach the resolver byte for byte, as in CPython. Only the resolver can tell,
// so both sides run in a mount namespace of their own (unshare) where /etc/hosts names
// b'caf\xc3\xa9.bsdsock-test' (the UTF-8 bytes of 'café') and nsswitch.conf asks the hosts file
// only: nothing reaches DNS, and the machine's own files are untouched.
const canUnshare = (() => {
  try {
    return spawnSync('unshare', ['--mount', 'true'], { timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
})();

const HOSTS_OPS = String.raw`
h = b'caf\xc3\xa9.bsdsock-test'
h6 = b'caf\xc3\xa96.bsdsock-test'
def bound(family, host):
    s = socket.socket(family)
    try:
        s.bind((host, 0))
        return s.getsockname()[0]
    finally:
        s.close()
ops = [
    lambda: socket.gethostbyname(h),
    lambda: socket.gethostbyname(bytearray(h)),
    lambda: socket.gethostbyname_ex(h),
    lambda: socket.gethostbyaddr(h),
    lambda: socket.getaddrinfo(h, 80, socket.AF_INET, socket.SOCK_STREAM),
    lambda: socket.getaddrinfo(h + b'\0junk', 80, socket.AF_INET, socket.SOCK_STREAM),
    lambda: socket.getaddrinfo(h6, 80, socket.AF_INET6, socket.SOCK_STREAM),
    lambda: bound(socket.AF_INET, h),
    lambda: bound(socket.AF_INET6, h6),
    lambda: socket.gethostbyname(b'\xff'),
    lambda: socket.gethostbyname(h + b'\0'),
]
`;

const HOSTS_PY = String.raw`
import json, socket
${HOSTS_OPS}
def plain(v):
    return [plain(x) for x in v] if isinstance(v, (list, tuple)) else int(v) if isinstance(v, int) else v
out = []
for op in ops:
    try:
        out.append({'ok': plain(op())})
    except Exception as e:
        out.append({'err': [type(e).__name__, getattr(e, 'errno', None)]})
print(json.dumps(out))
`;

const HOSTS_JS = String.raw`
import * as socket from 'LIB';
const h = Buffer.from('caf\xc3\xa9.bsdsock-test', 'latin1');
const h6 = Buffer.from('caf\xc3\xa96.bsdsock-test', 'latin1');
const bound = (family: number, host: Buffer) => {
  const s = new socket.socket(family);
  try {
    s.bind([host, 0] as never);
    return (s.getsockname() as unknown[])[0];
  } finally {
    s.close();
  }
};
const ops: (() => unknown)[] = [
  () => socket.gethostbyname(h),
  () => socket.gethostbyname(new Uint8Array(h)),
  () => socket.gethostbyname_ex(h),
  () => socket.gethostbyaddr(h),
  () => socket.getaddrinfo(h as never, 80, socket.AF_INET, socket.SOCK_STREAM),
  () => socket.getaddrinfo(Buffer.concat([h, Buffer.from('\0junk')]) as never, 80, socket.AF_INET, socket.SOCK_STREAM),
  () => socket.getaddrinfo(h6 as never, 80, socket.AF_INET6, socket.SOCK_STREAM),
  () => bound(socket.AF_INET, h),
  () => bound(socket.AF_INET6, h6),
  () => socket.gethostbyname(Buffer.from([0xff])),
  () => socket.gethostbyname(Buffer.concat([h, Buffer.from([0])])),
];
const out = ops.map((op) => {
  try {
    return { ok: op() };
  } catch (e) {
    const err = e as { constructor: { name: string }; errno?: number };
    return { err: [err.constructor.name, err.errno ?? null] };
  }
});
console.log(JSON.stringify(out));
`;

describe('bytes hosts against CPython, with a private /etc/hosts', () => {
  it.skipIf(!canUnshare)(
    canUnshare
      ? 'reach the resolver unchanged'
      : 'reach the resolver unchanged (skipped: unshare --mount needs root)',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-hosts-'));
      try {
        const hosts = path.join(dir, 'hosts');
        const nss = path.join(dir, 'nsswitch.conf');
        const js = path.join(dir, 'child.ts');
        fs.writeFileSync(
          hosts,
          Buffer.from('127.0.0.9 caf\xc3\xa9.bsdsock-test\n::1 caf\xc3\xa96.bsdsock-test\n', 'latin1'),
        );
        fs.writeFileSync(nss, 'hosts: files\n');
        fs.writeFileSync(js, HOSTS_JS.replace(/\bLIB\b/g, JSON.stringify(libPath).slice(1, -1)));
        // Binds the two files over /etc's in a private mount namespace, then runs the command.
        const inPrivateEtc = (cmd: string[]) =>
          spawnSync(
            'unshare',
            [
              '--mount',
              '--propagation',
              'private',
              'sh',
              '-c',
              'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"',
              'sh',
              hosts,
              nss,
              ...cmd,
            ],
            { encoding: 'utf8', timeout: 60_000, cwd: repoRoot },
          );
        const py = inPrivateEtc([PYTHON, '-c', HOSTS_PY]);
        expect(py.stderr).toBe('');
        const node = inPrivateEtc([process.execPath, '-r', require.resolve('tsx/cjs'), js]);
        expect(node.stderr).toBe('');
        const want = JSON.parse(py.stdout) as unknown[];
        // The private hosts file is what answered (not a resolver elsewhere).
        expect(want[0]).toEqual({ ok: '127.0.0.9' });
        expect(want[8]).toEqual({ ok: '::1' });
        expect(JSON.parse(node.stdout)).toEqual(want);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
