import type { Argv } from 'yargs';
import { assert } from '../common/assert.ts';

/**
 * What a command module exports: a light builder (options and examples: yargs and small option tables
 * only) and a handler that imports what it needs when it runs, so that loading the module costs little.
 */
export interface CommandModule {
  readonly builder: (yargs: Argv) => Argv<unknown>;
  readonly handler: (args: never) => void | Promise<void>;
}

/** One ha-manager command: name, positionals and one-line description, known without loading the module. */
export interface CommandEntry {
  /** As yargs takes it: the name, then `<required>` and `[optional]` positionals. */
  readonly command: string;
  readonly describe: string;
  readonly load: () => Promise<CommandModule>;
}

/**
 * Every ha-manager command, one line each (a new command is one more line). `--help` lists them from
 * here; only the module of the command that runs is imported (src/cli/main.ts).
 */
export const COMMANDS: readonly CommandEntry[] = [
  { command: 'init', describe: 'Set up the store once for a cluster: a shared directory (checks the filesystem, creates leases/, status/, commands/) or an etcd prefix, and a commented ha.cfg', load: async () => (await import('./commands/init.ts')).initCommand },
  { command: 'status', describe: "Show quorum, master, every node's LRM and every service, in Proxmox VE's layout (--verbose: tables with more)", load: async () => (await import('./commands/status.ts')).statusCommand },
  { command: 'config', describe: 'List the HA resources (resources.cfg) with their effective options', load: async () => (await import('./commands/config.ts')).configCommand },
  { command: 'add <sid>', describe: 'Put a service under HA management (a new section in resources.cfg)', load: async () => (await import('./commands/add.ts')).addCommand },
  { command: 'set <sid>', describe: 'Change options of an HA resource; the master acts on the new requested state', load: async () => (await import('./commands/set.ts')).setCommand },
  { command: 'remove <sid>', describe: 'Stop managing a service: remove it from resources.cfg (the service itself keeps running or not as it is)', load: async () => (await import('./commands/remove.ts')).removeCommand },
  { command: 'migrate <sid> <node>', describe: 'Ask the master to migrate a service online (live) to another node', load: async () => (await import('./commands/migrate.ts')).migrateCommand },
  { command: 'relocate <sid> <node>', describe: 'Ask the master to relocate a service: stop it, move it, start it on another node', load: async () => (await import('./commands/migrate.ts')).relocateCommand },
  { command: 'groupadd <group>', describe: 'Create an HA group: nodes with priorities that its services prefer', load: async () => (await import('./commands/groupadd.ts')).groupAddCommand },
  { command: 'groupset <group>', describe: 'Change an HA group', load: async () => (await import('./commands/groupset.ts')).groupSetCommand },
  { command: 'groupremove <group>', describe: 'Remove an HA group; refused while a resource uses it', load: async () => (await import('./commands/groupremove.ts')).groupRemoveCommand },
  { command: 'groupconfig', describe: 'List the HA groups (groups.cfg)', load: async () => (await import('./commands/groupconfig.ts')).groupConfigCommand },
  { command: 'rules', describe: 'HA rules (rules.cfg): list, config, add <type> <rule>, set <type> <rule>, remove <rule>, migrate-groups', load: async () => (await import('./commands/rules.ts')).rulesCommand },
  { command: 'node', describe: "Declare, remove and list the cluster's nodes (node: sections of ha.cfg)", load: async () => (await import('./commands/node.ts')).nodeCommand },
  { command: 'fence', describe: 'External fencing (fence.cfg): device, connect, node, proxy, config, plan', load: async () => (await import('./commands/fence.ts')).fenceCommand },
  { command: 'fence-test <node>', describe: "Ask every fence device of a node's levels for its power status (agents run here, nothing is switched); exit 1 if one fails", load: async () => (await import('./commands/fence-test.ts')).fenceTestCommand },
  { command: 'log', describe: "Show a node's journal: the events and black box of its ha-crm and ha-lrm, merged by time, in the daemons' words", load: async () => (await import('./commands/log.ts')).logCommand },
  { command: 'fence-ack <node>', describe: 'Confirm a lost node is down (powered off or rebooted): the master takes it as proof and recovers its services at once', load: async () => (await import('./commands/fence-ack.ts')).fenceAckCommand },
  { command: 'crm-command', describe: 'Queue a request for the master: migrate, relocate, stop, node-maintenance, disarm-ha, arm-ha', load: async () => (await import('./commands/crm-command.ts')).crmCommand },
  { command: 'simulate [dir]', describe: 'Run a scenario directory in the deterministic simulator and print its log, or a chaos swarm (--chaos)', load: async () => (await import('./commands/simulate.ts')).simulateCommand },
  { command: 'demo', describe: 'Run a 3-node cluster on this machine (emulated watchdogs, simulated services), cut one node from the shared storage, show the fence and the recovery', load: async () => (await import('./commands/demo.ts')).demoCommand },
  { command: 'web', describe: 'Serve the web console of the cluster: nodes, services, queued requests, a live timeline; actions with a token (127.0.0.1:8006 by default)', load: async () => (await import('./commands/web.ts')).webCommand },
  { command: 'store', describe: 'The store of this node: show (which one, from where, reachable, set up) and migrate --to dir|etcd (copy config and status, verified)', load: async () => (await import('./commands/store.ts')).storeCommand },
  { command: 'completion', describe: 'Print the bash completion script: ha-manager completion >> ~/.bashrc', load: async () => (await import('./commands/completion.ts')).completionCommand },
];

/** The name of a command: the first word of its yargs command string. */
export function commandName(entry: CommandEntry): string {
  return entry.command.split(' ', 1)[0]!;
}

/** The entry of a command by name (a bug when there is none: the names are this file's). */
export function commandEntry(name: string): CommandEntry {
  const entry = COMMANDS.find((candidate) => commandName(candidate) === name);
  assert(entry !== undefined, `No ha-manager command '${name}' in src/cli/command-table.ts`);
  return entry;
}
