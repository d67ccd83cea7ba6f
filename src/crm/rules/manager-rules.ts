import { assert } from '../../common/assert.ts';
import type { RuleConfig } from '../../common/ha-config.ts';
import type { EmitEvent } from '../../common/trace.ts';
import type { LrmStatus } from '../../common/lrm-status.ts';
import type { ServiceStatus } from '../../common/manager-status.ts';
import type { HaConfig, Membership } from '../../env/env.ts';
import type { NodeStatusTable } from '../node-status.ts';
import { compileRules, type CompiledRules } from './compile-rules.ts';
import { GroupMigration, type GroupMigrationRequest } from './group-migration.ts';

export type { GroupMigrationRequest } from './group-migration.ts';
export { roundSelector } from './round-selector.ts';
import { groupsAsRules } from './groups-as-rules.ts';
import type { NodeClasses } from './service-affinity.ts';

/** What a manager pass hands the rules: its input, and the master's node table and services. */
export interface RulesPassInput {
  readonly config: HaConfig;
  readonly membership: Membership;
  readonly lrmStatuses: ReadonlyMap<string, LrmStatus>;
  readonly nodeVersion: (node: string) => string | undefined;
  readonly nodes: NodeStatusTable;
  readonly services: Iterable<readonly [string, ServiceStatus]>;
}

/** What the last compilation was made from, to tell whether the next pass must compile again. */
interface CompiledFrom {
  readonly rules: HaConfig['rules'];
  readonly groups: HaConfig['groups'];
  readonly generation: number | undefined;
  readonly nodeKey: string;
  readonly textKey: string;
}

/**
 * The master's compiled rules, recompiled only when Proxmox VE 9 recompiles them (README-5.2 §5 step
 * 8): at the manager's first pass, when its node table changed, or when the rules or groups changed.
 * Compiling drops rules that fail the checks; each is reported once per compilation as `rule-dropped`.
 *
 * One deliberate difference: which services use a group counts as a change of the groups (the
 * reference recompiles only on the groups text, so an edited `group` of a resource would wait for an
 * unrelated change; Proxmox VE 9 itself no longer lets a resource name a group).
 */
export class ManagerRules {
  private compiled: CompiledRules | undefined;
  private from: CompiledFrom | undefined;
  private readonly groupMigration = new GroupMigration();
  private nodeClasses: { readonly compiled: CompiledRules; readonly onlineKey: string; readonly cache: Array<NodeClasses | undefined> } | undefined;
  private migration: GroupMigrationRequest | undefined;

  /** The rules of the pass in progress (forPass compiled or kept them). */
  current(): CompiledRules {
    assert(this.compiled !== undefined, 'Rules asked for before the first pass compiled them');
    return this.compiled;
  }

  /**
   * The node classes of the compiled rules over `onlineNodes`, kept while neither changes: most
   * rounds have the same online nodes and rules, and building the classes of hundreds of rules each
   * round would cost more than looking them up.
   */
  nodeClassCache(onlineNodes: readonly string[]): Array<NodeClasses | undefined> {
    const compiled = this.current();
    const onlineKey = onlineNodes.join('\n');
    if (this.nodeClasses?.compiled !== compiled || this.nodeClasses.onlineKey !== onlineKey) {
      this.nodeClasses = { compiled, onlineKey, cache: new Array<NodeClasses | undefined>(compiled.nodeAffinityCount) };
    }
    return this.nodeClasses.cache;
  }

  /** What this pass's group migration attempt asks to write (group-migration.ts), if it may go ahead. */
  migrationRequest(): GroupMigrationRequest | undefined {
    return this.migration;
  }

  /**
   * The rules for this manager pass, after its group migration attempt (README-5.2 §5 steps 4 and
   * 8). Compiled against the node table: every node the master knows, whatever its state.
   */
  forPass(input: RulesPassInput, emit: EmitEvent): CompiledRules {
    const { config, nodes } = input;
    this.migration = this.groupMigration.pass(
      {
        ...input,
        groups: config.groups,
        resources: config.resources,
        isQuorate: input.membership.isQuorate,
        nodes: nodes.knownNodes().map((node) => [node, nodes.stateOf(node)] as const),
        lrmStatus: (node) => input.lrmStatuses.get(node),
      },
      emit,
    );
    return this.compiledFor(config, nodes.knownNodes(), emit);
  }

  private compiledFor(config: HaConfig, nodeTable: readonly string[], emit: EmitEvent): CompiledRules {
    const nodeKey = nodeTable.join('\n');
    const from = this.from;
    const isSameInput = from !== undefined && from.rules === config.rules && from.groups === config.groups && config.generation !== undefined && from.generation === config.generation;
    if (this.compiled && isSameInput && from.nodeKey === nodeKey) return this.compiled;
    // The same objects but an unknown or new generation, or new objects: compare what they say.
    const rules = [...config.rules, ...groupsAsRules(config.resources, config.groups)];
    const textKey = JSON.stringify(rules);
    const isSameText = this.compiled !== undefined && from !== undefined && from.textKey === textKey && from.nodeKey === nodeKey;
    this.from = { rules: config.rules, groups: config.groups, generation: config.generation, nodeKey, textKey };
    if (isSameText) return this.compiled!;
    this.compiled = compile(rules, nodeTable, emit);
    return this.compiled;
  }
}

function compile(rules: readonly RuleConfig[], nodeTable: readonly string[], emit: EmitEvent): CompiledRules {
  const compiled = compileRules(rules, nodeTable);
  for (const { rule, reason } of compiled.dropped) emit({ ev: 'rule-dropped', rule, reason });
  assert(compiled.dropped.every((entry) => rules.some((rule) => rule.id === entry.rule)), 'Every dropped rule is a configured one');
  return compiled;
}
