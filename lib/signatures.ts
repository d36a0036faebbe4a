// Python's calling convention for the socket module: arity and keyword arguments, in one table.
/**
 * Every module function and Socket method takes its arguments as CPython's does: a wrong
 * number of arguments is CPython's TypeError, and where Python accepts keywords a trailing
 * options object with Python's parameter names works (`getaddrinfo(host, port, { type:
 * SOCK_STREAM })`); where CPython's function is positional-only, an options object is a
 * TypeError "takes no keyword arguments". The tables below are the one place that says so;
 * the functions in functions.ts and socket.ts keep plain positional parameters.
 */
import { isOptions, pyArgs, sig, type Signature } from './pyargs';
import * as f from './functions';
import * as aiof from './aio/functions';
import { AsyncSocket } from './aio/socket';
import type { Address } from './families';
import type { FromfdCall, SocketCall, SocketpairCall } from './factories';
import type { AF_INET, AF_INET6, SOCK_STREAM } from './constants';
import { Socket } from './socket';
import * as state from './state';

/**
 * `fn` called the Python way. The common call (no more positional arguments than Python
 * allows, at least the required ones, the last not an options object) goes straight
 * through with `fn.apply(this, arguments)`; anything else is mapped by pyArgs, which
 * throws CPython's TypeError or turns the options object into positional arguments.
 * `adapt` reshapes the mapped arguments for a function whose own parameters differ.
 */
export function pythonCall<F extends (...args: never[]) => unknown>(
  s: Signature,
  fn: F,
  adapt?: (args: unknown[]) => unknown[],
): F {
  const max = s.positional ?? s.params.length;
  const min = s.required;
  // `arguments` rather than rest parameters: the common call then allocates nothing
  // (measured: about 6 ns per call, against about 600 ns for a send or recv).
  /* eslint-disable prefer-rest-params */
  const named = {
    [fn.name](this: unknown) {
      const n = arguments.length;
      if (n >= min && n <= max) {
        const last: unknown = n === 0 ? undefined : arguments[n - 1];
        if (typeof last !== 'object' || last === null || !isOptions(last)) {
          if (!adapt) return fn.apply(this, arguments as never);
          return fn.apply(this, adapt(Array.prototype.slice.call(arguments)) as never);
        }
      }
      const mapped = pyArgs(s, arguments);
      return fn.apply(this, (adapt ? adapt(mapped) : mapped) as never);
    },
  };
  /* eslint-enable prefer-rest-params */
  return named[fn.name] as unknown as F;
}

// ---- module functions ------------------------------------------------------------------------

/** PyArg_ParseTuple functions of one argument ("htons() takes exactly 1 argument"). */
const tuple1 = (name: string, param: string) => sig(name, [param], 1, 'tuple');
/** METH_O functions ("_socket.htonl() takes exactly one argument"). */
const methO = (name: string, param: string) => sig(name, [param], 1, 'one', `_socket.${name}`);
/** METH_NOARGS functions. */
const noArgs = (name: string) => sig(name, [], 0, 'none', `_socket.${name}`);

