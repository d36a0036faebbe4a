// Loads the native binding, gives it the error factories, and types its surface.
/**
 * Loads the native binding (build/Release or prebuilds/, via node-gyp-build), gives it
 * the error factories, and types its surface. Everything here is internal: the public
 * API is in index.ts.
 *
 * Binding conventions (native/errors.h): OS errors are thrown as the OSError subclass
 * for the errno; an I/O call that would block with timeout 0 returns WOULD_BLOCK;
 * timeouts are seconds, < 0 for blocking.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import nodeGypBuild from 'node-gyp-build';
import { nativeFactories, setStrerror } from './oserror';

/** JS form of a socket address as native code takes and returns it (see native/sockaddr.h). */
export type NativeAddress = unknown;

/** getaddrinfo's arguments as native takes them (checked by lib/function-args.ts gaiArgs). */
export type GaiArgs = [
  host: string | Buffer | null,
  port: string | null,
  family: number,
  type: number,
  proto: number,
  flags: number,
];

/** One ancillary data item: [cmsg_level, cmsg_type, cmsg_data]. */
export type AncData = [number, number, Buffer];

export interface Binding {
  init(factories: typeof nativeFactories, isMainThread: boolean): void;
  constants: Record<string, number>;
  WOULD_BLOCK: number;

  socket(family: number, type: number, proto: number): number;
  socketpair(family: number, type: number, proto: number): [number, number];
  adopt(fd: number, nonblocking: boolean): [number, number, number];
  set_blocking(fd: number, blocking: boolean): void;
  close(fd: number): void;
  dup(fd: number): number;
  get_inheritable(fd: number): boolean;
  set_inheritable(fd: number, inheritable: boolean): void;
  bind(fd: number, family: number, address: NativeAddress): void;
  listen(fd: number, backlog: number): void;
  getsockname(fd: number): NativeAddress;
  getpeername(fd: number): NativeAddress;
  connect(
    fd: number,
    family: number,
    address: NativeAddress,
    timeout: number,
    ex: boolean,
  ): number | undefined;
  /** 0 when connected, WOULD_BLOCK while in progress, else the errno. */
  connect_start(fd: number, family: number, address: NativeAddress): number;
  /** SO_ERROR once writable: 0 when connected, else the errno. */
  connect_result(fd: number): number;
  /** The new fd (its AF_INET address in accept_address), [fd, address], or WOULD_BLOCK. */
  accept(fd: number, timeout: number, nonblocking: boolean): [number, NativeAddress] | number;
  /** Where accept leaves an AF_INET peer's port (2 bytes) and address (4 bytes), network order. */
  accept_address: Uint8Array;
  recv_into(fd: number, buffer: ArrayBufferView, nbytes: number, flags: number, timeout: number): number;
  recvfrom_into(
    fd: number,
    buffer: ArrayBufferView,
    nbytes: number,
    flags: number,
    timeout: number,
  ): [number, NativeAddress] | number;
  send(fd: number, data: ArrayBufferView, flags: number, timeout: number): number;
  sendto(
    fd: number,
    data: ArrayBufferView,
    flags: number,
    family: number,
    address: NativeAddress,
    timeout: number,
  ): number;
  sendall(fd: number, data: ArrayBufferView, flags: number, timeout: number): void;
  shutdown(fd: number, how: number): void;
  getsockopt(fd: number, level: number, optname: number, buflen: number): number | Buffer;
  setsockopt(
    fd: number,
    level: number,
    optname: number,
    value: number | ArrayBufferView | null,
    optlen?: number,
  ): void;
  wait(fd: number, writable: boolean, timeout: number): boolean;
  strerror(errno: number): string;

  recvmsg(
    fd: number,
    buffers: ArrayBufferView[],
    ancbufsize: number,
    flags: number,
    timeout: number,
  ): [number, AncData[], number, NativeAddress] | number;
  sendmsg(
    fd: number,
    buffers: ArrayBufferView[],
    ancdata: AncData[],
    flags: number,
    family: number,
    address: NativeAddress | null,
    timeout: number,
  ): number;
  recvmmsg(
    fd: number,
    buffer: ArrayBufferView,
    vlen: number,
    bufsize: number,
    flags: number,
    timeout: number,
  ): [number, NativeAddress, number][] | number;
  recvmmsg_into(
    fd: number,
    buffer: ArrayBufferView,
    bufsize: number,
    sizes: Int32Array | Uint32Array,
    flags: number,
    timeout: number,
  ): number;
  sendmmsg(
    fd: number,
    buffers: ArrayBufferView[],
    addresses: NativeAddress[] | null,
    flags: number,
    family: number,
    timeout: number,
  ): number;
  sendfile(outFd: number, inFd: number, offset: number, count: number, timeout: number): number;

