/**
 * Results an LRM reports for an executed request, keyed by the request id (uid). The master reads
 * them; the numbers are stable because they are persisted in LRM status files.
 */
export const LrmResult = {
  success: 0,
  error: 1,
  /** Not reported: the LRM retries a failed start under its restart policy. */
  tryAgain: 2,
  /** The service is configured on another node than the one asked to act. */
  wrongNode: 3,
  /** Nothing was done on purpose (a balancing move of an already running service). */
  ignored: 4,
  unknownServiceType: 5,
  unknownService: 6,
  invalidParameter: 7,
} as const;
export type LrmResultCode = (typeof LrmResult)[keyof typeof LrmResult];

export function lrmResultName(code: number): string {
  for (const [name, value] of Object.entries(LrmResult)) if (value === code) return name;
  return `code ${code}`;
}
