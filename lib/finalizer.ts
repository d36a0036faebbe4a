// Python's repr of a socket, and the finalizer that closes (with a ResourceWarning) a socket collected while open.
import { setTimeout as startTimer } from 'node:timers';
import { inspect } from 'node:util';
import { cancelAll } from './aio/readiness';
import { native } from './native';
import type { State } from './state';

function reprState(s: State): string {
  return `fd=${s.fd}, family=${s.family}, type=${s.type}, proto=${s.proto}`;
}

/** Python's repr of a socket from its state (the same text for toString and the finalizer). */
export function repr(s: State): string {
  if (s.fd < 0) return `<socket.socket [closed] ${reprState(s)}>`;
  let out = `<socket.socket ${reprState(s)}`;
  try {
    const l = native.getsockname(s.fd);
    if (l !== '' && l !== null) out += `, laddr=${reprAddress(l)}`;
  } catch {
    // No local address to show.
  }
  try {
    const r = native.getpeername(s.fd);
    if (r !== '' && r !== null) out += `, raddr=${reprAddress(r)}`;
  } catch {
    // Not connected.
  }
  return out + '>';
}

// A socket collected while open is closed here, with Python's ResourceWarning. A socket
// is registered with its state as both the held value and the unregister token, and
// close() and detach() unregister it (forget): a closed socket keeps no registry cell, so
// opening and closing sockets in a loop that never yields does not accumulate cells (the
// cleanup task that would free the cells of collected sockets only runs in a later task).
// The token costs a registry table entry per open socket (about 40 B). The callback still
// checks fd, for a state closed some other way.
const registry = new FinalizationRegistry<State>((s) => {
  if (s.fd < 0) return;
  const text = `unclosed ${repr(s)}`;
  const fd = s.fd;
  s.fd = -1;
  try {
    // No waiter can exist (it keeps its socket reachable), so this only frees the engine slot.
    cancelAll(s);
    native.close(fd);
  } catch {
    // Nothing to report to: the owner is gone.
  }
  process.emitWarning(text, 'ResourceWarning');
});

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
    if (st.fd >= 0) registry.register(pendingOwners[i], st, st);
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
  pendingOwners.push(owner);
  pendingStates.push(st);
  if (!timerArmed) {
    timerArmed = true;
    // node:timers' own function, so a test's fake timers do not hold registration back.
    startTimer(onTimer, PENDING_MS).unref();
  }
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
