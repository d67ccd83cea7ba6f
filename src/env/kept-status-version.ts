import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ManagerStatusVersion } from '../common/manager-status.ts';

/**
 * The manager status version an LRM took in, kept in a small file on the node's own disk (the state
 * directory) so that the node's next LRM, after a crash or a restart, ignores older statuses just as
 * this one did (LrmEnv.keepStatusVersion). Written whole and renamed into place: a crash leaves the
 * old file or the new one.
 */
export const KEPT_STATUS_VERSION_FILE = 'lrm-status-version.json';

export function writeKeptStatusVersion(file: string, version: ManagerStatusVersion, wallMs: number): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ lease: version.lease, round: version.round, wallMs })}\n`);
  renameSync(temporary, file);
}

export type KeptRead = { readonly kind: 'kept'; readonly version: ManagerStatusVersion; readonly wallMs: number } | { readonly kind: 'none' } | { readonly kind: 'bad'; readonly problem: string };

export function readKeptStatusVersion(file: string): KeptRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'bad', problem: `${file}: ${(error as Error).message}` };
  }
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const { lease, round, wallMs } = parsed;
    if ([lease, round, wallMs].every((value) => typeof value === 'number' && Number.isSafeInteger(value))) {
      return { kind: 'kept', version: { lease: lease as number, round: round as number }, wallMs: wallMs as number };
    }
  } catch {
    // reported below
  }
  return { kind: 'bad', problem: `${file}: not a kept manager status version ({"lease", "round", "wallMs"} integers); ignored` };
}
