import type { Argv } from 'yargs';
import { withOutputFormat, type OutputFormat } from '../cli-options.ts';
import { writeOutput } from '../stdout.ts';

type ShowArgs = { readonly dir?: string; readonly store?: string; readonly endpoints?: string; readonly 'output-format': OutputFormat };
type MigrateArgs = { readonly to: 'dir' | 'etcd'; readonly dir?: string; readonly store?: string; readonly endpoints?: string };

const showCommand = {
  command: 'show',
  describe: 'Show the selected store, where the selection comes from, and whether it answers and is set up',
  builder: (yargs: Argv) =>
    withOutputFormat(yargs)
      .example('$0 store show', 'which store this node uses (store.cfg, HA_MANAGER_STORE, ...) and whether it is reachable')
      .epilog('Exit status 1 when the store does not answer.'),
  handler: async (args: ShowArgs) => {
    const { showStore } = await import('../store-show.ts');
    await showStore(args);
  },
};

const migrateCommand = {
  command: 'migrate',
  describe: 'Copy the config and status of the selected store into a new store (dir or etcd), while the cluster is disarmed or stopped; verify it',
  builder: (yargs: Argv) =>
    yargs
      .option('to', { choices: ['dir', 'etcd'] as const, demandOption: true, describe: 'the kind of the new store' })
      .option('endpoints', { type: 'string', describe: '--to etcd: its endpoints (else those of store.cfg; TLS, user and prefix from store.cfg); --to dir: the source etcd' })
      .option('dir', { type: 'string', describe: '--to dir: the new directory (exists, empty of config); --to etcd: the source directory' })
      .option('store', { type: 'string', describe: 'the source store (dir or etcd), if not the selected one' })
      .example('$0 store migrate --to etcd --endpoints http://10.0.0.1:2379,http://10.0.0.2:2379', 'copy the shared directory into etcd')
      .example('$0 store migrate --to dir --dir /mnt/ha', 'copy the etcd store (of store.cfg) into /mnt/ha')
      .epilog('The flags the new store does not take select the source; else HA_MANAGER_STORE, store.cfg, /etc/ha-manager. Leases are not copied. The source is left as it is.'),
  handler: async (args: MigrateArgs) => {
    const { runMigrate } = await import('../store-show.ts');
    for (const line of await runMigrate(args)) writeOutput(`${line}\n`);
  },
};

/** `ha-manager store show|migrate`: which store a node uses, and moving a cluster from one to another (issue 12). */
export const storeCommand = {
  builder: (yargs: Argv) =>
    yargs
      .command(showCommand as never)
      .command(migrateCommand as never)
      .demandCommand(1, 'Name a store command: show or migrate')
      .example('$0 store show', 'the selected store and whether it answers'),
  handler: () => {},
};
