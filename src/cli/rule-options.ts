import type { Argv } from 'yargs';
import type { RuleChange } from '../config/rule-edit.ts';
import { RULE_OPTIONS, type RuleOption } from '../config/rules.ts';
import { flagValue } from './sid-arg.ts';

export type RuleOptionArgs = Partial<Record<RuleOption, string>>;

/** The rule options of `rules add` and `rules set`, named as in rules.cfg (Proxmox's names). */
export function withRuleOptions<T>(yargs: Argv<T>): Argv<T & RuleOptionArgs> {
  return yargs
    .option('resources', { type: 'string', requiresArg: true, describe: RULE_OPTIONS.resources })
    .option('nodes', { type: 'string', requiresArg: true, describe: RULE_OPTIONS.nodes })
    .option('strict', { type: 'string', describe: `${RULE_OPTIONS.strict} (a bare --strict means 1)` })
    .option('affinity', { type: 'string', requiresArg: true, choices: ['positive', 'negative'], describe: RULE_OPTIONS.affinity })
    .option('disable', { type: 'string', describe: `${RULE_OPTIONS.disable} (a bare --disable means 1)` })
    .option('comment', { type: 'string', requiresArg: true, describe: RULE_OPTIONS.comment }) as unknown as Argv<T & RuleOptionArgs>;
}

/**
 * The options given on the command line, as they are written in rules.cfg. `--disable 0` is no line
 * at all: Proxmox VE 9 disables a rule with any `disable` line, `disable 0` included.
 */
export function ruleOptionsOf(args: RuleOptionArgs): { set: RuleChange['set']; enable: boolean } {
  const set: Partial<Record<RuleOption, string>> = {};
  for (const key of ['resources', 'nodes', 'affinity', 'comment'] as const) {
    if (args[key] !== undefined) set[key] = String(args[key]);
  }
  const strict = flagValue(args.strict === undefined ? undefined : String(args.strict));
  if (strict !== undefined) set.strict = strict;
  const disable = flagValue(args.disable === undefined ? undefined : String(args.disable));
  if (disable !== undefined && disable !== '0') set.disable = disable;
  return { set, enable: disable === '0' };
}
