// bsdsock/selectors, ported from CPython 3.12's Lib/test/test_selectors.py
// (BaseSelectorTestCase and ScalableSelectorMixIn, run for every selector class).
import { afterEach, describe, expect, it } from 'vitest';
import * as socket from '../../lib/index';
import * as select from '../../lib/select';
import * as selectors from '../../lib/selectors';

const open: { close(): void }[] = [];
afterEach(() => {
  for (const x of open.splice(0)) {
    try {
      x.close();
    } catch {
      // closed by the test
    }
  }
});
function keep<T extends { close(): void }>(x: T): T {
  open.push(x);
  return x;
}
function pair(): [socket.Socket, socket.Socket] {
  const [a, b] = socket.socketpair();
  return [keep(a), keep(b)];
}
function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error');
}

const { EVENT_READ, EVENT_WRITE } = selectors;

const classes = [
  ['EpollSelector', selectors.EpollSelector],
  ['PollSelector', selectors.PollSelector],
  ['SelectSelector', selectors.SelectSelector],
] as const;

describe.each(classes)('%s (BaseSelectorTestCase)', (_name, SelectorClass) => {
  function make(): selectors.BaseSelector {
    return keep(SelectorClass());
  }

  it('test_register', () => {
    const s = make();
    const [rd, wr] = pair();
    const key = s.register(rd, EVENT_READ, 'data');
    expect(key).toBeInstanceOf(selectors.SelectorKey);
    expect(key.fileobj).toBe(rd);
    expect(key.fd).toBe(rd.fileno());
    expect(key.events).toBe(EVENT_READ);
    expect(key.data).toBe('data');
    const [fileobj, fd, events, data] = key;
    expect([fileobj, fd, events, data]).toEqual([rd, rd.fileno(), EVENT_READ, 'data']);
    // Invalid events, already registered, invalid objects.
    expect(() => s.register(0, 999999)).toThrow(new RangeError('Invalid events: 999999'));
    expect(() => s.register(wr, 0)).toThrow(new RangeError('Invalid events: 0'));
    const dup = caught(() => s.register(rd, EVENT_READ));
    expect(dup).toBeInstanceOf(selectors.KeyError);
    expect(dup.message).toBe(`${String(rd)} (FD ${rd.fileno()}) is already registered`);
    const dupFd = caught(() => s.register(rd.fileno(), EVENT_READ));
    expect(dupFd.message).toBe(`${rd.fileno()} (FD ${rd.fileno()}) is already registered`);
    expect(() => s.register(-10, EVENT_READ)).toThrow(new RangeError('Invalid file descriptor: -10'));
    expect(() => s.register('x', EVENT_READ)).toThrow(new RangeError("Invalid file object: 'x'"));
    expect(key.toString()).toBe(
      `SelectorKey(fileobj=${String(rd)}, fd=${rd.fileno()}, events=1, data='data')`,
    );
  });

  it('test_unregister', () => {
    const s = make();
    const [rd] = pair();
    s.register(rd, EVENT_READ);
    expect(s.unregister(rd).fileobj).toBe(rd);
    const e = caught(() => s.unregister(rd));
    expect(e).toBeInstanceOf(selectors.KeyError);
    expect(e.message).toBe(`${String(rd)} is not registered`);
    expect(s.get_map()!.size).toBe(0);
  });

  it('test_unregister_after_fd_close / _after_socket_close', () => {
    const s = make();
    const [rd, wr] = pair();
    s.register(rd, EVENT_READ);
    s.register(wr.fileno(), EVENT_WRITE);
    const wfd = wr.fileno();
    rd.close();
    wr.close();
    // The closed socket is found by identity, the fd by number.
    expect(s.unregister(rd).fileobj).toBe(rd);
    expect(s.unregister(wfd).fd).toBe(wfd);
  });

  it('test_modify', () => {
    const s = make();
    const [rd, wr] = pair();
    const key = s.register(rd, EVENT_READ);
    // Modify events.
    const key2 = s.modify(rd, EVENT_WRITE);
    expect(key2.events).toBe(EVENT_WRITE);
    expect(key2).not.toBe(key);
    expect(s.get_key(rd)).toBe(key2);
    s.unregister(rd);
    // Modify data.
    const d1 = {};
    const d2 = {};
    const k1 = s.register(rd, EVENT_READ, d1);
    const k2 = s.modify(rd, EVENT_READ, d2);
    expect(k2.events).toBe(k1.events);
    expect(k2.data).toBe(d2);
    expect(s.get_key(rd)).toBe(k2);
    // Modify unknown file object.
    const e = caught(() => s.modify(999999, EVENT_READ));
    expect(e).toBeInstanceOf(selectors.KeyError);
    expect(e.message).toBe('999999 is not registered');
    // Both are seen by select().
    wr.send(Buffer.from('x'));
    expect(s.select(1).map(([k, ev]) => [k.fileobj, ev])).toEqual([[rd, EVENT_READ]]);
  });

  it('test_close: the map is gone, get_key raises RuntimeError', () => {
    const s = make();
    const mapping = s.get_map();
    const [rd, wr] = pair();
    s.register(rd, EVENT_READ);
    s.register(wr, EVENT_WRITE);
    s.close();
    expect(s.get_map()).toBe(null);
    expect(() => s.get_key(rd)).toThrow(new selectors.RuntimeError('Selector is closed'));
    expect(caught(() => s.get_key(rd))).toBeInstanceOf(selectors.RuntimeError);
    expect(() => mapping!.get(rd)).toThrow(selectors.KeyError);
    expect(mapping!.size).toBe(0);
  });

  it('test_get_key', () => {
    const s = make();
    const [rd] = pair();
    const key = s.register(rd, EVENT_READ, 'data');
    expect(s.get_key(rd)).toBe(key);
    const e = caught(() => s.get_key(999999));
    expect(e).toBeInstanceOf(selectors.KeyError);
    expect(e.message).toBe('999999 is not registered');
  });

  it('test_get_map', () => {
    const s = make();
    const [rd] = pair();
    const keys = s.get_map()!;
    expect(keys.size).toBe(0);
    expect([...keys]).toEqual([]);
    const key = s.register(rd, EVENT_READ, 'data');
    expect(keys.has(rd)).toBe(true);
    expect(keys.get(rd)).toBe(key);
    expect(keys.size).toBe(1);
    expect([...keys]).toEqual([rd.fileno()]);
    expect([...keys.values()]).toEqual([key]);
    expect(() => keys.get(999999)).toThrow(selectors.KeyError);
    expect(keys.has(999999)).toBe(false);
  });

  it('test_select and test_select_read_write', () => {
    const s = make();
    const [rd, wr] = pair();
    s.register(rd, EVENT_READ);
    const wrKey = s.register(wr, EVENT_WRITE);
    let result = s.select();
    for (const [key, events] of result) {
      expect(key).toBeInstanceOf(selectors.SelectorKey);
      expect(events).not.toBe(0);
      expect(events & ~key.events).toBe(0);
    }
    expect(result).toEqual([[wrKey, EVENT_WRITE]]);
    // test_select_read_write: one socket registered for both.
    const s2 = make();
    const [a, b] = pair();
    s2.register(a, EVENT_READ | EVENT_WRITE);
    b.send(Buffer.from('x'));
    result = s2.select(1);
    expect(result.length).toBe(1);
    expect(result[0][0].fileobj).toBe(a);
    expect(result[0][1]).toBe(EVENT_READ | EVENT_WRITE);
  });

  it('test_context_manager: `using` closes the selector', () => {
    const [rd, wr] = pair();
    let kept: selectors.BaseSelector;
    {
      using s = SelectorClass();
      kept = s;
      s.register(rd, EVENT_READ);
      s.register(wr, EVENT_WRITE);
    }
    expect(() => kept.get_key(rd)).toThrow(selectors.RuntimeError);
  });

  it('test_selector: many socket pairs, bounded', () => {
    const s = make();
    const NUM = 40;
    const readers: socket.Socket[] = [];
    const writers: socket.Socket[] = [];
    const rmap = new Map<socket.Socket, socket.Socket>();
    for (let i = 0; i < NUM; i++) {
      const [rd, wr] = pair();
      s.register(rd, EVENT_READ);
      s.register(wr, EVENT_WRITE);
      readers.push(rd);
      writers.push(wr);
      rmap.set(rd, wr);
    }
    let remaining = NUM;
    for (let round = 0; round < 4 * NUM && remaining > 0; round++) {
      const ready = s.select();
      expect(ready.length).toBeGreaterThan(0);
      for (const [key, events] of ready) {
        const sock = key.fileobj as socket.Socket;
        if (events & EVENT_WRITE) {
          sock.send(Buffer.from(`${key.fd}`));
          s.unregister(sock);
        } else if (events & EVENT_READ) {
          const wr = rmap.get(sock)!;
          expect(sock.recv(32).toString()).toBe(`${wr.fileno()}`);
          s.unregister(sock);
          remaining--;
        }
      }
    }
    expect(remaining).toBe(0);
    expect(s.get_map()!.size).toBe(0);
  });

  it('test_empty_select and test_timeout', () => {
    const s = make();
    const [rd, wr] = pair();
    s.register(rd, EVENT_READ);
    expect(s.select(0)).toEqual([]);
    expect(s.select(-1)).toEqual([]);
    const t0 = process.hrtime.bigint();
    expect(s.select(0.3)).toEqual([]);
    // A timeout waits (at least most of it: epoll and poll round up to milliseconds).
    expect(Number(process.hrtime.bigint() - t0) / 1e9).toBeGreaterThanOrEqual(0.25);
    s.register(wr, EVENT_WRITE);
    expect(s.select(0).length).toBe(1);
  });

  it('a closed socket that is still registered (its fd reused or not) can be unregistered', () => {
    const s = make();
    const [rd] = pair();
    s.register(rd, EVENT_READ);
    rd.close();
    expect(s.get_key(rd).fileobj).toBe(rd);
    s.unregister(rd);
    // Now it is found neither by fd nor by identity: Python's ValueError, not KeyError.
    expect(() => s.get_key(rd)).toThrow(new RangeError('Invalid file descriptor: -1'));
  });
});

