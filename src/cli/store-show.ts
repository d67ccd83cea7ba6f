import { selectStore, type StoreSelection } from '../config/store-selection.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { DirClusterStore } from '../store/dir-cluster-store.ts';
import { printOutput, type OutputFormat } from './cli-options.ts';
import { openSelectedStore, selectionOf, StoreUnanswered, type StoreArgs } from './cli-store.ts';
import { UsageError } from './exit-codes.ts';
import { migrateStore } from './store-migrate.ts';

/** `store show` as data (`--output-format json`). */
export interface StoreView {
  readonly kind: 'dir' | 'etcd';
  readonly where: string;
  /** Where the selection comes from: a flag, a variable, the store file, or the default. */
  readonly from: string;
  readonly answers: boolean;
  /** Why it does not answer; null when it does. */
  readonly problem: string | null;
  readonly setUp: boolean;
  /** etcd: TLS files and the user from store.cfg (never the password); the directory of driver files. */
  readonly tls: boolean | null;
  readonly user: string | null;
  readonly driverDir: string | null;
}

/** `ha-manager store show`: prints the view; exit 1 (after printing it) when the store does not answer. */
export async function showStore(args: StoreArgs & { readonly 'output-format': OutputFormat }): Promise<void> {
  const selection = selectionOf(args);
  // Not storeOf: a directory that is not there is shown as a store that does not answer.
  const store = selection.kind === 'dir' ? new DirClusterStore(selection.dir) : await openSelectedStore(selection);
  const probe = store.probe();
  const isEtcd = selection.kind === 'etcd';
  const view: StoreView = {
    kind: selection.kind,
    where: store.where,
    from: selection.from,
    answers: typeof probe === 'string',
    problem: typeof probe === 'string' ? null : probe.message,
    setUp: probe === 'ready',
    tls: isEtcd ? selection.connection.tls !== undefined || selection.connection.endpoints.some((url) => url.startsWith('https:')) : null,
    user: isEtcd ? (selection.connection.auth?.user ?? null) : null,
    driverDir: isEtcd ? (selection.dir ?? null) : null,
  };
  store.close();
  printOutput(view, { format: args['output-format'], renderText: renderStoreView });
  if (!view.answers) throw new StoreUnanswered(`${view.where}: the store does not answer: ${view.problem}`);
}

function renderStoreView(view: StoreView): string {
  const lines = [`store: ${view.kind}`, `where: ${view.where}`, `from: ${view.from}`, `answers: ${view.answers ? 'yes' : `no (${view.problem})`}`];
  if (view.answers) lines.push(`set up: ${view.setUp ? 'yes' : "no (run 'ha-manager init' once)"}`);
  if (view.kind === 'etcd') {
    lines.push(`tls: ${view.tls ? 'yes' : 'no'}`, `user: ${view.user ?? '-'}`, `driver files: ${view.driverDir ?? '- (--dir, HA_MANAGER_DIR or dir: in store.cfg)'}`);
  }
  return lines.join('\n');
}

/**
 * `ha-manager store migrate --to dir|etcd`: the new store from the flags it takes (--to etcd:
 * --endpoints, else store.cfg's etcd lines; --to dir: --dir), the source from the other flags, else the
 * selection (HA_MANAGER_STORE, store.cfg, /etc/ha-manager). Returns what it did and what to do next.
 */
export async function runMigrate(args: StoreArgs & { readonly to: 'dir' | 'etcd' }): Promise<string[]> {
  const { sourceSelection, targetSelection } = selectionsOf(args);
  const source = await openSelectedStore(sourceSelection);
  const target = await openSelectedStore(targetSelection);
  try {
    if (source.where === target.where) throw new UsageError(`store migrate: the source and the new store are the same (${source.where}): name the source with --dir or --store/--endpoints`);
    const lines = migrateStore(source, target);
    return [...lines, ...nextSteps(targetSelection, source)];
  } finally {
    source.close();
    target.close();
  }
}

function selectionsOf(args: StoreArgs & { readonly to: 'dir' | 'etcd' }): { sourceSelection: StoreSelection; targetSelection: StoreSelection } {
  if (args.to === 'etcd') {
    const targetSelection = selectStore({ store: 'etcd', ...(args.endpoints !== undefined ? { endpoints: String(args.endpoints) } : {}) });
    return { sourceSelection: selectionOf({ ...(args.store !== undefined ? { store: args.store } : {}), ...(args.dir !== undefined ? { dir: args.dir } : {}) }), targetSelection };
  }
  if (args.dir === undefined) throw new UsageError('store migrate --to dir needs --dir PATH: the new shared directory (it must exist)');
  const sourceSelection = selectionOf({ ...(args.store !== undefined ? { store: args.store } : {}), ...(args.endpoints !== undefined ? { endpoints: args.endpoints } : {}) });
  return { sourceSelection, targetSelection: { kind: 'dir', dir: String(args.dir), from: '--dir' } };
}

function nextSteps(target: StoreSelection, source: ClusterStore): string[] {
  const lines =
    target.kind === 'etcd'
      ? [`store: etcd`, `endpoints: ${target.connection.endpoints.join(',')}`, `prefix: ${target.prefix}`]
      : [`store: dir`, `dir: ${target.dir}`];
  const disarmed = source.status.readManagerStatus();
  const isDisarmed = disarmed.kind === 'ok' && disarmed.value.disarm !== undefined;
  return [
    `next: on every node, point /etc/ha-manager/store.cfg at the new store (${lines.map((line) => `'${line}'`).join(', ')}${target.kind === 'etcd' ? ', and the TLS and user lines it needs' : ''}), then restart ha-lrm and ha-crm there`,
    ...(isDisarmed ? ["then 'ha-manager crm-command arm-ha': the copy is disarmed as the source was"] : []),
    `the source ${source.where} is left as it was: remove it once the cluster runs on the new store`,
  ];
}
