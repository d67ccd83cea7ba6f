import { hostname } from 'node:os';
import { COMMANDS_PER_TAKE_MAX } from '../command-queue.ts';
import { assertCommandLine, type CommandQueue, type ConfigChange, type ConfigFileName, type ConfigFiles, type ConfigRead, type ConfigWrite, type ConfigWriteAll, type StoreUnavailable } from '../store-ports.ts';
import type { GatewayFailure } from './etcd-gateway.ts';
import { isFailure, underPrefix, type EtcdKeys } from './etcd-keys.ts';
import type { EtcdKvClient } from './etcd-sync-client.ts';

/** Deletes per txn when taking commands (etcd's --max-txn-ops is 128). */
const DELETES_PER_TXN = 64;
/** The counter of one process wraps here, as the dir queue's does (command-queue.ts). */
const COUNTER_MODULUS = 10_000;
let counter = 0;

/**
 * The command queue on etcd: one key per command, `<prefix>commands/<seq>.<host>.<pid>` with the dir
 * queue's `<seq>` (wall-clock ms padded to 15 digits, `-`, a 4-digit counter), so keys sort in queue
 * order as the files do. A take reads the oldest keys and deletes them with prev_kv: a command goes to
 * the take whose delete removed it, so two masters racing never both get one.
 *
 * An answer lost after etcd applied a take's delete loses those commands (at most one batch); the
 * operator sees the request not carried out and repeats it. The dir queue has the same window on a
 * network filesystem.
 */
export class EtcdCommandQueue implements CommandQueue {
  constructor(
    private readonly client: EtcdKvClient,
    private readonly keys: EtcdKeys,
    private readonly wallClockMs: () => number = Date.now,
  ) {}

  enqueue(line: string): { readonly kind: 'queued'; readonly name: string } | StoreUnavailable {
    assertCommandLine(line);
    const seq = `${String(this.wallClockMs()).padStart(15, '0')}-${String(counter++ % COUNTER_MODULUS).padStart(4, '0')}`;
    const name = `${seq}.${hostname()}.${process.pid}`;
    const key = `${this.keys.commands}${name}`;
    const answer = this.client.txn({ compare: [{ key, modRevision: 0 }], success: [{ put: { key, value: line } }] });
    if (isFailure(answer)) return unavailable(answer);
    return answer.succeeded ? { kind: 'queued', name } : { kind: 'unavailable', message: `etcd: command key ${key} exists already` };
  }

  read(): ReadonlyArray<{ readonly line: string; readonly queuedWallMs: number }> | StoreUnavailable {
    const answer = this.client.range({ ...underPrefix(this.keys.commands), limit: COMMANDS_PER_TAKE_MAX });
    if (isFailure(answer)) return unavailable(answer);
    return answer.kvs.map((kv) => ({ line: kv.value.trim(), queuedWallMs: Number(kv.key.slice(this.keys.commands.length, this.keys.commands.length + 15)) }));
  }

  take(): readonly string[] | StoreUnavailable {
    const answer = this.client.range({ ...underPrefix(this.keys.commands), limit: COMMANDS_PER_TAKE_MAX, keysOnly: true });
    if (isFailure(answer)) return unavailable(answer);
    const lines: string[] = [];
    for (let start = 0; start < answer.kvs.length; start += DELETES_PER_TXN) {
      const batch = answer.kvs.slice(start, start + DELETES_PER_TXN);
      const deleted = this.client.txn({ compare: [], success: batch.map((kv) => ({ delete: { key: kv.key, prevKv: true } })) });
      if (isFailure(deleted)) return lines.length > 0 ? lines : unavailable(deleted);
      for (const response of deleted.responses) {
        if (response.kind === 'delete') lines.push(...response.prevKvs.map((kv) => kv.value.trim()));
      }
    }
    return lines;
  }
}

/** The config files on etcd: one key per file holding its exact text; the version is the key's mod revision. */
export class EtcdConfigFiles implements ConfigFiles {
  constructor(
    private readonly client: EtcdKvClient,
    private readonly keys: EtcdKeys,
  ) {}

  read(file: ConfigFileName): ConfigRead {
    const answer = this.client.range({ key: this.keys.config(file) });
    if (isFailure(answer)) return unavailable(answer);
    const kv = answer.kvs[0];
    return kv ? { kind: 'ok', text: kv.value, version: String(kv.modRevision) } : { kind: 'missing' };
  }

  write(file: ConfigFileName, text: string, expectedVersion: string | undefined): ConfigWrite {
    const written = this.writeAll([{ file, text, expectedVersion }]);
    return written.kind === 'written' ? { kind: 'written', version: written.versions[file]! } : written;
  }

  /** One txn comparing every key's mod revision (0: absent) and putting every text. */
  writeAll(changes: readonly ConfigChange[]): ConfigWriteAll {
    const compare = [];
    for (const change of changes) {
      const modRevision = change.expectedVersion === undefined ? 0 : Number(change.expectedVersion);
      if (!Number.isSafeInteger(modRevision) || modRevision < 0) return { kind: 'conflict' };
      compare.push({ key: this.keys.config(change.file), modRevision });
    }
    const success = changes.map((change) => ({ put: { key: this.keys.config(change.file), value: change.text } }));
    const answer = this.client.txn({ compare, success });
    if (isFailure(answer)) return unavailable(answer);
    if (!answer.succeeded) return { kind: 'conflict' };
    const versions: Partial<Record<ConfigFileName, string>> = {};
    for (const change of changes) versions[change.file] = String(answer.revision);
    return { kind: 'written', versions };
  }
}

function unavailable(failure: GatewayFailure): StoreUnavailable {
  return { kind: 'unavailable', message: failure.message };
}
