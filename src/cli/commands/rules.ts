import type { Argv } from 'yargs';
import type { RuleType } from '../../common/ha-config.ts';
import { withDir, withOutputFormat, type DirArgs, type ReadingArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { withRuleOptions, type RuleOptionArgs } from '../rule-options.ts';

type RuleEditArgs = DirArgs & RuleOptionArgs & { readonly type: string; readonly rule: string; readonly delete?: string };
type RuleRemoveArgs = DirArgs & { readonly rule: string };

const RULE_TYPE_CHOICES = ['node-affinity', 'resource-affinity'];

const rulesListCommand = {
  command: 'list',
  describe: 'List the HA rules, one line each, with whether the master applies them',
  builder: (yargs: Argv) => withOutputFormat(yargs).example('$0 rules list', 'every rule, in use, disabled or dropped'),
  handler: async (args: ReadingArgs) => printRules(args, 'table'),
};

const rulesConfigCommand = {
  command: 'config',
  describe: "Show the HA rules in rules.cfg's format, each with whether it is in use and, if dropped, why",
  builder: (yargs: Argv) => withOutputFormat(yargs).example('$0 rules config', 'every rule and what the master makes of it'),
  handler: async (args: ReadingArgs) => printRules(args, 'config'),
};

const rulesAddCommand = {
  command: 'add <type> <rule>',
  describe: 'Add an HA rule: node-affinity (--resources --nodes [--strict]) or resource-affinity (--resources --affinity)',
  builder: (yargs: Argv) =>
    withRuleOptions(withDir(yargs))
      .positional('type', { type: 'string', choices: RULE_TYPE_CHOICES, describe: 'rule type' })
      .positional('rule', { type: 'string', describe: 'rule id: a letter, then letters, digits, - or _' })
      .example('$0 rules add node-affinity web-on-1 --resources vm:101,vm:102 --nodes node1:2,node2', 'prefer node1, else node2, else any node')
      .example('$0 rules add resource-affinity db-apart --resources vm:201,vm:202 --affinity negative', 'never on one node together'),
  handler: async (args: RuleEditArgs) => editRule(args, 'add'),
};

const rulesSetCommand = {
  command: 'set <type> <rule>',
  describe: 'Change an HA rule',
  builder: (yargs: Argv) =>
    withRuleOptions(withDir(yargs))
      .positional('type', { type: 'string', choices: RULE_TYPE_CHOICES, describe: 'the rule type' })
      .positional('rule', { type: 'string', describe: 'rule id' })
      .option('delete', { type: 'string', requiresArg: true, describe: 'options to remove (back to their defaults), comma separated' })
      .example('$0 rules set node-affinity web-on-1 --strict', 'only node1 or node2 from now on')
      .example('$0 rules set resource-affinity db-apart --disable 0', 'apply the rule again'),
  handler: async (args: RuleEditArgs) => editRule(args, 'set'),
};

const rulesRemoveCommand = {
  command: 'remove <rule>',
  describe: 'Remove an HA rule',
  builder: (yargs: Argv) => withDir(yargs).positional('rule', { type: 'string', describe: 'rule id' }).example('$0 rules remove db-apart', 'the services may share a node again'),
  handler: async (args: RuleRemoveArgs) => {
    const [{ editSharedConfig }, { removeRule }] = await Promise.all([import('../config-write.ts'), import('../../config/rule-edit.ts')]);
    await editSharedConfig(await storeOf(args), (documents) => removeRule(documents, String(args.rule)));
  },
};

const rulesMigrateGroupsCommand = {
  command: 'migrate-groups',
  describe: 'Write the HA groups in use out as node-affinity rules (as Proxmox VE 9 does), drop group from the resources and remove groups.cfg\'s groups',
  builder: (yargs: Argv) => withDir(yargs).example('$0 rules migrate-groups', 'groups.cfg becomes rules ha-group-<group>; nofailback becomes failback 0'),
  handler: async (args: DirArgs) => {
    const { migrateGroups } = await import('../rules-edit.ts');
    process.stdout.write(await migrateGroups(args));
  },
};

async function printRules(args: ReadingArgs, layout: 'table' | 'config'): Promise<void> {
  const [{ loadHaConfig }, { printOutput }, view] = await Promise.all([import('../../config/load-config.ts'), import('../cli-options.ts'), import('../rules-view.ts')]);
  const store = await storeOf(args);
  const listing = view.listRules(store, loadHaConfig(store));
  printOutput(listing, { format: args['output-format'], renderText: layout === 'table' ? view.renderRuleTable : view.renderRuleConfig });
}

async function editRule(args: RuleEditArgs, action: 'add' | 'set'): Promise<void> {
  const { editRuleCommand } = await import('../rules-edit.ts');
  process.stderr.write(await editRuleCommand(args, { action, type: String(args.type) as RuleType }));
}

export const rulesCommand = {
  builder: (yargs: Argv) =>
    withDir(yargs)
      .command(rulesListCommand as never)
      .command(rulesConfigCommand as never)
      .command(rulesAddCommand as never)
      .command(rulesSetCommand as never)
      .command(rulesRemoveCommand as never)
      .command(rulesMigrateGroupsCommand as never)
      .demandCommand(1, 'Name a rules command: list, config, add, set, remove or migrate-groups')
      .example('$0 rules add node-affinity web-on-1 --resources vm:101 --nodes node1', 'keep vm:101 on node1 while it is online')
      .example('$0 rules config', 'every rule and whether the master applies it'),
  handler: () => {},
};
