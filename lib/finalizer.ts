// Python's repr of a socket, and the finalizer that closes (with a ResourceWarning) a socket collected while open.
import { setTimeout as startTimer } from 'node:timers';
import { inspect } from 'node:util';
import { releaseSlotOf } from './aio/readiness';
import { native } from './native';
import { FAMILY, FD, PROTO, type State, TYPE } from './state';

/** Python's repr of a socket from its state (the same text for toString and the finalizer). */
export function repr(s: State): string {
  return reprOf(s[FD], s[FAMILY], s[TYPE], s[PROTO]);
}

function reprOf(fd: number, family: number, type: number, proto: number): string {
  const fields = `fd=${fd}, family=${family}, type=${type}, proto=${proto}`;
  if (fd < 0) return `<socket.socket [closed] ${fields}>`;
  let out = `<socket.socket ${fields}`;
  try {
    const l = native.getsockname(fd);
    if (l !== '' && l !== null) out += `, laddr=${reprAddress(l)}`;
  } catch {
    // No local address to show.
  }
  try {
    const r = native.getpeername(fd);
    if (r !== '' && r !== null) out += `, raddr=${reprAddress(r)}`;
  } catch {
    // Not connected.
  }
  return out + '>';
}

// A socket collected while open is closed here, with Python's ResourceWarning. The
// registry holds what the callback needs as one number (below) rather than an object, as
// the state is the Socket itself and must not be kept alive by its own registration; the
// unregister token is the Socket (held weakly). close() and detach() unregister (forget),
// so the callback only runs for a socket never closed, whose fd number is still its own;
// and a closed socket keeps no registry cell, so opening and closing sockets in a loop
// that never yields does not accumulate cells (the cleanup task that would free the cells
// of collected sockets only runs in a later task). The token costs a registry table entry
// per open socket.
const registry = new FinalizationRegistry<number | Held>((held) => {
  let fd: number, family: number, type: number, proto: number;
  if (typeof held === 'number') {
    fd = held % FD_SPAN;
    let rest = (held - fd) / FD_SPAN;
    family = rest % FAMILY_SPAN;
    rest = (rest - family) / FAMILY_SPAN;
    type = rest % TYPE_SPAN;
    proto = (rest - type) / TYPE_SPAN;
  } else {
    ({ fd, family, type, proto } = held);
  }
  const text = `unclosed ${reprOf(fd, family, type, proto)}`;
  try {
    // No waiter can exist (it keeps its socket reachable), so this only frees the engine slot.
    releaseSlotOf(fd);
    native.close(fd);
  } catch {
    // Nothing to report to: the owner is gone.
  }
  process.emitWarning(text, 'ResourceWarning');
});

// The held value: fd + FD_SPAN * (family + FAMILY_SPAN * (type + TYPE_SPAN * proto)), at
// most 46 bits, so exact in a double; with proto 0 and an fd below 2^20 it is below 2^30,
// a small integer V8 stores without allocating. Anything out of these ranges is held as
// an object of the four (never seen in practice: families are below 64, types below 16).
interface Held {
  fd: number;
  family: number;
  type: number;
  proto: number;
}
const FD_SPAN = 2 ** 20;
const FAMILY_SPAN = 64;
const TYPE_SPAN = 16;
const PROTO_SPAN = 2 ** 16;

function held(st: State): number | Held {
  const { [FD]: fd, [FAMILY]: family, [TYPE]: type, [PROTO]: proto } = st;
  if (fd < FD_SPAN && family >= 0 && family < FAMILY_SPAN && type >= 0 && type < TYPE_SPAN) {
    if (proto >= 0 && proto < PROTO_SPAN && Number.isInteger(proto)) {
      return fd + FD_SPAN * (family + FAMILY_SPAN * (type + TYPE_SPAN * proto));
    }
  }
  return { fd, family, type, proto };
}

// Registering and unregistering cost about 0.5 µs a socket (a runtime call for the
// unregister token, a C++ builtin for unregister, a hash table and a cell for the GC), and
// many sockets live for a moment: a connection accepted and closed, a client that
// connects, reads and closes, in a blocking loop or across a few loop turns. So a new
// socket waits in a short list, held strongly, and is registered once it has lived about
// PENDING_MS (an unreferenced timer), or when PENDING_MAX wait; a socket closed before
// then leaves the list without touching the registry. Nothing observable is lost: a
// finalization callback only runs in a later task, after a GC that found the socket
// unreachable, and a socket leaked while waiting is registered by the timer and found
// by a later GC. A loop that never yields never reaches the timer, but there the list
// holds at most PENDING_MAX sockets (a closed one is removed, so open-and-close loops do
// not grow it), and a socket it leaks could not be finalized before the loop yields anyway.
const PENDING_MAX = 64;
const PENDING_MS = 50;
const pendingOwners: object[] = [];
const pendingStates: State[] = [];
let timerArmed = false;

function flushPending(): void {
  for (let i = 0; i < pendingStates.length; i++) {
    const st = pendingStates[i];
    if (st[FD] >= 0) registry.register(pendingOwners[i], held(st), st);
  }
  pendingOwners.length = 0;
  pendingStates.length = 0;
}

function onTimer(): void {
  timerArmed = false;
  flushPending();
}

/** Has the finalizer close `st`'s fd if `owner` is collected while `st` is open. */
export function watchState(owner: object, st: State): void {
  if (pendingStates.length === PENDING_MAX) flushPending();
  if (!timerArmed) {
    // node:timers' own function, so a test's fake timers do not hold registration back.
    startTimer(onTimer, PENDING_MS).unref();
    timerArmed = true;
  }
  // Last: a socket's constructor ends here, and one that throws (at the stack's limit)
  // must leave its fd unwatched, for its caller to close (see Socket._wrap). Were it
  // watched as well, its finalizer would later close that fd number a second time.
  pendingOwners.push(owner);
  pendingStates.push(st);
}

/** `st` is being closed or detached: its finalizer is dropped now. */
export function forgetState(st: State): void {
  const n = pendingStates.length;
  for (let i = n - 1; i >= 0; i--) {
    if (pendingStates[i] !== st) continue;
    // Still waiting: take it out (the last entry fills its place; order does not matter).
    pendingStates[i] = pendingStates[n - 1];
    pendingOwners[i] = pendingOwners[n - 1];
    pendingStates.pop();
    pendingOwners.pop();
    return;
  }
  registry.unregister(st);
}

/**
 * An address in a socket's repr, as CPython's "%s": a path as it is (laddr=/tmp/sock), an
 * abstract name as Python's bytes repr (laddr=b'\x00name'), an array as formatAddress.
 */
function reprAddress(a: unknown): string {
  if (typeof a === 'string') return a;
  if (Buffer.isBuffer(a)) return bytesRepr(a);
  return formatAddress(a);
}

/** Python's repr of bytes: b'...' with \xNN escapes (double quotes when only ' occurs). */
function bytesRepr(b: Buffer): string {
  const q = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let out = '';
  for (const c of b) {
    if (c === 0x5c) out += '\\\\';
    else if (c === q.charCodeAt(0)) out += '\\' + q;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return `b${q}${out}${q}`;
}

/** Formats an address the way API.md shows it: ['127.0.0.1', 8080]. */
export function formatAddress(a: unknown): string {
  if (Array.isArray(a)) return `[${a.map(formatAddress).join(', ')}]`;
  if (typeof a === 'string') return `'${a.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Buffer.isBuffer(a)) return inspect(a);
  return String(a);
}
