/**
 * pve-manager versions as Proxmox VE nodes report them (`9.0.0`, `9.0.0~16`, `8.4.1`, `7.4-4`): the
 * persistent migration of HA groups to rules waits until every node runs one that reads rules
 * (README-5.2 §9.2).
 */
const VERSION_PATTERN = /^(\d+)\.(\d+)[.-](\d+)(?:~(\d+))?$/;

export interface PveVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The `~rev` of a pre-release build; undefined for a release. */
  readonly rev: number | undefined;
}

export function parsePveVersion(text: string): PveVersion | undefined {
  const match = VERSION_PATTERN.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), rev: match[4] === undefined ? undefined : Number(match[4]) };
}

export function isPveManagerVersion(text: string): boolean {
  return parsePveVersion(text) !== undefined;
}

/**
 * Whether `version` is at least `minimum`, as Proxmox compares them: major, minor and patch as
 * numbers; only when all three are equal does a `~rev` of `version` have to reach the minimum's
 * (a release without `~rev` passes). An unreadable version never passes.
 */
export function hasMinVersion(version: string, minimum: string): boolean {
  const have = parsePveVersion(version);
  const need = parsePveVersion(minimum);
  if (!have || !need) return false;
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (have[key] !== need[key]) return have[key] > need[key];
  }
  return have.rev === undefined || have.rev >= (need.rev ?? 0);
}
