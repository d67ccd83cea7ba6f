import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/section-config.ts';
import { selectStore, StoreConfigError, type StoreSelection } from '../config/store-config.ts';
import { isValidNodeName, NODE_NAME_RULE } from '../common/node-name.ts';
import { logFormatProblem, type LogFormat } from '../common/log-sink.ts';

/** Flags of ha-crm and ha-lrm; the defaults are those of a real node (the systemd units pass none). */
export interface NodeOptions {
  readonly node: string;
  /** The cluster's store: `--store`/`--endpoints`/`--dir`, HA_MANAGER_STORE, store.cfg (src/config/store-config.ts). */
  readonly store: StoreSelection;
  /**
   * The directory of the LRM's driver files (sim ledger, VM definitions, OCF specs): the shared
   * directory of a dir store; with etcd the `dir` the selection names, or undefined when none does.
   */
  readonly driverDir: string | undefined;
  /** Node-local directory of the journals (one SQLite file per daemon). */
  readonly stateDir: string;
  readonly watchdogSocket: string;
  /** The mux feeds an emulated device (tests, demo): allowed only when asked for, and said loudly. */
  readonly isEmulatedWatchdog: boolean;
  /** With the emulated device: the node run directory (pids/ killed on reset, resets.jsonl). */
  readonly nodeDir: string | undefined;
  /** Driver mapping overrides of the LRM, e.g. `vm=sim,ct=sim`. */
  readonly drivers: string | undefined;
  /** `text` (human lines, the default) or `json` (one JSON object per line), src/common/log-sink.ts. */
  readonly logFormat: LogFormat;
}

export const DAEMON_USAGE = `[--node NAME] [--store dir|etcd] [--endpoints URL,...] [--dir SHARED] [--state-dir DIR] [--watchdog-socket PATH] [--emulated-watchdog --node-dir DIR] [--drivers vm=sim,...] [--log-format text|json]

  --node              this node's name (default: the short host name)
  --store             where the cluster's leases, status and config are: dir (a shared directory) or
                      etcd (default: $HA_MANAGER_STORE, else the store file, else dir)
  --endpoints         with --store etcd: the etcd client URLs, e.g. http://10.0.0.1:2379,http://10.0.0.2:2379
  --dir               the shared directory (default: $HA_MANAGER_DIR, else /etc/ha-manager); with
                      --store etcd, the directory of the drivers' files (sim ledger, VM definitions)
  --state-dir         node-local directory of the journals (default /var/lib/ha-manager)
  --watchdog-socket   the ha-watchdog-mux socket (default /run/ha-manager/watchdog-mux.sock)
  --emulated-watchdog the mux runs on ha-watchdog-emulator (tests, demo only; never in production)
  --node-dir          with --emulated-watchdog: the node run directory (pids/, resets.jsonl)
  --drivers           LRM driver mapping overrides, e.g. vm=sim,ct=sim
  --log-format        text: one line per event in Proxmox's words (default); json: one JSON object per line
  --help, -h          this text

The store file /etc/ha-manager/store.cfg (or $HA_MANAGER_STORE_CFG) sets the same, and the etcd
prefix, TLS files and credentials ('key: value' lines: store, endpoints, prefix, dir, ca-file, ...).

Logs go to stderr: under systemd the journal (no time stamp in the line, journald adds it), else with
an ISO time. Read them with 'journalctl -u ha-crm -u ha-lrm', or the node's journals with 'ha-manager log'.`;

/** True when the command line asks for the usage (`--help` or `-h` anywhere): it wins over every other flag. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

export class DaemonUsageError extends Error {
  override name = 'DaemonUsageError';
  /** False for a bad store file: the command line is right, the usage would not help. */
  constructor(
    message: string,
    readonly isCommandLine = true,
  ) {
    super(message);
  }
}

export function parseNodeOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): NodeOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        node: { type: 'string' },
        store: { type: 'string' },
        endpoints: { type: 'string' },
        dir: { type: 'string' },
        'state-dir': { type: 'string', default: '/var/lib/ha-manager' },
        'watchdog-socket': { type: 'string', default: '/run/ha-manager/watchdog-mux.sock' },
        'emulated-watchdog': { type: 'boolean', default: false },
        'node-dir': { type: 'string' },
        drivers: { type: 'string' },
        'log-format': { type: 'string', default: 'text' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new DaemonUsageError((error as Error).message);
  }
  const node = values.node ?? hostname().split('.')[0]!;
  if (!isValidNodeName(node)) throw new DaemonUsageError(`Bad --node ${JSON.stringify(node)}: ${NODE_NAME_RULE}`);
  const logFormatError = logFormatProblem(values['log-format']);
  if (logFormatError !== undefined) throw new DaemonUsageError(logFormatError);
  if (values['node-dir'] !== undefined && !values['emulated-watchdog']) throw new DaemonUsageError('--node-dir is for the emulated watchdog only (add --emulated-watchdog)');
  const store = selectionOf({ store: values.store, endpoints: values.endpoints, dir: values.dir }, env);
  return {
    node,
    store,
    driverDir: store.dir,
    stateDir: values['state-dir'],
    watchdogSocket: values['watchdog-socket'],
    isEmulatedWatchdog: values['emulated-watchdog'],
    nodeDir: values['node-dir'],
    drivers: values.drivers,
    logFormat: values['log-format'] as LogFormat,
  };
}

/** The store the flags, environment and store file select; a bad value is one line naming the flag or file:line. */
function selectionOf(flags: { store: string | undefined; endpoints: string | undefined; dir: string | undefined }, env: NodeJS.ProcessEnv): StoreSelection {
  const given = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
  try {
    return selectStore(given, env);
  } catch (error) {
    if (error instanceof StoreConfigError) throw new DaemonUsageError(error.message, error.message.startsWith('--'));
    if (error instanceof ConfigError) throw new DaemonUsageError(`Bad store file ${error.message}`, false);
    throw error;
  }
}

export function journalFileOf(options: NodeOptions, daemon: 'crm' | 'lrm'): string {
  return join(options.stateDir, `${daemon}.db`);
}
