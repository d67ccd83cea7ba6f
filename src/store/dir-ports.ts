import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { enqueueCommand, readQueuedCommands, takeQueuedCommands } from './command-queue.ts';
import { ConfigLockTimeout, withConfigLock } from './config-lock.ts';
import { CONFIG_FILE_NAMES, type CommandQueue, type ConfigFileName, type ConfigFiles, type ConfigRead, type ConfigWrite, type StoreUnavailable } from './store-ports.ts';

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
 * content, and a write compares it under the config lock (config-lock.ts), which it waits for.
 */
export class DirConfigFiles implements ConfigFiles {
  constructor(private readonly sharedDir: string) {}

  read(file: ConfigFileName): ConfigRead {
    const path = this.path(file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      return unavailableOf(error);
    }
    return { kind: 'ok', text, version: versionOf(text) };
  }

  write(file: ConfigFileName, text: string, expectedVersion: string | undefined): ConfigWrite {
    const path = this.path(file);
    return attempt(() =>
      withConfigLock(this.sharedDir, (): ConfigWrite => {
        const current = this.read(file);
        if (current.kind === 'unavailable') return current;
        const currentVersion = current.kind === 'ok' ? current.version : undefined;
        if (currentVersion !== expectedVersion) return { kind: 'conflict' };
        writeFileAtomic(path, text, { mode: MODES[file] });
        return { kind: 'written', version: versionOf(text) };
      }),
    );
  }

  private path(file: ConfigFileName): string {
    if (!(CONFIG_FILE_NAMES as readonly string[]).includes(file)) throw new Error(`Bad config file name '${file}'`);
    return join(this.sharedDir, file);
  }
}

function versionOf(text: string): string {
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
  if (error instanceof ConfigLockTimeout || isErrno(error) || isErrno((error as Error).cause)) return { kind: 'unavailable', message: (error as Error).message };
  throw error;
}
