/**
 * OCF resource agent exit codes (Open Cluster Framework, resource agent API 1.1). They are the
 * agent's *result*; whether the agent ran at all is the execution status, kept apart in
 * `DriverResult.exec` (Pacemaker's split between rc and op-status).
 *
 * systemctl and LSB init scripts use the same numbers 0–7 for actions other than status.
 */
export const OcfExit = {
  success: 0,
  error: 1,
  errorArgs: 2,
  unimplemented: 3,
  errorPerm: 4,
  notInstalled: 5,
  notConfigured: 6,
  notRunning: 7,
  runningMaster: 8,
  failedMaster: 9,
} as const;
export type OcfExit = (typeof OcfExit)[keyof typeof OcfExit];

const OCF_EXIT_NAMES: Record<OcfExit, string> = {
  0: 'success',
  1: 'generic error',
  2: 'invalid arguments',
  3: 'unimplemented',
  4: 'insufficient privileges',
  5: 'not installed',
  6: 'not configured',
  7: 'not running',
  8: 'running master',
  9: 'failed master',
};

export function isOcfExit(code: number): code is OcfExit {
  return Number.isInteger(code) && code >= 0 && code <= 9;
}

/** An exit status as an OCF result: codes outside 0–9 count as a generic error. */
export function toOcfExit(code: number): OcfExit {
  return isOcfExit(code) ? code : OcfExit.error;
}

export function ocfExitName(code: OcfExit): string {
  return OCF_EXIT_NAMES[code];
}
