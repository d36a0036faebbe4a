/**
 * Python's calling convention for bsdsock's functions: positional arguments, then, where
 * Python accepts keywords, one trailing options object with Python's parameter names
 * (`getaddrinfo(host, port, { type: SOCK_STREAM })`). One place maps a call onto Python's
 * parameters and raises CPython's TypeError for a wrong count, an unknown or repeated
 * keyword, or keywords given to a positional-only function.
 *
 * CPython words these errors differently depending on how the function is implemented
 * (Argument Clinic, PyArg_ParseTuple, METH_O, plain Python); `style` picks the wording so
 * that the message is the one a Python programmer sees for the same call.
 */

/** How CPython implements the function, which decides its arity messages. */
export type ArgStyle =
  /** Argument Clinic, positional-only: "select expected at least 3 arguments, got 2". */
  | 'clinic'
  /** Argument Clinic with keywords: "register() missing required argument 'fd' (pos 1)". */
  | 'clinic-kw'
  /** PyArg_ParseTuple: "htons() takes exactly 1 argument (0 given)". */
  | 'tuple'
  /** METH_O: "socket.bind() takes exactly one argument (0 given)". */
  | 'one'
  /** METH_NOARGS: "select.poll() takes no arguments (1 given)". */
  | 'none'
  /** A function written in Python: "getaddrinfo() missing 1 required positional argument: 'port'". */
  | 'python'
  /** A method written in Python; its counts include self: "socket.close() takes 1 positional argument". */
  | 'method';

export interface Signature {
  /** The name CPython's messages use ('select', 'poll', 'epoll.register' → 'register'). */
  name: string;
  /** Qualified name for "takes no keyword arguments" and METH_O/NOARGS ('select.select'). */
  qualname?: string;
  /** Parameter names in order. */
  params: readonly string[];
  /** How many leading parameters are required. */
  required: number;
  /** How many parameters may be given positionally (the rest are keyword-only); all by default. */
  positional?: number;
  /** A message for a wrong count that CPython words its own way; `{n}` is the count given. */
  countMessage?: string;
  /** Whether Python accepts these parameters by keyword (then an options object is allowed). */
  keywords: boolean;
  style: ArgStyle;
}

/**
 * A Signature in one line: `sig('register', ['fd', 'eventmask'], 1, 'clinic-kw')`. Keywords
 * are accepted for the styles whose CPython functions take them ('clinic-kw', 'python').
 */
export function sig(
  name: string,
  params: readonly string[],
  required: number,
  style: ArgStyle,
  qualname?: string,
): Signature {
  const keywords = style === 'clinic-kw' || style === 'python' || style === 'method';
  return { name, params, required, style, qualname, keywords };
}

/** A plain object (`{ ... }`) without fileno(): the only value taken as keyword arguments. */
export function isOptions(v: unknown): v is Record<string, unknown> {
  // Buffers and arrays first: the common last arguments, and cheap to rule out (reading a
  // typed array's prototype leaves V8's fast path for a runtime call).
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  // An object with a fileno() method stands for a file, as in Python, never for options.
  return typeof (v as { fileno?: unknown }).fileno !== 'function';
}

const plural = (n: number, word = 'argument') => `${n} ${word}${n === 1 ? '' : 's'}`;

