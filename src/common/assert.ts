/** Raised when the program's own invariants break. Never caught: the daemon exits, the watchdog acts. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Exhaustiveness check for `switch` statements over a union. */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
