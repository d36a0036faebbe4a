// Argument checks with Python's wording (TypeError/RangeError), shared by every module.
/**
 * Argument checks with Python's wording, mapped to JavaScript's TypeError/RangeError
 * (Python's OverflowError and ValueError on arguments become RangeError).
 */

/** The JS type name used in messages: 'string', 'float' (a non-integer number), 'null', 'Array', ... */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'object') {
    const ctor = (v as object).constructor;
    return ctor && typeof ctor.name === 'string' && ctor.name ? ctor.name : 'object';
  }
  return typeof v;
}

/**
 * An integer argument that must fit a C type (int by default). Non-numbers and
 * non-integers are a TypeError ("'float' object cannot be interpreted as an integer"),
 * out-of-range values a RangeError.
 */
export function toInt(v: unknown, what = 'argument', min = -0x80000000, max = 0x7fffffff): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    if (typeof v === 'boolean') return v ? 1 : 0;
    throw new TypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  }
  if (v > max) throw new RangeError(`${what}: signed integer is greater than maximum`);
  if (v < min) throw new RangeError(`${what}: signed integer is less than minimum`);
  return v;
}

/** Like toInt for an unsigned C type. */
export function toUInt(v: unknown, what: string, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  }
  if (v < 0) throw new RangeError(`${what}: can't convert negative value to unsigned int`);
  if (v > max) throw new RangeError(`${what}: value too large`);
  return v;
}

/**
 * The size in bytes of a bytes-like view. Node 20's V8 does not inline the `byteLength`
 * accessor (each read is a generic property load, about 6 ns more than this); it inlines
 * `instanceof` and a typed array's `length`, and a Buffer or Uint8Array, nearly every
 * argument, has one byte per element. Native code checks every count it is given against
 * the view's real size, so a view whose `length` lies cannot make it overrun.
 */
export function sizeOf(v: ArrayBufferView): number {
  return v instanceof Uint8Array ? v.length : v.byteLength;
}

/** A bytes-like argument: Buffer, any ArrayBufferView, or ArrayBuffer. Strings are a TypeError. */
export function toBytes(v: unknown): ArrayBufferView {
  if (ArrayBuffer.isView(v)) return v;
  if (v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) return new Uint8Array(v);
  throw new TypeError(`a bytes-like object is required, not '${typeName(v)}'`);
}

/** setsockopt's value: an int (a boolean is 0 or 1), else a bytes-like object. */
export function toOptionValue(value: unknown): number | ArrayBufferView {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff)
    return value;
  return toBytes(value);
}

/** A Buffer view over the same memory as a bytes-like argument (no copy). */
export function asBuffer(v: ArrayBufferView): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * CPython's OverflowError text for a timeout beyond its nanosecond clock: an int says
 * "_PyTime_t", a float "time_t" (a JavaScript number that is a safe integer counts as int).
 */
export function timestampOverflow(v: number): string {
  return Number.isSafeInteger(v)
    ? 'timestamp too large to convert to C _PyTime_t'
    : 'timestamp out of range for platform time_t';
}

/**
 * A timeout as Python's socket_parse_timeout: null means blocking (returned as -1),
 * negative is a RangeError('Timeout value out of range').
 */
export function parseTimeout(v: unknown): number {
  if (v === null || v === undefined) return -1;
  if (typeof v !== 'number')
    throw new TypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  if (Number.isNaN(v)) throw new RangeError('Invalid value NaN (not a number)');
  if (v < 0) throw new RangeError('Timeout value out of range');
  if (!Number.isFinite(v) || v > 9.2e9) throw new RangeError(timestampOverflow(v));
  // CPython keeps timeouts in whole nanoseconds, rounded up: 1e-10 becomes 1e-09.
  return v > 0 ? Math.ceil(v * 1e9) / 1e9 : v;
}

/** A flags argument (C int), 0 when omitted. */
export function toFlags(v: unknown): number {
  return v === undefined ? 0 : toInt(v, 'flags');
}
