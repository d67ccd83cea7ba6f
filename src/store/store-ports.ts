/**
 * The two small ports beside the lease and status stores: the CRM command queue and the config files,
 * each with a dir implementation (dir-ports.ts, over command-queue.ts and the config lock) and an etcd
 * one (etcd/etcd-ports.ts). Failures are values ('unavailable' with a one-line message naming the file
 * or key), never throws; a thrown error is a bug (a bad command line, a bad file name).
 */

export interface StoreUnavailable {
  readonly kind: 'unavailable';
  readonly message: string;
  /** The error behind it where there is one (dir: the errno error), so a command can say what to do about it. */
  readonly cause?: unknown;
}

/** Queued CRM commands (`migrate vm:101 node2`): the CLI enqueues, the master takes them oldest first. */
export interface CommandQueue {
  /** Queues one line; returns the entry's name (file or key). Throws on a line that is not one non-empty line. */
  enqueue(line: string): { readonly kind: 'queued'; readonly name: string } | StoreUnavailable;
  /** The queued commands, oldest first, at most COMMANDS_PER_TAKE_MAX; reads only. */
  read(): ReadonlyArray<{ readonly line: string; readonly queuedWallMs: number }> | StoreUnavailable;
  /**
   * Removes and returns up to COMMANDS_PER_TAKE_MAX commands, oldest first. Each command is returned
   * by one take only: two masters racing (one that just lost its lease) never both get it.
   */
  take(): readonly string[] | StoreUnavailable;
}

/** The config files of the cluster (resources.cfg, groups.cfg, rules.cfg, fence.cfg, ha.cfg). */
/** `bytes`: the file's exact bytes where the store keeps them (dir), so a reader can name a byte that is not UTF-8. */
export type ConfigRead = { readonly kind: 'ok'; readonly text: string; readonly version: string; readonly bytes?: Uint8Array } | { readonly kind: 'missing' } | StoreUnavailable;
export type ConfigWrite = { readonly kind: 'written'; readonly version: string } | { readonly kind: 'conflict' } | StoreUnavailable;

/**
 * A config file's text with an opaque version; a write is a compare-and-set on that version (dir: under
 * the config lock, comparing the content; etcd: a txn comparing the key's mod revision), so a
 * read-modify-write never loses a concurrent edit: the loser gets 'conflict', reads again and retries.
 */
export interface ConfigFiles {
  read(file: ConfigFileName): ConfigRead;
  /** `expectedVersion` undefined: the file must not exist yet. */
  write(file: ConfigFileName, text: string, expectedVersion: string | undefined): ConfigWrite;
  /**
   * Writes several files at once, all or none: every version is compared first (dir: under one hold
   * of the config lock; etcd: one txn), so an edit that spans files (a group and its resources) never
   * lands half. 'conflict' when any file changed since it was read. The versions written, by file.
   */
  writeAll(changes: readonly ConfigChange[]): ConfigWriteAll;
}

export interface ConfigChange {
  readonly file: ConfigFileName;
  readonly text: string;
  /** undefined: the file must not exist yet. */
  readonly expectedVersion: string | undefined;
}

export type ConfigWriteAll = { readonly kind: 'written'; readonly versions: Readonly<Partial<Record<ConfigFileName, string>>> } | { readonly kind: 'conflict' } | StoreUnavailable;

/** The config files the stores keep, by their file name in the shared directory. */
export const CONFIG_FILE_NAMES = ['resources.cfg', 'groups.cfg', 'rules.cfg', 'fence.cfg', 'ha.cfg'] as const;
export type ConfigFileName = (typeof CONFIG_FILE_NAMES)[number];

/** Checks a command line as the dir queue does: one non-empty line. */
export function assertCommandLine(line: string): void {
  if (/[\r\n]/.test(line) || line.trim() === '') throw new Error(`Bad command line ${JSON.stringify(line)}: one non-empty line expected`);
}