export const htons = pythonCall(tuple1('htons', 'x'), f.htons);
export const ntohs = pythonCall(tuple1('ntohs', 'x'), f.ntohs);
export const htonl = pythonCall(methO('htonl', 'x'), f.htonl);
export const ntohl = pythonCall(methO('ntohl', 'x'), f.ntohl);
export const inet_aton = pythonCall(tuple1('inet_aton', 'ip_string'), f.inet_aton);
export const inet_ntoa = pythonCall(tuple1('inet_ntoa', 'packed_ip'), f.inet_ntoa);
export const inet_pton = pythonCall(
  sig('inet_pton', ['address_family', 'ip_string'], 2, 'tuple'),
  f.inet_pton,
);
export const inet_ntop = pythonCall(
  sig('inet_ntop', ['address_family', 'packed_ip'], 2, 'tuple'),
  f.inet_ntop,
);
export const getnameinfo = pythonCall(sig('getnameinfo', ['sockaddr', 'flags'], 2, 'tuple'), f.getnameinfo);
export const gethostbyname = pythonCall(tuple1('gethostbyname', 'hostname'), f.gethostbyname);
export const gethostbyname_ex = pythonCall(tuple1('gethostbyname_ex', 'hostname'), f.gethostbyname_ex);
export const gethostbyaddr = pythonCall(tuple1('gethostbyaddr', 'ip_address'), f.gethostbyaddr);
export const gethostname = pythonCall(noArgs('gethostname'), f.gethostname);
export const getservbyname = pythonCall(
  sig('getservbyname', ['servicename', 'protocolname'], 1, 'tuple'),
  f.getservbyname,
);
export const getservbyport = pythonCall(
  sig('getservbyport', ['port', 'protocolname'], 1, 'tuple'),
  f.getservbyport,
);
export const getprotobyname = pythonCall(tuple1('getprotobyname', 'protocolname'), f.getprotobyname);
export const if_nameindex = pythonCall(noArgs('if_nameindex'), f.if_nameindex);
export const if_nametoindex = pythonCall(tuple1('if_nametoindex', 'if_name'), f.if_nametoindex);
export const if_indextoname = pythonCall(methO('if_indextoname', 'if_index'), f.if_indextoname);
export const CMSG_LEN = pythonCall(tuple1('CMSG_LEN', 'length'), f.CMSG_LEN);
export const CMSG_SPACE = pythonCall(tuple1('CMSG_SPACE', 'length'), f.CMSG_SPACE);
export const close = pythonCall(methO('close', 'fd'), f.close);
export const dup = pythonCall(methO('dup', 'fd'), f.dup);
export const getdefaulttimeout = pythonCall(noArgs('getdefaulttimeout'), state.getdefaulttimeout);
export const setdefaulttimeout = pythonCall(methO('setdefaulttimeout', 'timeout'), state.setdefaulttimeout);
export const has_dualstack_ipv6 = pythonCall(
  sig('has_dualstack_ipv6', [], 0, 'python'),
  f.has_dualstack_ipv6,
);
export const getfqdn: {
  (name?: string): string;
  (options: { name?: string }): string;
} = pythonCall(sig('getfqdn', ['name'], 0, 'python'), f.getfqdn as (...a: unknown[]) => string);

type Host = string | ArrayBufferView | null;
type Port = string | number | ArrayBufferView | null;
interface GaiOptions {
  family?: number;
  type?: number;
  proto?: number;
  flags?: number;
}

/** Mirrors socket.getaddrinfo(host, port, family=0, type=0, proto=0, flags=0), keywords too. */
export const getaddrinfo: {
  (host: Host, port: Port, family?: number, type?: number, proto?: number, flags?: number): f.AddrInfo[];
  (host: Host, port: Port, options: GaiOptions): f.AddrInfo[];
  (host: Host, options: GaiOptions & { port: Port }): f.AddrInfo[];
  (options: GaiOptions & { host: Host; port: Port }): f.AddrInfo[];
} = pythonCall(
  sig('getaddrinfo', ['host', 'port', 'family', 'type', 'proto', 'flags'], 2, 'python'),
  f.getaddrinfo as (...a: unknown[]) => f.AddrInfo[],
);

// The signatures the blocking and async module functions share.
const SOCKETPAIR = sig('socketpair', ['family', 'type', 'proto'], 0, 'python');
const FROMFD = sig('fromfd', ['fd', 'family', 'type', 'proto'], 3, 'python');

/** Mirrors socket.socketpair(family=None, type=SOCK_STREAM, proto=0), keywords too. */
export const socketpair: SocketpairCall<'sync'> = pythonCall(
  SOCKETPAIR,
  f.socketpair as (...a: unknown[]) => [Socket, Socket],
);

/** Mirrors socket.fromfd(fd, family, type, proto=0), keywords too. */
export const fromfd: FromfdCall<'sync'> = pythonCall(FROMFD, f.fromfd as (...a: unknown[]) => Socket);