function countError(sig: Signature, given: number): TypeError {
  const { name, required: min } = sig;
  const max = sig.positional ?? sig.params.length;
  const qual = sig.qualname ?? name;
  if (sig.countMessage) return new TypeError(sig.countMessage.replace('{n}', String(given)));
  switch (sig.style) {
    case 'clinic':
      if (min === max) return new TypeError(`${name} expected ${plural(max)}, got ${given}`);
      return given < min
        ? new TypeError(`${name} expected at least ${plural(min)}, got ${given}`)
        : new TypeError(`${name} expected at most ${plural(max)}, got ${given}`);
    case 'one':
      return new TypeError(`${qual}() takes exactly one argument (${given} given)`);
    case 'none':
      return new TypeError(`${qual}() takes no arguments (${given} given)`);
    case 'tuple':
      if (min === max) return new TypeError(`${name}() takes exactly ${plural(max)} (${given} given)`);
      return given < min
        ? new TypeError(`${name}() takes at least ${plural(min)} (${given} given)`)
        : new TypeError(`${name}() takes at most ${plural(max)} (${given} given)`);
    case 'clinic-kw':
      if (given > max) {
        const how = min === max ? 'exactly' : 'at most';
        return new TypeError(`${name}() takes ${how} ${plural(max)} (${given} given)`);
      }
      return missingError(sig, [given]);
    case 'python':
    case 'method': {
      if (given > max) {
        // A Python method counts self among its positional arguments.
        const self = sig.style === 'method' ? 1 : 0;
        const [lo, hi, n] = [min + self, max + self, given + self];
        const range = lo === hi ? `${hi}` : `from ${lo} to ${hi}`;
        const were = n === 1 ? 'was' : 'were';
        return new TypeError(
          `${qual}() takes ${range} positional ${hi === 1 && lo === hi ? 'argument' : 'arguments'} but ${n} ${were} given`,
        );
      }
      return missingError(
        sig,
        sig.params.slice(given, min).map((_, k) => given + k),
      );
    }
  }
}

/**
 * Maps `args` (positional arguments, then an optional options object) onto `sig.params`.
 * Returns one value per parameter (`undefined` for the ones not given). Throws Python's
 * TypeError for too many or too few arguments and for keyword errors.
 */
export function pyArgs(sig: Signature, args: ArrayLike<unknown>): unknown[] {
  let n = args.length;
  // Trailing undefined arguments are "not given" (a JavaScript caller passing an optional
  // parameter through), as if the call had stopped before them.
  while (n > 0 && args[n - 1] === undefined) n--;
  let options: Record<string, unknown> | undefined;
  if (n > 0 && isOptions(args[n - 1])) {
    // An empty {} is an argument value (Python's dict) where it cannot be keywords: for a
    // positional-only function, or where it is needed as a required argument.
    const empty = Object.keys(args[n - 1] as object).length === 0;
    if (!empty || (sig.keywords && n > sig.required)) {
      options = args[n - 1] as Record<string, unknown>;
      n--;
    }
  }
  if (options && !sig.keywords) {
    const keys = Object.keys(options);
    if (keys.length) throw new TypeError(`${sig.qualname ?? sig.name}() takes no keyword arguments`);
  }
  const max = sig.positional ?? sig.params.length;
  if (n > max) throw countError(sig, n);
  const out: unknown[] = new Array(sig.params.length);
  for (let i = 0; i < n; i++) out[i] = args[i];
  if (options && sig.keywords) {
    for (const [key, value] of Object.entries(options)) {
      const i = sig.params.indexOf(key);
      if (i < 0) {
        if (sig.style === 'python' || sig.style === 'method')
          throw new TypeError(`${sig.qualname ?? sig.name}() got an unexpected keyword argument '${key}'`);
        throw new TypeError(`'${key}' is an invalid keyword argument for ${sig.name}()`);
      }
      if (i < n) {
        if (sig.style === 'python' || sig.style === 'method')
          throw new TypeError(`${sig.qualname ?? sig.name}() got multiple values for argument '${key}'`);
        throw new TypeError(`argument for ${sig.name}() given by name ('${key}') and position (${i + 1})`);
      }
      out[i] = value;
    }
  }
  const missing: number[] = [];
  for (let i = 0; i < sig.required; i++) if (out[i] === undefined) missing.push(i);
  if (missing.length) {
    if (sig.style === 'clinic-kw' || sig.style === 'python' || sig.style === 'method')
      throw missingError(sig, missing);
    throw countError(sig, n);
  }
  return out;
}

function missingError(sig: Signature, missing: number[]): TypeError {
  if (sig.style === 'clinic-kw') {
    const i = missing[0];
    return new TypeError(`${sig.name}() missing required argument '${sig.params[i]}' (pos ${i + 1})`);
  }
  const names = missing.map((i) => `'${sig.params[i]}'`);
  const last = names.pop() as string;
  const list = names.length ? `${names.join(', ')}${names.length > 1 ? ',' : ''} and ${last}` : last;
  const noun = missing.length === 1 ? 'argument' : 'arguments';
  return new TypeError(
    `${sig.qualname ?? sig.name}() missing ${missing.length} required positional ${noun}: ${list}`,
  );
}
