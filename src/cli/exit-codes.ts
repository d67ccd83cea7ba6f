/** Exit statuses of every ha-manager command. */
export const ExitCode = {
  ok: 0,
  /** Anything that went wrong that is not the caller's input. */
  failure: 1,
  /** Bad usage or invalid input: a bad argument, a malformed file. */
  badInput: 2,
} as const;

/** An error the caller caused: printed as one line, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
