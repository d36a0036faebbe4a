// makefile(): a Node stream.Duplex over a socket, driven by the async runner (Python returns a file object).
import { Duplex, type DuplexOptions } from 'node:stream';
import { SHUT_WR, SOCK_STREAM } from '../constants';
import { native } from '../native';
import { Recv } from '../ops/recv';
import { Sendall } from '../ops/send';
import { FD, type State, TYPE } from '../state';
import { AbortError, start } from './runner';

/** Python's keyword arguments of makefile(). */
export interface MakefileOptions {
  buffering?: number | null;
  encoding?: string | null;
  errors?: string | null;
  newline?: string | null;
}

/**
 * socket.makefile(mode = 'r', { encoding }) of Socket and AsyncSocket: a Node
 * stream.Duplex over the socket `st`, driven by the async runner (so it never blocks and
 * leaves the blocking socket's mode alone; an AsyncSocket's settimeout bounds its calls).
 * The stream keeps `owner`, the socket object, alive. 'r' makes it readable, 'w' writable; without 'b' the
 * readable side decodes text (`encoding`, default 'utf8'). Backpressure is respected,
 * end of stream ends the readable side, ending the writable side shuts down writing
 * (stream sockets), and errors destroy the stream. Destroying the stream aborts its
 * pending read but leaves the socket open: close the socket yourself, as in Python.
 */
export function makefile(owner: object, st: State, mode: string, options: MakefileOptions): Duplex {
  if (typeof mode !== 'string' || !/^[rwb]+$/.test(mode)) {
    throw new RangeError(`invalid mode '${String(mode)}' (only r, w, b allowed)`);
  }
  const binary = mode.includes('b');
  if (options.buffering === 0 && !binary) throw new RangeError('unbuffered streams must be binary');
  const readChunk = options.buffering && options.buffering > 0 ? options.buffering : 64 * 1024;
  const ac = new AbortController();
  // `readable`/`writable` are Duplex options since Node 11 (missing from @types/node 20).
  const stream = new Duplex({
    readable: mode.includes('r'),
    writable: mode.includes('w'),
    allowHalfOpen: true,
    read() {
      start(Recv, owner, st, readChunk, undefined, { signal: ac.signal }).then(
        (data) => {
          this.push(data.length === 0 ? null : data);
        },
        (err: unknown) => {
          if (!(err instanceof AbortError)) this.destroy(err as Error);
        },
      );
    },
    write(chunk: Buffer, _encoding, callback) {
      start(Sendall, owner, st, chunk, undefined, { signal: ac.signal }).then(() => callback(), callback);
    },
    final(callback) {
      try {
        if (st[TYPE] === SOCK_STREAM && st[FD] >= 0) native.shutdown(st[FD], SHUT_WR);
        callback();
      } catch (e) {
        callback(e as Error);
      }
    },
    destroy(err, callback) {
      ac.abort();
      callback(err);
    },
  } as DuplexOptions);
  if (!binary && mode.includes('r')) stream.setEncoding((options.encoding ?? 'utf8') as BufferEncoding);
  return stream;
}
