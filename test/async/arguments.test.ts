// AsyncSocket methods and the aio module take their arguments as their blocking twins, which
// take them as CPython (lib/signatures.ts): a wrong count or a keyword a positional-only method
// refuses is CPython's TypeError, as a rejection for the methods that return promises. The
// waiting methods also take trio's trailing `{ signal }`, alone or beside Python's keywords.
// test/python-diff.test.ts runs the whole table against CPython; this file checks what the
// table cannot: rejections instead of throws, and `signal` beside the keywords.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { aio, tcpListener, tcpPair } from '../helpers/aio';
import { catchError, rejection } from '../helpers/errors';
import { track, useSockets } from '../helpers/tracker';

useSockets({ watchdog: false });

type Loose = (...args: unknown[]) => Promise<unknown>;
const loose = (sock: object, name: string) => (sock as Record<string, Loose>)[name].bind(sock);

/** A promise that `call` returned (it must not throw) and its rejection. */
async function rejects(call: () => unknown): Promise<any> {
  let p: unknown;
  expect(() => (p = call())).not.toThrow();
  expect(p).toBeInstanceOf(Promise);
  return rejection(p as Promise<unknown>);
}

describe('AsyncSocket arguments, as CPython', () => {
  it('a wrong count is a rejection with Python message, before the socket state', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const cases: [string, unknown[], string][] = [
      ['recv', [], 'recv() takes at least 1 argument (0 given)'],
      ['recv', [1, 0, 1], 'recv() takes at most 2 arguments (3 given)'],
      ['send', [Buffer.from('x'), 0, 1], 'send() takes at most 2 arguments (3 given)'],
      ['sendall', [Buffer.from('x'), 0, 1], 'sendall() takes at most 2 arguments (3 given)'],
      ['sendto', [Buffer.from('x')], 'sendto() takes 2 or 3 arguments (1 given)'],
      ['recv_into', [], "recv_into() missing required argument 'buffer' (pos 1)"],
      ['recvmsg', [1, 0, 0, 1], 'recvmsg() takes at most 3 arguments (4 given)'],
      ['sendmsg', [], 'sendmsg() takes at least 1 argument (0 given)'],
      ['bind', [], 'socket.bind() takes exactly one argument (0 given)'],
      ['connect', [['127.0.0.1', 1], 1], 'socket.connect() takes exactly one argument (2 given)'],
      ['accept', [1], 'socket.accept() takes 1 positional argument but 2 were given'],
      ['sendfile', [], "socket.sendfile() missing 1 required positional argument: 'file'"],
    ];
    for (const [name, args, message] of cases)
      expect(await rejects(() => loose(a, name)(...args)), name).toEqual(new TypeError(message));
    // On a closed socket too: arguments are checked first, as CPython does.
    a.close();
    expect(await rejects(() => loose(a, 'recv')(1, 0, 1))).toEqual(
      new TypeError('recv() takes at most 2 arguments (3 given)'),
    );
    // A `{ signal }` does not count as an argument, but cannot stand for a required one.
    expect(await rejects(() => loose(b, 'recv')({ signal: new AbortController().signal }))).toEqual(
      new TypeError('recv() takes at least 1 argument (0 given)'),
    );
  });

  it('the synchronous methods throw, as Socket', () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const sync = (name: string, ...args: unknown[]) =>
      catchError(() => (a as unknown as Record<string, (...x: unknown[]) => unknown>)[name](...args));
    expect(sync('listen', 1, 2)).toEqual(new TypeError('listen() takes at most 1 argument (2 given)'));
    expect(sync('settimeout')).toEqual(
      new TypeError('socket.settimeout() takes exactly one argument (0 given)'),
    );
    expect(sync('setblocking')).toEqual(
      new TypeError('socket.setblocking() takes exactly one argument (0 given)'),
    );
    expect(sync('fileno', 1)).toEqual(new TypeError('socket.fileno() takes no arguments (1 given)'));
    expect(sync('getsockopt', 1)).toEqual(new TypeError('getsockopt() takes at least 2 arguments (1 given)'));
    expect(sync('shutdown', aio.SHUT_RD, { signal: undefined })).toEqual(
      new TypeError('socket.shutdown() takes no keyword arguments'),
    );
    expect(sync('close', 1)).toEqual(
      new TypeError('socket.close() takes 1 positional argument but 2 were given'),
    );
    expect(a.fileno()).toBeGreaterThanOrEqual(0);
  });

  it("keywords where Python takes them, beside trio's signal; refused where Python refuses", async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const { signal } = new AbortController();
    await a.sendall(Buffer.from('abcdefgh'));
    expect(String(await b.recv(1, { signal }))).toBe('a');
    expect(String(await b.recv(1, 0, { signal }))).toBe('b');
    const buf = Buffer.alloc(8);
    // The keyword is applied (it was ignored before: the whole 8 bytes were read).
    expect(await loose(b, 'recv_into')(buf, { nbytes: 2 })).toBe(2);
    expect(String(buf.subarray(0, 2))).toBe('cd');
    expect(await loose(b, 'recv_into')(buf, { nbytes: 1, flags: aio.MSG_PEEK, signal })).toBe(1);
    expect(await loose(b, 'recvfrom_into')(buf, { nbytes: 1, signal })).toEqual([1, null]);
    expect(String(buf.subarray(0, 1))).toBe('e');
    expect(await rejects(() => loose(b, 'recv')(1, { flags: 0, signal }))).toEqual(
      new TypeError('recv() takes no keyword arguments'),
    );
    expect(await rejects(() => loose(b, 'recvmsg')(1, { ancbufsize: 1 }))).toEqual(
      new TypeError('recvmsg() takes no keyword arguments'),
    );
    expect(await rejects(() => loose(b, 'recv_into')(buf, { bogus: 1, signal }))).toEqual(
      new TypeError("'bogus' is an invalid keyword argument for recv_into()"),
    );
    expect(await rejects(() => loose(b, 'recv_into')(buf, 1, { nbytes: 1 }))).toEqual(
      new TypeError("argument for recv_into() given by name ('nbytes') and position (2)"),
    );
    expect(await rejects(() => loose(b, 'accept')({ bogus: 1 }))).toEqual(
      new TypeError("socket.accept() got an unexpected keyword argument 'bogus'"),
    );
    // bind does not wait: a signal is a keyword it does not take.
    expect(await rejects(() => loose(b, 'bind')('x', { signal }))).toEqual(
      new TypeError('socket.bind() takes no keyword arguments'),
    );
    // The data the refused calls did not read is still there.
    expect(String(await b.recv(8))).toBe('fgh');
  });

  it('a signal given beside keywords still aborts the call', async () => {
    const [a, b] = aio.socketpair();
    track(a);
    track(b);
    const ac = new AbortController();
    const p = loose(b, 'recv_into')(Buffer.alloc(4), { nbytes: 2, signal: ac.signal });
    ac.abort();
    expect((await rejection(p)).name).toBe('AbortError');
    await a.send(Buffer.from('z'));
    expect(String(await b.recv(1))).toBe('z');
  });

  it('sendfile takes offset and count by keyword, with a signal', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-aioargs-'));
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, '0123456789');
    const fd = fs.openSync(file, 'r');
    try {
      const [a, b] = await tcpPair();
      const { signal } = new AbortController();
      expect(await loose(a, 'sendfile')(fd, { offset: 2, count: 3, signal })).toBe(3);
      expect(String(await b.recv(10))).toBe('234');
      expect(await rejects(() => loose(a, 'sendfile')(fd, { bogus: 1 }))).toEqual(
        new TypeError("socket.sendfile() got an unexpected keyword argument 'bogus'"),
      );
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('AsyncSocket state, as CPython', () => {
  it('settimeout and setblocking on a closed socket raise EBADF and still store the value', () => {
    const s = aio.socket();
    s.close();
    expect(catchError(() => s.settimeout(2.5)).errno).toBe(aio.EBADF);
    expect(s.gettimeout()).toBe(2.5);
    expect(catchError(() => s.setblocking(false)).errno).toBe(aio.EBADF);
    expect(s.gettimeout()).toBe(0);
  });
});

describe('aio module functions with keywords', () => {
  it('create_connection and create_server take Python keywords (and signal)', async () => {
    const [l, addr] = await tcpListener();
    const { signal } = new AbortController();
    const c = track(await aio.create_connection(addr, { timeout: 5, signal }));
    expect(c.gettimeout()).toBe(5);
    const [srv] = await l.accept();
    track(srv);
    expect(await rejects(() => (aio.create_connection as unknown as Loose)(addr, { bogus: 1 }))).toEqual(
      new TypeError("create_connection() got an unexpected keyword argument 'bogus'"),
    );
    expect(await rejects(() => (aio.create_connection as unknown as Loose)())).toEqual(
      new TypeError("create_connection() missing 1 required positional argument: 'address'"),
    );
    const s = track(await aio.create_server(['127.0.0.1', 0], { backlog: 3 }));
    expect(s).toBeInstanceOf(aio.AsyncSocket);
    expect(await rejects(() => (aio.create_server as unknown as Loose)(['127.0.0.1', 0], 5))).toEqual(
      new TypeError('create_server() takes 1 positional argument but 2 were given'),
    );
    expect(catchError(() => (aio.has_dualstack_ipv6 as unknown as (...x: unknown[]) => boolean)(1))).toEqual(
      new TypeError('has_dualstack_ipv6() takes 0 positional arguments but 1 was given'),
    );
  });
});
