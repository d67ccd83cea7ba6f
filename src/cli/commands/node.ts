import type { Argv } from 'yargs';
import { withDir, withOutputFormat, type DirArgs, type ReadingArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';

type NodeAddArgs = DirArgs & { readonly node: string; readonly cpus?: string; readonly memory?: string; readonly comment?: string };
type NodeRemoveArgs = DirArgs & { readonly node: string };

const nodeAddCommand = {
  command: 'add <node>',
  describe: 'Declare a cluster node (a node: section in ha.cfg); its daemons may then start',
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('node', { type: 'string', describe: 'node name as the daemons are started with (--node), e.g. its host name' })
      .option('cpus', { type: 'string', requiresArg: true, describe: 'CPUs, for placement static (give --memory too)' })
      .option('memory', { type: 'string', requiresArg: true, describe: 'memory in MiB, for placement static (give --cpus too)' })
      .option('comment', { type: 'string', requiresArg: true, describe: 'free text' })
      .example('$0 node add node4', 'declare node4, then start its daemons')
      .example('$0 node add node4 --cpus 16 --memory 65536', 'with its capacity for static placement'),
  handler: async (args: NodeAddArgs) => {
    const { editSharedConfig } = await import('../config-write.ts');
    const { addNode } = await import('../../config/node-edit.ts');
    const options = {
      ...(args.cpus !== undefined ? { cpus: String(args.cpus) } : {}),
      ...(args.memory !== undefined ? { memory: String(args.memory) } : {}),
      ...(args.comment !== undefined ? { comment: String(args.comment) } : {}),
    };
    await editSharedConfig(await storeOf(args), (documents) => addNode(documents, { node: String(args.node), options }));
  },
};

const nodeRemoveCommand = {
  command: 'remove <node>',
  describe: 'Remove a node declaration; refused while a resource, a group or a live LRM still uses the node',
  builder: (yargs: Argv) =>
    withDir(yargs)
      .positional('node', { type: 'string', describe: 'a declared node' })
      .example('$0 node remove node4', 'after its services moved away and its daemons stopped'),
  handler: async (args: NodeRemoveArgs) => {
    const { ConfigRefused } = await import('../../config/config-edit.ts');
    const { editSharedConfig } = await import('../config-write.ts');
    const { removeNode } = await import('../../config/node-edit.ts');
    const { liveLrmProblem } = await import('../node-view.ts');
    const store = await storeOf(args);
    const node = String(args.node);
    await editSharedConfig(store, (documents, current) => {
      removeNode(documents, { current, node });
      const alive = liveLrmProblem(store, current, node);
      if (alive !== undefined) throw new ConfigRefused(alive);
    });
  },
};

const nodeListCommand = {
  command: 'list',
  describe: 'List the nodes: declared in ha.cfg or seen, capacity, the master\'s view, LRM state',
  builder: (yargs: Argv) => withOutputFormat(yargs).example('$0 node list', 'every node and what is known of it'),
  handler: async (args: ReadingArgs) => {
    const { loadHaConfig } = await import('../../config/load-config.ts');
    const { printOutput } = await import('../cli-options.ts');
    const { listNodes, renderNodeList } = await import('../node-view.ts');
    const store = await storeOf(args);
    printOutput(listNodes(store, loadHaConfig(store)), { format: args['output-format'], renderText: renderNodeList });
  },
};

export const nodeCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .command(nodeAddCommand as never)
      .command(nodeRemoveCommand as never)
      .command(nodeListCommand as never)
      .demandCommand(1, 'Name a node command: add, remove or list')
      .example('$0 node add node4', 'declare a new node')
      .example('$0 node list', 'the declared nodes and their state'),
  handler: () => {},
};
