import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPaths } from './shared-dir.ts';

/**
 * A read-only view of the leases of a shared directory, for `ha-manager status` (format in
 * docs/shared-dir.md): the current generation of each lease, its holder, its last heartbeat, and
 * whether it was released. It takes and renews nothing.
 */
export interface LeaseView {
  /** `manager` or `agent.<node>`. */
  readonly name: string;
  readonly generation: number;
  /** Undefined in the moment between a winner's mkdir and its writing `holder`. */
  readonly holder?: { readonly node: string; readonly takenWallMs: number };
  readonly heartbeat?: { readonly counter: number; readonly node: string; readonly wallMs: number };
  readonly isReleased: boolean;
}

const GENERATION_DIR = /^(manager|agent\..+)\.(\d+)$/;

/** The current generation of every lease, by lease name. */
export function readLeases(sharedDir: string): Map<string, LeaseView> {
  const dir = sharedPaths(sharedDir).leases;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new Error(`${dir}: Cannot read: ${(error as Error).message}`);
  }
  const current = new Map<string, number>();
  for (const entry of entries) {
    const match = GENERATION_DIR.exec(entry);
    if (!match) continue;
    const generation = Number(match[2]);
    if (generation > (current.get(match[1]!) ?? -1)) current.set(match[1]!, generation);
  }
  const leases = new Map<string, LeaseView>();
  for (const [name, generation] of [...current].sort(([a], [b]) => (a < b ? -1 : 1))) {
    leases.set(name, readGeneration(join(dir, `${name}.${generation}`), name, generation));
  }
  return leases;
}

function readGeneration(dir: string, name: string, generation: number): LeaseView {
  const holder = readJsonIfPresent(join(dir, 'holder'), (json) => typeof json.node === 'string' && typeof json.takenWallMs === 'number');
  const heartbeat = readJsonIfPresent(
    join(dir, 'heartbeat'),
    (json) => typeof json.node === 'string' && typeof json.wallMs === 'number' && typeof json.counter === 'number',
  );
  return {
    name,
    generation,
    ...(holder ? { holder: holder as unknown as NonNullable<LeaseView['holder']> } : {}),
    ...(heartbeat ? { heartbeat: heartbeat as unknown as NonNullable<LeaseView['heartbeat']> } : {}),
    isReleased: existsSync(join(dir, 'released')),
  };
}

function readJsonIfPresent(file: string, isValid: (json: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: Cannot read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file}: Corrupt lease file, not JSON`);
  }
  if (typeof json !== 'object' || json === null || !isValid(json as Record<string, unknown>)) {
    throw new Error(`${file}: Corrupt lease file, unexpected content`);
  }
  return json as Record<string, unknown>;
}