/** The families create_connection may connect with (getaddrinfo's results for a host). */
type Ip = typeof AF_INET | typeof AF_INET6;
type Stream = typeof SOCK_STREAM;

interface ConnectionOptions {
  timeout?: number | null;
  source_address?: Address<Ip> | null;
  all_errors?: boolean;
}

/**
 * Mirrors socket.create_connection(address, timeout=<default>, source_address=None, *,
 * all_errors=False): positional or by keyword in a trailing options object.
 */
export const create_connection: {
  (
    address: [string, number],
    timeout?: number | null,
    source_address?: Address<Ip> | null,
  ): Socket<Ip, Stream>;
  (
    address: [string, number],
    timeout: number | null | undefined,
    source_address: Address<Ip> | null | undefined,
    options: ConnectionOptions,
  ): Socket<Ip, Stream>;
  (
    address: [string, number],
    timeout: number | null | undefined,
    options: ConnectionOptions,
  ): Socket<Ip, Stream>;
  (address: [string, number], options: ConnectionOptions): Socket<Ip, Stream>;
  (options: ConnectionOptions & { address: [string, number] }): Socket<Ip, Stream>;
} = pythonCall(
  {
    ...sig('create_connection', ['address', 'timeout', 'source_address', 'all_errors'], 1, 'python'),
    positional: 3,
  },
  f.create_connection as (...a: unknown[]) => Socket<Ip, Stream>,
  connectionArgs,
);

/** create_connection's parameters as its implementations take them: the keywords in an object. */
function connectionArgs([address, timeout, source, all_errors, signal]: unknown[]): unknown[] {
  return [address, timeout, source, signal === undefined ? { all_errors } : { all_errors, signal }];
}

const CREATE_SERVER: Signature = {
  ...sig('create_server', ['address', 'family', 'backlog', 'reuse_port', 'dualstack_ipv6'], 1, 'python'),
  positional: 1,
};

/**
 * An adapter for a function that takes its first parameter, then every other one of `s` in
 * one options object (only those given): create_server(address, { family, backlog, ... }).
 */
function firstThenOptions(s: Signature): (args: unknown[]) => unknown[] {
  const names = s.params.slice(1);
  return ([first, ...rest]) => {
    const options: Record<string, unknown> = {};
    names.forEach((name, i) => {
      if (rest[i] !== undefined) options[name] = rest[i];
    });
    return [first, options];
  };
}

/** create_server's parameters as its implementations take them: the keywords in an object. */
const serverArgs = firstThenOptions(CREATE_SERVER);

/**
 * Mirrors socket.create_server(address, *, family=AF_INET, backlog=None, reuse_port=False,
 * dualstack_ipv6=False): the keyword-only parameters in an options object.
 */
export const create_server: <F extends number = typeof AF_INET>(
  address: Address<F>,
  options?: f.CreateServerOptions<F>,
) => Socket<F, Stream> = pythonCall(
  CREATE_SERVER,
  f.create_server as <F extends number>(...a: unknown[]) => Socket<F, Stream>,
  serverArgs,
);

/** Mirrors socket.send_fds(sock, buffers, fds, flags=0, address=None), keywords too. */
export const send_fds: typeof f.send_fds = pythonCall(
  sig('send_fds', ['sock', 'buffers', 'fds', 'flags', 'address'], 3, 'python'),
  f.send_fds,
);

/** Mirrors socket.recv_fds(sock, bufsize, maxfds, flags=0), keywords too. */
export const recv_fds: typeof f.recv_fds = pythonCall(
  sig('recv_fds', ['sock', 'bufsize', 'maxfds', 'flags'], 3, 'python'),
  f.recv_fds,
);

// ---- Socket methods --------------------------------------------------------------------------

/** A method written in Python (Lib/socket.py): its messages count `self`. */
const pyMethod = (name: string, params: string[], required: number) =>
  sig(name, params, required, 'method', `socket.${name}`);
