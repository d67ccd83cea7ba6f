import type { Argv } from 'yargs';
import { withDir, withOutputFormat, type DirArgs, type ReadingArgs } from '../cli-options.ts';

/** Arguments of the fence commands; handlers live in src/cli/fence-commands.ts, loaded when one runs. */
export type FenceArgs = DirArgs & {
  readonly id?: string;
  readonly node?: string;
  readonly nodes?: readonly string[];
  readonly words?: readonly string[];
  readonly agent?: string;
  readonly option?: unknown;
  readonly delete?: unknown;
  readonly force?: boolean;
  readonly watchdog?: string;
  readonly 'soft-check'?: string;
  readonly 'soft-fence'?: string;
  readonly 'soft-grace'?: string;
};

type FenceAction = keyof typeof import('../fence-commands.ts');

function run(action: FenceAction) {
  return async (args: FenceArgs & Partial<ReadingArgs>) => {
    const handlers = await import('../fence-commands.ts');
    await handlers[action](args as never);
  };
}

function withOptionArgs<T>(yargs: Argv<T>): Argv<T> {
  return yargs.option('option', { type: 'string', array: true, requiresArg: true, describe: "an agent option key=value, or key alone for a flag (repeat for more); prefer password_file=/path: a command line shows in 'ps'" }) as Argv<T>;
}

const idPositional = { type: 'string', describe: 'device id: <name>, or <name>:<n> for one of several devices of a level' } as const;

const deviceCommand = {
  command: 'device',
  describe: 'Add, change or remove a fence device (a device line of fence.cfg)',
  builder: (yargs: Argv) =>
    withDir(yargs)
      .command({
        command: 'add <id>',
        describe: 'Add a fence device; devices sharing a name (pdu:1, pdu:2) form one level, levels are tried in the order they were added',
        builder: (inner: Argv) =>
          withOptionArgs(withDir(inner).positional('id', idPositional).option('agent', { type: 'string', demandOption: true, requiresArg: true, describe: 'the fence agent, e.g. fence_ipmilan' }))
            .example('$0 fence device add ipmi --agent fence_ipmilan --option ip=10.0.0.1 --option username=admin --option password_file=/root/bmc.pw --option lanplus', 'a BMC, tried first'),
        handler: run('deviceAdd'),
      } as never)
      .command({
        command: 'set <id>',
        describe: "Change a fence device's agent or options",
        builder: (inner: Argv) =>
          withOptionArgs(withDir(inner).positional('id', idPositional).option('agent', { type: 'string', requiresArg: true, describe: 'another agent' }))
            .option('delete', { type: 'string', array: true, requiresArg: true, describe: 'an option to remove (repeat, or comma separated)' })
            .example('$0 fence device set ipmi --option timeout=30 --delete lanplus', 'change options'),
        handler: run('deviceSet'),
      } as never)
      .command({
        command: 'remove <id>',
        describe: 'Remove a fence device; refused while a node is connected to it, unless --force removes those connects too',
        builder: (inner: Argv) => withDir(inner).positional('id', idPositional).option('force', { type: 'boolean', describe: 'remove its connects too' }),
        handler: run('deviceRemove'),
      } as never)
      .demandCommand(1, 'Name a fence device command: add, set or remove'),
  handler: () => {},
};

/**
 * `connect <id> <node>`, `connect add|set|remove <id> <node>`: one command whose first word may be the
 * verb, not nested yargs commands (a device id in the first place would be taken for a mistyped one).
 */
const connectCommand = {
  command: 'connect <words..>',
  describe: 'Connect a node to a fence device (its plug, other options): connect [add] <id> <node>, connect set <id> <node>, connect remove <id> <node>',
  builder: (yargs: Argv) =>
    withOptionArgs(withDir(yargs).positional('words', { type: 'string', array: true, describe: '[add|set|remove] <id> <node>' }))
      .option('delete', { type: 'string', array: true, requiresArg: true, describe: 'with set: an option to remove (repeat, or comma separated)' })
      .example('$0 fence connect pdu:1 node1 --option plug=3', 'node1 is on outlet 3 of pdu:1')
      .example('$0 fence connect set pdu:1 node1 --option plug=4', 'it moved to outlet 4')
      .example('$0 fence connect remove pdu:1 node1', 'disconnect it'),
  handler: run('connect'),
};

const nodeCommand = {
  command: 'node <node>',
  describe: "A node's own fencing: no watchdog (only with a fence level), soft fencing first",
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('node', { type: 'string', describe: 'a cluster node' })
      .option('watchdog', { type: 'string', choices: ['none', 'default'], requiresArg: true, describe: 'none: the node runs without a watchdog (needs a complete fence level)' })
      .option('soft-check', { type: 'string', requiresArg: true, describe: "a command (run on a proxy) that exits 0 while the node's host answers; with --soft-fence" })
      .option('soft-fence', { type: 'string', requiresArg: true, describe: "the command that restarts the node's LRM, e.g. over ssh; with --soft-check" })
      .option('soft-grace', { type: 'string', requiresArg: true, describe: 'seconds a soft-fenced node has to come back before a hard fence' })
      .option('delete', { type: 'string', array: true, requiresArg: true, describe: 'settings to remove: watchdog, soft_check, soft_fence, soft_grace' })
      .example('$0 fence node node1 --soft-check "ssh node1 true" --soft-fence "ssh node1 systemctl restart ha-lrm" --soft-grace 60', 'restart a hung LRM before any power-off'),
  handler: run('nodeSettings'),
};

const proxyCommand = {
  command: 'proxy [nodes..]',
  describe: 'The nodes to ask first to run a fence, in order (then any other online node); none: any online node',
  builder: (yargs: Argv) => withDir(yargs).positional('nodes', { type: 'string', array: true, describe: 'cluster nodes, in order' }).example('$0 fence proxy node3 node2', 'node3 first'),
  handler: run('proxy'),
};

const configCommand = {
  command: 'config',
  describe: 'Show fence.cfg, secrets masked',
  builder: (yargs: Argv) => withOutputFormat(yargs),
  handler: run('showConfig'),
};

const planCommand = {
  command: 'plan [node]',
  describe: 'Show per node the fence levels in order, each device with its agent and options (secrets masked)',
  builder: (yargs: Argv) => withOutputFormat(yargs).positional('node', { type: 'string', describe: 'only this node' }),
  handler: run('plan'),
};

export const fenceCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .command(deviceCommand as never)
      .command(connectCommand as never)
      .command(nodeCommand as never)
      .command(proxyCommand as never)
      .command(configCommand as never)
      .command(planCommand as never)
      .demandCommand(1, 'Name a fence command: device, connect, node, proxy, config or plan')
      .example('$0 fence plan', 'what fencing each node would run'),
  handler: () => {},
};