describe('selector classes', () => {
  it('DefaultSelector is EpollSelector; selectors are callable without new', () => {
    expect(selectors.DefaultSelector).toBe(selectors.EpollSelector);
    const s = selectors.DefaultSelector();
    const t = new selectors.DefaultSelector();
    expect(s).toBeInstanceOf(selectors.EpollSelector);
    expect(t).toBeInstanceOf(selectors.BaseSelector);
    expect(s.fileno()).toBeGreaterThan(0);
    s.close();
    t.close();
    expect(() => s.fileno()).toThrow(new RangeError('I/O operation on closed epoll object'));
  });

  it('test_modify_unregister (poll-like): a failing modify unregisters the object', () => {
    const s = keep(selectors.EpollSelector());
    const [rd] = pair();
    s.register(rd, EVENT_READ);
    // Closing the fd removes it from the epoll set: EPOLL_CTL_MOD fails with EBADF.
    rd.close();
    const e = caught(() => s.modify(rd, EVENT_WRITE));
    expect(e).toBeInstanceOf(socket.OSError);
    expect(s.get_map()!.size).toBe(0);
  });

  it('test_above_fd_setsize: SelectSelector refuses fds >= FD_SETSIZE, epoll does not', () => {
    const s = keep(selectors.SelectSelector());
    s.register(5000, EVENT_READ);
    expect(() => s.select(0)).toThrow(new RangeError('filedescriptor out of range in select()'));
  });

  it('an epoll selector reports EVENT_READ for a hang-up, as CPython', () => {
    const s = keep(selectors.EpollSelector());
    const [rd, wr] = pair();
    s.register(rd, EVENT_READ);
    wr.close();
    const ready = s.select(1);
    expect(ready.length).toBe(1);
    expect(ready[0][1]).toBe(EVENT_READ);
    expect(rd.recv(1).length).toBe(0);
    expect(select.EPOLLIN).toBe(1);
  });
});