  attach_filter(fd: number, program: [number, number, number, number][]): void;
  detach_filter(fd: number): void;
  inet_checksum(data: ArrayBufferView): number;
  BPF_MAXINSNS: number;

  release(fd: number): void;

  engine_init(dispatch: (count: number) => void, armed: (ArrayBufferView | undefined)[]): Int32Array;
  engine_open(fd: number): number;
  engine_want(slot: number, directions: number): void;
  engine_recv(
    slot: number,
    buffer: ArrayBufferView,
    nbytes: number,
    flags: number,
    tryFirst?: boolean,
  ): number;
  engine_accept(slot: number, tryFirst?: boolean): number | [number, NativeAddress];
  engine_peer(entry: number): NativeAddress;
  engine_disarm(slot: number): void;
  engine_close(slot: number): void;
  engine_stats(): [number, number, boolean, number, number, number, number, number];

  getaddrinfo(...args: GaiArgs): [number, number, number, string, NativeAddress][];
  getaddrinfo_async(...args: GaiArgs): Promise<[number, number, number, string, NativeAddress][]>;
  getnameinfo(family: number, address: NativeAddress, flags: number): [string, string];
  getnameinfo_async(family: number, address: NativeAddress, flags: number): Promise<[string, string]>;
  gethostbyname_ex(name: string | Buffer): [string, string[], string[]];
  gethostbyaddr(address: string, family: number): [string, string[], string[]];
  gethostname(): string;
  getservbyname(name: string, proto: string | null): number | null;
  getservbyport(port: number, proto: string | null): string | null;
  getprotobyname(name: string): number | null;
  inet_pton(family: number, text: string): Buffer | null;
  inet_ntop(family: number, packed: ArrayBufferView): string;
  inet_aton(text: string): Buffer | null;
  if_nameindex(): [number, string][];
  if_nametoindex(name: string): number;
  if_indextoname(index: number): string;
  CMSG_LEN(length: number): number;
  CMSG_SPACE(length: number): number;
}

// A plain copy of the exports object: N-API builds it in V8's dictionary mode, where every
// `native.x` lookup is a hash lookup; the copy has fast properties (bench: ~70 instructions
// saved per call).
const binding = loadBinding(path.join(__dirname, '..'));

/** The addon for this platform, or one error that says what is missing and what to do. */
function loadBinding(root: string): Binding {
  try {
    return nodeGypBuild(root) as Binding;
  } catch (err) {
    if (!/^No native build was found/.test((err as Error).message)) throw err;
    const libc = process.env.LIBC || (fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
    const platform = `${process.platform}-${process.arch} (${libc}, Node ${process.version})`;
    throw new Error(
      `bsdsock: no native build for ${platform}: no prebuilt binary in ${path.join(root, 'prebuilds')} ` +
        `matches it, and none was compiled (the install script did not run or failed). ` +
        `To build from source, install a C++17 compiler, make and python3, then run \`npm rebuild bsdsock\` ` +
        `(in a clone: \`npm install\`).`,
    );
  }
}
binding.init(nativeFactories, isMainThread);
export const native: Binding = { ...binding };

/**
 * Whether a socket with this timeout keeps its fd O_NONBLOCK. As in CPython, only
 * blocking mode (timeout < 0) has a blocking fd, so a call that must wait sleeps inside
 * its syscall. On a worker thread every fd stays non-blocking: a blocked worker must be
 * able to notice worker.terminate(), which only a sliced poll(2) can (native/sock_call.h).
 */
export function fdNonblocking(timeout: number): boolean {
  return timeout >= 0 || !isMainThread;
}

/** SOCK_NONBLOCK for socket(2)/socketpair(2) when a socket with this timeout needs it. */
export function nonblockFlag(timeout: number): number {
  return fdNonblocking(timeout) ? native.constants.SOCK_NONBLOCK : 0;
}
setStrerror(native.strerror);

export const WOULD_BLOCK = native.WOULD_BLOCK;
