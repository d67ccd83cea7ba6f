import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { enqueueCommand, readQueuedCommands, takeQueuedCommands } from './command-queue.ts';
import { ConfigLockTimeout, ownIdentity, tryConfigLock, withConfigLock, type LockWaitOptions } from './config-lock.ts';
import { CONFIG_FILE_NAMES, type CommandQueue, type ConfigChange, type ConfigFileName, type ConfigFiles, type ConfigRead, type ConfigWrite, type ConfigWriteAll, type StoreUnavailable } from './store-ports.ts';

/** The command queue of a shared directory (command-queue.ts) as the CommandQueue port. */
export class DirCommandQueue implements CommandQueue {
  constructor(private readonly sharedDir: string) {}

  enqueue(line: string): { readonly kind: 'queued'; readonly name: string } | StoreUnavailable {
    return attempt(() => ({ kind: 'queued' as const, name: enqueueCommand(this.sharedDir, line) }));
  }

  read() {
    return attempt(() => readQueuedCommands(this.sharedDir));
  }

  take(): readonly string[] | StoreUnavailable {
    return attempt(() => takeQueuedCommands(this.sharedDir));
  }
}

/** fence.cfg holds passwords (src/config/fence-edit.ts FENCE_CFG_MODE); the rest is readable. */
const MODES: Record<ConfigFileName, number> = { 'resources.cfg': 0o644, 'groups.cfg': 0o644, 'rules.cfg': 0o644, 'fence.cfg': 0o600, 'ha.cfg': 0o644 };

/**
 * The config files of a shared directory as the ConfigFiles port: the version is a digest of the
 * content, and a write compares it under the config lock (config-lock.ts), which it waits for up to
 * `lockWaitMsMax` (the CLI: the lock's own limit; a daemon's round: 0, a busy lock is a 'conflict' that
 * its writer retries after the round).
 */
export class DirConfigFiles implements ConfigFiles {
  constructor(
    private readonly sharedDir: string,
    private readonly lockWait: LockWaitOptions = {},
  ) {}

  read(file: ConfigFileName): ConfigRead {
    const path = this.path(file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      return unavailableOf(error);
    }
    return { kind: 'ok', text: bytes.toString('utf8'), version: versionOf(bytes), bytes };
  }

  write(file: ConfigFileName, text: string, expectedVersion: string | undefined): ConfigWrite {
    const written = this.writeAll([{ file, text, expectedVersion }]);
    return written.kind === 'written' ? { kind: 'written', version: written.versions[file]! } : written;
  }

  writeAll(changes: readonly ConfigChange[]): ConfigWriteAll {
    const paths = changes.map((change) => this.path(change.file));
    const write = (): ConfigWriteAll => {
      for (const change of changes) {
        const current = this.read(change.file);
        if (current.kind === 'unavailable') return current;
        if ((current.kind === 'ok' ? current.version : undefined) !== change.expectedVersion) return { kind: 'conflict' };
      }
      const versions: Partial<Record<ConfigFileName, string>> = {};
      changes.forEach((change, index) => {
        writeFileAtomic(paths[index]!, change.text, { mode: MODES[change.file] });
        versions[change.file] = versionOf(change.text);
      });
      return { kind: 'written', versions };
    };
    if (this.lockWait.waitMsMax === 0) {
      return attempt(() => {
        const lock = tryConfigLock(this.sharedDir, this.lockWait.identity ?? ownIdentity());
        if (lock.kind === 'held') return { kind: 'conflict' as const };
        try {
          return write();
        } finally {
          lock.release();
        }
      });
    }
    return attempt(() => withConfigLock(this.sharedDir, write, this.lockWait));
  }

  private path(file: ConfigFileName): string {
    if (!(CONFIG_FILE_NAMES as readonly string[]).includes(file)) throw new Error(`Bad config file name '${file}'`);
    return join(this.sharedDir, file);
  }
}

/** node:crypto on first use: the CLI's plain `status` reads no config version and should not load it (some ms). */
const requireBuiltin = createRequire('/');

function versionOf(text: string | Uint8Array): string {
  const { createHash } = requireBuiltin('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** Errno errors and a config lock that stays held are the store being unavailable; anything else is a bug. */
function attempt<T>(call: () => T): T | StoreUnavailable {
  try {
    return call();
  } catch (error) {
    return unavailableOf(error);
  }
}

function unavailableOf(error: unknown): StoreUnavailable {
  const isErrno = (value: unknown) => typeof (value as { code?: unknown } | null)?.code === 'string';
  // The config lock wraps the errno of its mkdir in an Error of its own (config-lock.ts tryTake).
  if (error instanceof ConfigLockTimeout || isErrno(error) || isErrno((error as Error).cause)) return { kind: 'unavailable', message: (error as Error).message, cause: error };
  throw error;
}