/** A METH_O method of the C socket type. */
const cOne = (name: string, param: string) => sig(name, [param], 1, 'one', `socket.${name}`);
/** A METH_NOARGS method of the C socket type. */
const cNone = (name: string) => sig(name, [], 0, 'none', `socket.${name}`);

const SOCKET_METHODS: Record<string, Signature> = {
  accept: pyMethod('accept', [], 0),
  close: pyMethod('close', [], 0),
  detach: pyMethod('detach', [], 0),
  dup: pyMethod('dup', [], 0),
  get_inheritable: pyMethod('get_inheritable', [], 0),
  set_inheritable: pyMethod('set_inheritable', ['inheritable'], 1),
  bind: cOne('bind', 'address'),
  connect: cOne('connect', 'address'),
  connect_ex: cOne('connect_ex', 'address'),
  setblocking: cOne('setblocking', 'flag'),
  settimeout: cOne('settimeout', 'value'),
  shutdown: cOne('shutdown', 'how'),
  fileno: cNone('fileno'),
  getpeername: cNone('getpeername'),
  getsockname: cNone('getsockname'),
  getblocking: cNone('getblocking'),
  gettimeout: cNone('gettimeout'),
  listen: sig('listen', ['backlog'], 0, 'tuple'),
  recv: sig('recv', ['bufsize', 'flags'], 1, 'tuple'),
  recvfrom: sig('recvfrom', ['bufsize', 'flags'], 1, 'tuple'),
  recvmsg: sig('recvmsg', ['bufsize', 'ancbufsize', 'flags'], 1, 'tuple'),
  recvmsg_into: sig('recvmsg_into', ['buffers', 'ancbufsize', 'flags'], 1, 'tuple'),
  recv_into: sig('recv_into', ['buffer', 'nbytes', 'flags'], 1, 'clinic-kw'),
  recvfrom_into: sig('recvfrom_into', ['buffer', 'nbytes', 'flags'], 1, 'clinic-kw'),
  send: sig('send', ['data', 'flags'], 1, 'tuple'),
  sendall: sig('sendall', ['data', 'flags'], 1, 'tuple'),
  sendto: {
    ...sig('sendto', ['data', 'flags', 'address'], 2, 'tuple'),
    countMessage: 'sendto() takes 2 or 3 arguments ({n} given)',
  },
  sendmsg: sig('sendmsg', ['buffers', 'ancdata', 'flags', 'address'], 1, 'tuple'),
  getsockopt: sig('getsockopt', ['level', 'optname', 'buflen'], 2, 'tuple'),
  setsockopt: {
    ...sig('setsockopt', ['level', 'optname', 'value', 'optlen'], 3, 'tuple'),
    countMessage: 'setsockopt() takes exactly 3 arguments ({n} given)',
  },
  sendfile: pyMethod('sendfile', ['file', 'offset', 'count'], 1),
};

/**
 * socket.makefile(mode='r', buffering=None, *, encoding=None, errors=None, newline=None): the
 * implementations take (mode, { buffering, encoding, errors, newline }).
 */
const MAKEFILE: Signature = {
  ...pyMethod('makefile', ['mode', 'buffering', 'encoding', 'errors', 'newline'], 0),
  positional: 2,
};
const makefileArgs = firstThenOptions(MAKEFILE);

const proto = Socket.prototype as unknown as Record<string, (...a: never[]) => unknown>;
for (const [name, s] of Object.entries(SOCKET_METHODS)) proto[name] = pythonCall(s, proto[name]);
proto.makefile = pythonCall(MAKEFILE, proto.makefile, makefileArgs);

// ---- AsyncSocket methods: the same table ------------------------------------------------------

/**
 * The AsyncSocket methods that return promises (an argument error is then a rejection), and
 * among them those that wait and so take a trailing `{ signal }` after Python's arguments.
 */
