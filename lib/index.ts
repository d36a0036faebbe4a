// bsdsock: the public surface of the package (Python's socket module names).
/**
 * bsdsock: BSD sockets for Node.js with the API of Python's socket module.
 *
 * `import * as socket from 'bsdsock'` gives Python's names: socket.socket(...), the
 * constants, the module functions and the error classes. The async twin is
 * `bsdsock/aio` (also `socket.aio`).
 */
import { Socket } from './socket';

export * from './constants';
export * from './functions';
export * from './public-errors';
export { Socket, Socket as SocketType } from './socket';
export { getdefaulttimeout, setdefaulttimeout } from './state';
export type { Address } from './address';
export * as aio from './aio';
export * from './rings';

/** socket.socket(...) as a callable that also works with `new` and `instanceof`. */
export interface SocketFactory {
  (family?: number | null, type?: number | null, proto?: number | null, fileno?: number | null): Socket;
  new (family?: number | null, type?: number | null, proto?: number | null, fileno?: number | null): Socket;
  prototype: Socket;
}

/**
 * Mirrors Python's socket.socket(family = AF_INET, type = SOCK_STREAM, proto = 0,
 * fileno = null). Calls socket(2). No `new` needed; `s instanceof socket.socket` holds.
 */
export const socket: SocketFactory = function socket(
  family?: number | null,
  type?: number | null,
  proto?: number | null,
  fileno?: number | null,
): Socket {
  return new Socket(family, type, proto, fileno);
} as SocketFactory;
socket.prototype = Socket.prototype;
