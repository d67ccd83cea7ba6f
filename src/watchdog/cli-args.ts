/** Small helpers for the watchdog executables' flags (node:util parseArgs gives strings). */

/** Exit codes of ha-watchdog-mux and ha-watchdog-emulator. */
export const WatchdogExit = {
  ok: 0,
  /** The device or the socket could not be set up; the message names which and why. */
  startFailed: 1,
  usage: 2,
} as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses a positive number of seconds (decimals allowed) into integer milliseconds. */
export function secondsToMs(flag: string, value: string | undefined, defaultSeconds: number): number {
  const seconds = value === undefined ? defaultSeconds : Number(value);
  const milliseconds = Math.round(seconds * 1000);
  if (!Number.isFinite(seconds) || milliseconds <= 0) throw new UsageError(`--${flag} must be a positive number of seconds, got ${JSON.stringify(value)}`);
  return milliseconds;
}

/** Parses a positive integer. */
export function positiveInteger(flag: string, value: string | undefined, defaultValue: number): number {
  const parsed = value === undefined ? defaultValue : Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new UsageError(`--${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return parsed;
}
