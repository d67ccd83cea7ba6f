import { existsSync, statSync } from 'node:fs';
import type { ClusterStore } from '../store/cluster-store.ts';
import { DirClusterStore } from '../store/dir-cluster-store.ts';
import type { StoreUnavailable } from '../store/store-ports.ts';
import { selectStore, type StoreFlags, type StoreSelection } from '../config/store-selection.ts';
import { UsageError } from './exit-codes.ts';
import type { LockWaitOptions } from '../store/config-lock.ts';

/** The store options of a command (src/cli/cli-options.ts DIR_OPTIONS). */
export interface StoreArgs {
  readonly dir?: string;
  readonly store?: string;
  readonly endpoints?: string;
}

/**
 * The store did not answer, or answered that it cannot do what was asked (exit 1, one line, nothing
 * written): not the caller's input, so not a usage error.
 */
export class StoreUnanswered extends Error {
  override name = 'StoreUnanswered';
}

/** The store the command's flags, HA_MANAGER_STORE and the store file select (src/config/store-config.ts). */
export function selectionOf(args: StoreArgs, env: NodeJS.ProcessEnv = process.env): StoreSelection {
  const flags: StoreFlags = {
    ...(args.store !== undefined ? { store: String(args.store) } : {}),
    ...(args.endpoints !== undefined ? { endpoints: String(args.endpoints) } : {}),
    ...(args.dir !== undefined ? { dir: String(args.dir) } : {}),
  };
  return selectStore(flags, env);
}

/**
 * Opens the selected store for a command (no I/O for a dir store beyond checking the directory; an
 * etcd store is asked once whether the cluster is set up under its prefix). The etcd code is imported
 * only here and only when etcd is selected: a command on a dir store never loads it (issue 10's budget).
 * A dir store waits for a busy config lock as the CLI always did, saying who holds it after a second.
 */
export async function openSelectedStore(selection: StoreSelection): Promise<ClusterStore> {
  if (selection.kind === 'dir') {
    const { dir, from } = selection;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`Shared directory '${dir}' (from ${from}) does not exist or is not a directory`);
    return new DirClusterStore(dir, { onWaiting: printLockWait });
  }
  const { EtcdClusterStore } = await import('../store/etcd/etcd-cluster-store.ts');
  return new EtcdClusterStore(selection.connection, selection.prefix);
}

/** The store of a command, which must be set up (`ha-manager init`) when it is etcd: else exit 1, one line. */
export async function storeOf(args: StoreArgs): Promise<ClusterStore> {
  const selection = selectionOf(args);
  const store = await openSelectedStore(selection);
  if (selection.kind === 'etcd') {
    const probe = store.probe();
    if (probe !== 'ready') {
      store.close();
      if (probe === 'not-set-up') throw new StoreUnanswered(`${store.where} (from ${selection.from}): no cluster is set up under this prefix: run 'ha-manager init --store etcd --endpoints ...' once, or check the prefix`);
      throw new StoreUnanswered(`${store.where} (from ${selection.from}): the store does not answer: ${probe.message}`);
    }
  }
  return store;
}

/** A port's failure as an error: a dir store's own errno error (its messages say what to do), else one line naming the store. */
export function unavailableError(store: ClusterStore, failure: StoreUnavailable, what: string): Error {
  if (failure.cause instanceof Error) return failure.cause;
  return new StoreUnanswered(`${store.where}: ${what}: ${failure.message}`);
}

type LockWait = Parameters<NonNullable<LockWaitOptions['onWaiting']>>[0];

/** `ha-manager: waiting for the config lock /x/.config.lock: held by node node2 (pid 4711) since 12:00:01 UTC; waiting up to 30 s` */
export function printLockWait(wait: LockWait): void {
  const { lockPath, owner, waitMsMax } = wait;
  const holder = owner
    ? `held by node ${owner.node}${owner.host !== owner.node ? ` on host ${owner.host}` : ''} (pid ${owner.pid}) since ${new Date(owner.wallMs).toISOString().slice(11, 19)} UTC`
    : 'held by a writer that has not named itself yet';
  process.stderr.write(`ha-manager: waiting for the config lock ${lockPath}: ${holder}; waiting up to ${Math.round(waitMsMax / 1000)} s\n`);
}
