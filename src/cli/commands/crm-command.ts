import type { Argv } from 'yargs';
import { withDir, type DirArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { STOP_TIMEOUT_S_MAX } from '../../crm/crm-command.ts';
import { DISARM_MODES, type DisarmMode } from '../../common/states.ts';
import { commandEntry } from '../command-table.ts';
import { moveCommand } from './migrate.ts';
import { writeOutput } from '../stdout.ts';

type StopArgs = DirArgs & { readonly sid: string; readonly timeout: string };
type MaintenanceArgs = DirArgs & { readonly action: 'enable' | 'disable'; readonly node: string };

const stopCommand = {
  command: 'stop <sid> <timeout>',
  describe: 'Ask the master to stop a service within <timeout> seconds (its requested state stays as configured)',
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('sid', { type: 'string', describe: 'service id, e.g. vm:100' })
      .positional('timeout', { type: 'string', describe: `seconds to wait for a clean stop, 0 to ${STOP_TIMEOUT_S_MAX} (0: hard stop)` })
      .example('$0 crm-command stop vm:100 120', 'stop VM 100, give it two minutes'),
  handler: async (args: StopArgs) => {
    const { requestStop, warnWithoutMaster } = await import('../crm-requests.ts');
    const store = await storeOf(args);
    const line = requestStop(store, { sid: String(args.sid), timeout: String(args.timeout) });
    warnWithoutMaster(store);
    writeOutput(`Queued for the master: ${line}\n`);
  },
};

const maintenanceCommand = {
  command: 'node-maintenance <action> <node>',
  describe: 'Ask the master to put a node into maintenance (its services move away) or take it out',
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('action', { choices: ['enable', 'disable'] as const, describe: 'enable or disable maintenance' })
      .positional('node', { type: 'string', describe: 'a known cluster node' })
      .example('$0 crm-command node-maintenance enable node2', 'empty node2 before working on it')
      .example('$0 crm-command node-maintenance disable node2', 'node2 takes its services back'),
  handler: async (args: MaintenanceArgs) => {
    const { requestMaintenance, warnWithoutMaster } = await import('../crm-requests.ts');
    const store = await storeOf(args);
    const line = requestMaintenance(store, { action: args.action, node: String(args.node) });
    warnWithoutMaster(store);
    writeOutput(`Queued for the master: ${line}\n`);
  },
};

type DisarmArgs = DirArgs & { readonly mode: DisarmMode };

const disarmCommand = {
  command: 'disarm-ha <mode>',
  describe: 'Take the whole HA stack out of service: every LRM and the master release their watchdogs; nothing is fenced or recovered until arm-ha',
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('mode', { choices: DISARM_MODES, describe: 'freeze: services are frozen where they are; ignore: services are not tracked (moves by hand are picked up at arm-ha)' })
      .example('$0 crm-command disarm-ha freeze', 'before maintenance of the shared storage or the network'),
  handler: async (args: DisarmArgs) => {
    const { requestDisarm, warnWithoutMaster } = await import('../crm-requests.ts');
    const store = await storeOf(args);
    const queued = requestDisarm(store, { mode: args.mode });
    warnWithoutMaster(store);
    report(queued);
  },
};

const armCommand = {
  command: 'arm-ha',
  describe: 'Put the HA stack back in service after disarm-ha',
  builder: (yargs: Argv) => withDir(yargs).example('$0 crm-command arm-ha', 'services resume, watchdogs are armed again'),
  handler: async (args: DirArgs) => {
    const { requestDisarm, warnWithoutMaster } = await import('../crm-requests.ts');
    const store = await storeOf(args);
    const queued = requestDisarm(store, 'arm');
    warnWithoutMaster(store);
    report(queued);
  },
};

function report(queued: { line: string; note: string | undefined }): void {
  process.stdout.write(`Queued for the master: ${queued.line}\n`);
  if (queued.note !== undefined) process.stderr.write(`ha-manager: note: ${queued.note}\n`);
}

/** `crm-command migrate|relocate`: the top-level command under crm-command (Proxmox has both). */
function subcommand(kind: 'migrate' | 'relocate') {
  const { command, describe } = commandEntry(kind);
  return { command, describe, ...moveCommand(kind) } as never;
}

export const crmCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .command(subcommand('migrate'))
      .command(subcommand('relocate'))
      .command(stopCommand as never)
      .command(maintenanceCommand as never)
      .command(disarmCommand as never)
      .command(armCommand as never)
      .demandCommand(1, 'Name a crm-command: migrate, relocate, stop, node-maintenance, disarm-ha or arm-ha')
      .example('$0 crm-command node-maintenance enable node2', 'move every service off node2')
      .example('$0 crm-command migrate vm:100 node3', 'live-migrate VM 100 to node3'),
  handler: () => {},
};
