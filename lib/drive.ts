// Runs a generator of steps synchronously, switching to promises only when a step returns one.
/**
 * A flow written once as a generator (sendfile's read/send fallback, create_connection's
 * tries) yields steps; `run` turns a step into its result. With the blocking socket every
 * result is a value and `drive` returns a value; with the async socket a result may be a
 * promise, and `drive` returns a promise that continues the generator when it settles.
 * An error of a step is thrown into the generator, where the flow's own try/catch sees it.
 */
export function drive<S, T>(
  flow: Generator<S, T, unknown>,
  run: (step: S) => unknown,
  input?: unknown,
  thrown = false,
): T | Promise<T> {
  for (;;) {
    const next = thrown ? flow.throw(input) : flow.next(input);
    if (next.done) return next.value;
    try {
      input = run(next.value);
      thrown = false;
    } catch (e) {
      input = e;
      thrown = true;
      continue;
    }
    if (input instanceof Promise) {
      return input.then(
        (value: unknown) => drive(flow, run, value),
        (error: unknown) => drive(flow, run, error, true),
      );
    }
  }
}
