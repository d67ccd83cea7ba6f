import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import type { LeaseName } from './lease-store.ts';

/**
 * The filesystem calls the dir lease store makes: a seam where tests inject EIO, ENOSPC and the like.
 * Each throws an errno error (with `code`) as `node:fs` does.
 */
export interface LeaseFs {
  readdirSync(path: string): string[];
  readFileSync(path: string, encoding: 'utf8'): string;
  /** Undefined when nothing is at `path`. */
  lstatSync(path: string, options: { throwIfNoEntry: false }): nodeFs.Stats | undefined;
  mkdirSync(path: string): void;
  rmSync(path: string, options: { recursive: true; force: true }): void;
  writeFileAtomic(path: string, content: string): void;
}

export const NODE_LEASE_FS: LeaseFs = {
  readdirSync: (path) => nodeFs.readdirSync(path),
  readFileSync: (path, encoding) => nodeFs.readFileSync(path, encoding),
  lstatSync: (path, options) => nodeFs.lstatSync(path, options),
  mkdirSync: (path) => nodeFs.mkdirSync(path),
  rmSync: (path, options) => nodeFs.rmSync(path, options),
  writeFileAtomic: (path, content) => writeFileAtomic(path, content),
};

/** A filesystem error turned into a value: what failed, where, and the errno. */
export interface FsProblem {
  readonly problem: string;
}

export function isProblem(value: unknown): value is FsProblem {
  return typeof value === 'object' && value !== null && 'problem' in value;
}

/** The current generation directory of a lease as one read saw it. */
export interface GenerationSeen {
  /** The heartbeat file's bytes; undefined before the taker wrote it. Compared, never trusted. */
  readonly heartbeat: string | undefined;
  readonly isReleased: boolean;
  /** From the holder file; undefined when missing or unreadable as JSON. */
  readonly holder: string | undefined;
}

const GENERATION_PATTERN = /^[1-9][0-9]*$/;

/**
 * Reads and writes lease generation directories `leases/<name>.<gen>/` (docs/shared-dir.md): `holder`,
 * `heartbeat`, `released`. Never creates `leases/` itself: a missing one means the shared directory is
 * not mounted, and taking a lease in an empty mount point would split the cluster.
 */
export class LeaseDirectory {
  constructor(
    readonly leasesPath: string,
    private readonly fs: LeaseFs,
  ) {}

  generationPath(name: LeaseName, generation: number): string {
    return join(this.leasesPath, `${name}.${generation}`);
  }

  /** The generations of `name` present, ascending; empty when it was never taken. */
  listGenerations(name: LeaseName): number[] | FsProblem {
    const entries = this.attempt('list', this.leasesPath, () => this.fs.readdirSync(this.leasesPath));
    if (isProblem(entries)) return entries;
    const prefix = `${name}.`;
    const generations: number[] = [];
    for (const entry of entries) {
      const suffix = entry.slice(prefix.length);
      if (entry.startsWith(prefix) && GENERATION_PATTERN.test(suffix)) generations.push(Number(suffix));
    }
    return generations.sort((a, b) => a - b);
  }

  readGeneration(name: LeaseName, generation: number): GenerationSeen | FsProblem {
    const dir = this.generationPath(name, generation);
    const heartbeat = this.readOptional(join(dir, 'heartbeat'));
    if (isProblem(heartbeat)) return heartbeat;
    const releasedPath = join(dir, 'released');
    const released = this.attempt('stat', releasedPath, () => this.fs.lstatSync(releasedPath, { throwIfNoEntry: false }));
    if (isProblem(released)) return released;
    const holder = this.readOptional(join(dir, 'holder'));
    if (isProblem(holder)) return holder;
    return { heartbeat, isReleased: released !== undefined, holder: holderNode(holder) };
  }

  /** mkdir of a generation: the compare-and-set of a take. */
  makeGeneration(name: LeaseName, generation: number): 'made' | 'exists' | FsProblem {
    const dir = this.generationPath(name, generation);
    try {
      this.fs.mkdirSync(dir);
      return 'made';
    } catch (error) {
      if (errnoOf(error) === 'EEXIST') return 'exists';
      return problemOf('mkdir', dir, error);
    }
  }

  /** Writes `file` of a generation atomically; returns the bytes written. */
  writeFile(name: LeaseName, generation: number, file: 'holder' | 'heartbeat' | 'released', content: object): string | FsProblem {
    const path = join(this.generationPath(name, generation), file);
    const text = `${JSON.stringify(content)}\n`;
    const written = this.attempt('write', path, () => this.fs.writeFileAtomic(path, text));
    return isProblem(written) ? written : text;
  }

  removeGeneration(name: LeaseName, generation: number): FsProblem | undefined {
    const dir = this.generationPath(name, generation);
    const removed = this.attempt('remove', dir, () => this.fs.rmSync(dir, { recursive: true, force: true }));
    return isProblem(removed) ? removed : undefined;
  }

  private readOptional(path: string): string | undefined | FsProblem {
    try {
      return this.fs.readFileSync(path, 'utf8');
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return undefined;
      return problemOf('read', path, error);
    }
  }

  private attempt<T>(action: string, path: string, call: () => T): T | FsProblem {
    try {
      return call();
    } catch (error) {
      return problemOf(action, path, error);
    }
  }
}

function holderNode(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const node = (parsed as { node?: unknown } | null)?.node;
    return typeof node === 'string' ? node : undefined;
  } catch {
    return undefined;
  }
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** An errno error becomes a value; anything else is a bug and keeps propagating. */
function problemOf(action: string, path: string, error: unknown): FsProblem {
  const code = errnoOf(error);
  if (code === undefined) throw error;
  return { problem: `Cannot ${action} ${path}: ${code} (${(error as Error).message})` };
}
