// The call signatures of the functions that make sockets (types only), shared by the blocking and async modules.
/**
 * socket() and socketpair() exist twice, making a Socket (bsdsock) or an AsyncSocket
 * (bsdsock/aio) from the same arguments. Their overloads are written once here, for a kind
 * 'sync' or 'aio': the socket's type parameters are the family and type given, Python's
 * defaults where they are omitted, or `number` where an fd (`fileno`) decides them.
 */
import type { AsyncSocket } from './aio/socket';
import type { AF_INET, AF_UNIX, SOCK_STREAM } from './constants';
import type { Given, Or } from './families';
import type { Socket } from './socket';

/** The socket each kind of factory makes, for a family F and type T. */
interface Made<F extends number, T extends number> {
  sync: Socket<F, T>;
  aio: AsyncSocket<F, T>;
}
export type Kind = keyof Made<number, number>;
/** The socket of kind K for the arguments F and T, with the defaults DF and DT. */
type Make<K extends Kind, F, T, DF extends number, DT extends number> = Made<Or<F, DF>, Or<T, DT>>[K];
/** A new socket: AF_INET and SOCK_STREAM unless given. */
type New<K extends Kind, F, T> = Make<K, F, T, typeof AF_INET, typeof SOCK_STREAM>;
/** A socket on an fd: the fd's family and type unless given. */
type OnFd<K extends Kind, F, T> = Make<K, F, T, number, number>;
/** A socket of socketpair: AF_UNIX and SOCK_STREAM unless given. */
type Pair<K extends Kind, F, T> = Make<K, F, T, typeof AF_UNIX, typeof SOCK_STREAM>;

type Fd = { fileno: number };
type NoFd = { fileno?: null };
type Proto = { proto?: number | null };

/** socket(family, type, proto, fileno), positional or with keywords, of kind K. */
export interface SocketCall<K extends Kind> {
  <F extends Given, T extends Given>(
    family: F,
    type: T,
    proto: number | null | undefined,
    fileno: number,
  ): OnFd<K, F, T>;
  <F extends Given = undefined, T extends Given = undefined>(
    family?: F,
    type?: T,
    proto?: number | null,
    fileno?: null,
  ): New<K, F, T>;
  <F extends Given, T extends Given>(options: { family?: F; type?: T } & Proto & Fd): OnFd<K, F, T>;
  <F extends Given = undefined, T extends Given = undefined>(
    options: { family?: F; type?: T } & Proto & NoFd,
  ): New<K, F, T>;
  <F extends Given, T extends Given>(family: F, options: { type?: T } & Proto & Fd): OnFd<K, F, T>;
  <F extends Given, T extends Given = undefined>(
    family: F,
    options: { type?: T } & Proto & NoFd,
  ): New<K, F, T>;
  <F extends Given, T extends Given>(family: F, type: T, options: Proto & Fd): OnFd<K, F, T>;
  <F extends Given, T extends Given>(family: F, type: T, options: Proto & NoFd): New<K, F, T>;
}

/** socketpair(family, type, proto), positional or with keywords, of kind K. */
export interface SocketpairCall<K extends Kind> {
  <F extends Given = undefined, T extends number | undefined = undefined>(
    family?: F,
    type?: T,
    proto?: number,
  ): [Pair<K, F, T>, Pair<K, F, T>];
  <F extends Given = undefined, T extends number | undefined = undefined>(options: {
    family?: F;
    type?: T;
    proto?: number;
  }): [Pair<K, F, T>, Pair<K, F, T>];
}

/** `new socket.socket(...)`: the positional and keyword forms of SocketCall. */
export interface SocketConstructor {
  new <F extends Given, T extends Given>(
    family: F,
    type: T,
    proto: number | null | undefined,
    fileno: number,
  ): OnFd<'sync', F, T>;
  new <F extends Given = undefined, T extends Given = undefined>(
    family?: F,
    type?: T,
    proto?: number | null,
    fileno?: null,
  ): New<'sync', F, T>;
  new <F extends Given, T extends Given>(options: { family?: F; type?: T } & Proto & Fd): OnFd<'sync', F, T>;
  new <F extends Given = undefined, T extends Given = undefined>(
    options: { family?: F; type?: T } & Proto & NoFd,
  ): New<'sync', F, T>;
}

/** fromfd(fd, family, type, proto), positional or with keywords, of kind K. */
export interface FromfdCall<K extends Kind> {
  <F extends number, T extends number>(fd: number, family: F, type: T, proto?: number): Made<F, T>[K];
  <F extends number, T extends number>(
    fd: number,
    family: F,
    type: T,
    options: { proto?: number },
  ): Made<F, T>[K];
  <F extends number, T extends number>(options: {
    fd: number;
    family: F;
    type: T;
    proto?: number;
  }): Made<F, T>[K];
}