const AIO_WAITS = new Set(
  'accept connect recv recv_into recvfrom recvfrom_into send sendall sendto recvmsg recvmsg_into sendmsg sendfile'.split(
    ' ',
  ),
);
const AIO_ASYNC = new Set([...AIO_WAITS, 'bind']);

/** Whether `o` holds nothing but WaitOptions' keys (`signal`), so it is no keyword argument. */
function onlyWaitOptions(o: object): boolean {
  for (const key in o) if (key !== 'signal') return false;
  return true;
}

/**
 * An AsyncSocket method called as its Socket twin, plus trio's trailing `{ signal }` where
 * it waits. The common calls go straight through after a length check: Python's arguments
 * alone, or followed by an options object holding only `signal`. Anything else is mapped by
 * pyArgs with the `signal` key set aside and passed on after Python's arguments.
 */
function aioMethod<F extends (...args: never[]) => unknown>(s: Signature, fn: F, waits: boolean): F {
  const max = s.positional ?? s.params.length;
  const min = s.required;
  /* eslint-disable prefer-rest-params */
  const named = {
    [fn.name](this: unknown) {
      let n = arguments.length;
      let last: unknown = n === 0 ? undefined : arguments[n - 1];
      if (
        waits &&
        n > min &&
        typeof last === 'object' &&
        last !== null &&
        isOptions(last) &&
        onlyWaitOptions(last)
      ) {
        n--;
        last = n === 0 ? undefined : arguments[n - 1];
      }
      if (n >= min && n <= max && (typeof last !== 'object' || last === null || !isOptions(last)))
        return fn.apply(this, arguments as never);
      try {
        return fn.apply(this, aioArgs(s, arguments, waits) as never);
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
  /* eslint-enable prefer-rest-params */
  return named[fn.name] as unknown as F;
}

/**
 * Maps an AsyncSocket method's arguments: Python's (by pyArgs, which throws CPython's
 * TypeError), then, for a waiting method, the `{ signal }` taken out of the options object.
 */
function aioArgs(s: Signature, args: IArguments, waits: boolean): unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const list: unknown[] = Array.prototype.slice.call(args, 0, n);
  let wait: { signal?: unknown } | undefined;
  const last = list[n - 1];
  if (waits && n > 0 && isOptions(last) && (n > s.required || 'signal' in last)) {
    const { signal, ...keywords } = last;
    if ('signal' in last || Object.keys(keywords).length === 0) {
      wait = { signal };
      if (Object.keys(keywords).length) list[n - 1] = keywords;
      else list.pop();
    }
  }
  const mapped = pyArgs(s, list);
  // Where Python takes no keywords the arguments stay as given (sendto's meaning depends on
  // how many there are); else one per parameter, so the options come after all of them.
  const out = s.keywords ? mapped : list;
  if (wait) out.push(wait);
  return out;
}

const aioProto = AsyncSocket.prototype as unknown as Record<string, (...a: never[]) => unknown>;
for (const [name, s] of Object.entries(SOCKET_METHODS)) {
  if (!(name in aioProto)) continue; // connect_ex: not on the async socket, as in trio
  aioProto[name] = AIO_ASYNC.has(name)
    ? aioMethod(s, aioProto[name], AIO_WAITS.has(name))
    : pythonCall(s, aioProto[name]);
}
aioProto.makefile = pythonCall(MAKEFILE, aioProto.makefile, makefileArgs);

// ---- bsdsock/aio: the same parameters for the async twins --------------------------------------

/** An async function called the Python way: an argument error is a rejected promise. */
function pythonAsyncCall<R>(
  s: Signature,
  fn: (...a: never[]) => Promise<R>,
  adapt?: (args: unknown[]) => unknown[],
): (...a: unknown[]) => Promise<R> {
  const call = pythonCall(s, fn, adapt);
  return function (this: unknown, ...args: unknown[]): Promise<R> {
    try {
      return call.apply(this, args as never[]);
    } catch (e) {
      return Promise.reject(e);
    }
  };
}

/** aio.socket(family, type, proto, fileno), keywords too: `aio.socket({ type: SOCK_DGRAM })`. */
export const aioSocket: SocketCall<'aio'> = pythonCall(
  sig('__init__', ['family', 'type', 'proto', 'fileno'], 0, 'method', 'socket.__init__'),
  aiof.socket as (...a: unknown[]) => AsyncSocket,
);

/** aio.socketpair(family, type, proto), keywords too. */
export const aioSocketpair: SocketpairCall<'aio'> = pythonCall(
  SOCKETPAIR,
  aiof.socketpair as (...a: unknown[]) => [AsyncSocket, AsyncSocket],
);

/** aio.fromfd(fd, family, type, proto), keywords too. */
export const aioFromfd: FromfdCall<'aio'> = pythonCall(
  FROMFD,
  aiof.fromfd as (...a: unknown[]) => AsyncSocket,
);

/** aio.getaddrinfo(host, port, family, type, proto, flags), keywords too. */
export const aioGetaddrinfo: {
  (
    host: Host,
    port: Port,
    family?: number,
    type?: number,
    proto?: number,
    flags?: number,
  ): Promise<f.AddrInfo[]>;
  (host: Host, port: Port, options: GaiOptions): Promise<f.AddrInfo[]>;
  (options: GaiOptions & { host: Host; port: Port }): Promise<f.AddrInfo[]>;
} = pythonAsyncCall(
  sig('getaddrinfo', ['host', 'port', 'family', 'type', 'proto', 'flags'], 2, 'python'),
  aiof.getaddrinfo as (...a: unknown[]) => Promise<f.AddrInfo[]>,
);

/** aio.getnameinfo(sockaddr, flags): positional only, as socket.getnameinfo. */
export const aioGetnameinfo: typeof aiof.getnameinfo = pythonAsyncCall(
  sig('getnameinfo', ['sockaddr', 'flags'], 2, 'tuple'),
  aiof.getnameinfo,
);

/** aio.send_fds(sock, buffers, fds, flags, address), keywords too. */
export const aioSend_fds: typeof aiof.send_fds = pythonAsyncCall(
  sig('send_fds', ['sock', 'buffers', 'fds', 'flags', 'address'], 3, 'python'),
  aiof.send_fds,
);

/** aio.recv_fds(sock, bufsize, maxfds, flags), keywords too. */
export const aioRecv_fds: typeof aiof.recv_fds = pythonAsyncCall(
  sig('recv_fds', ['sock', 'bufsize', 'maxfds', 'flags'], 3, 'python'),
  aiof.recv_fds,
);

/** aio.create_connection(address, timeout, source_address, { all_errors, signal }), keywords too. */
export const aioCreate_connection: {
  (
    address: [string, number],
    timeout?: number | null,
    source_address?: Address<Ip> | null,
    options?: aiof.AsyncCreateConnectionOptions,
  ): Promise<AsyncSocket<Ip, Stream>>;
  (
    address: [string, number],
    timeout: number | null | undefined,
    options: aiof.AsyncCreateConnectionOptions,
  ): Promise<AsyncSocket<Ip, Stream>>;
  (
    address: [string, number],
    options: aiof.AsyncCreateConnectionOptions & {
      timeout?: number | null;
      source_address?: Address<Ip> | null;
    },
  ): Promise<AsyncSocket<Ip, Stream>>;
} = pythonAsyncCall(
  {
    ...sig(
      'create_connection',
      ['address', 'timeout', 'source_address', 'all_errors', 'signal'],
      1,
      'python',
    ),
    positional: 3,
  },
  aiof.create_connection as (...a: unknown[]) => Promise<AsyncSocket<Ip, Stream>>,
  connectionArgs,
);

/** aio.create_server(address, { family, backlog, reuse_port, dualstack_ipv6 }), as socket.create_server. */
export const aioCreate_server = pythonAsyncCall(
  CREATE_SERVER,
  aiof.create_server as (...a: unknown[]) => Promise<AsyncSocket>,
  serverArgs,
) as typeof aiof.create_server;
