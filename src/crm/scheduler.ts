import type { ClusterSettings, NodeCapacity } from '../common/ha-config.ts';
import type { LrmStatus, ServiceLoad } from '../common/lrm-status.ts';
import type { ServiceStatus } from '../common/manager-status.ts';
import { movesOnline } from '../common/sid.ts';
import type { PlacementMode } from '../common/states.ts';
import type { EmitEvent } from '../common/trace.ts';
import type { HaConfig } from '../env/env.ts';
import { clusterImbalance } from './imbalance.ts';
import type { NodeUsage, StaticSizing } from './node-usage.ts';
import { migrationCandidates } from './rebalance-candidates.ts';
import { bestMigration } from './rebalance-select.ts';
import type { AffinityView } from './rules/affinity-view.ts';

export interface RebalanceInput {
  readonly config: HaConfig;
  readonly usage: NodeUsage;
  /** Managed services in sid order. */
  readonly entries: ReadonlyArray<readonly [string, ServiceStatus]>;
  readonly service: (sid: string) => ServiceStatus | undefined;
  /** Submits a CRM command line exactly as a user's command is (checked, stored, partners following). */
  readonly submit: (line: string) => void;
  /** What the rules say about each service: the candidates' targets and bundles. */
  readonly affinity: AffinityView;
}

/**
 * The master's scheduler state across its rounds (README-5.2 §7): the placement mode it last used
 * (a change is logged), the sizes of the round (static: configured; dynamic: measured by the LRMs),
 * and the hold counter of automatic rebalancing, which a new master starts at 0.
 */
export class Scheduler {
  private lastMode: PlacementMode | undefined;
  private wasSizeless = false;
  private holdCount = 0;
  private roundSizing: StaticSizing | undefined;
  /** What the last sizes were made of: the same inputs give the same object, so the usage counted with it can be reused. */
  private sizingInputs: unknown[] = [];

  constructor(private readonly emit: EmitEvent) {}

  /** Re-reads the placement settings at the start of a round (they may change at any time) and gathers the sizes. */
  startRound(config: HaConfig, lrmStatuses: ReadonlyMap<string, LrmStatus>): void {
    const mode = config.settings.placement;
    if (this.lastMode !== undefined && this.lastMode !== mode) {
      this.emit({ ev: 'log', level: 'info', msg: `switching scheduler mode from '${this.lastMode}' to '${mode}'` });
    }
    this.lastMode = mode;
    if (mode === 'basic') {
      this.roundSizing = undefined;
      return;
    }
    // Unknown generation: the config cannot tell whether it changed, so the sizes are made anew.
    const inputs: unknown[] = [mode, config.generation ?? {}, config.serviceSizes, config.nodeCapacities, config.resources];
    if (mode === 'dynamic') for (const [node, status] of lrmStatuses) inputs.push(node, status.stats);
    if (inputs.length === this.sizingInputs.length && inputs.every((input, index) => input === this.sizingInputs[index])) return;
    this.sizingInputs = inputs;
    this.roundSizing = mode === 'static' ? { mode, sizes: config.serviceSizes, capacities: config.nodeCapacities } : dynamicSizing(config, lrmStatuses);
  }

  /** The sizes placement uses this round; undefined: count services. */
  sizing(): StaticSizing | undefined {
    return this.roundSizing;
  }

  /**
   * One automatic-rebalancing step (README-5.2 §7.4), before the handlers run: may submit one move,
   * which the handlers of the same round carry out.
   */
  rebalance(input: RebalanceInput): void {
    const { settings } = input.config;
    const auto = settings.autoRebalance;
    if (!auto.isEnabled || settings.placement === 'basic') return;
    const nodes = this.balanceNodes(input.usage, settings);
    if (nodes === undefined || isAnyMotion(input.entries)) return;
    const before = clusterImbalance(nodes);
    if (before <= auto.threshold) {
      this.holdCount = 0;
      return;
    }
    this.holdCount++;
    if (this.holdCount < auto.holdRounds) return;
    this.holdCount = 0;
    const found = migrationCandidates({ entries: input.entries, service: input.service, affinity: input.affinity, usage: input.usage });
    if (!found.ok) {
      this.emit({ ev: 'log', level: 'warn', msg: `unable to score best balancing migration: ${found.problem}` });
      return;
    }
    const best = bestMigration(nodes, found.candidates, auto.method);
    if (best === undefined || (before - best.imbalanceAfter) / before < auto.margin) return;
    const action = movesOnline(best.leader) ? 'migrate' : 'relocate';
    this.emit({ ev: 'rebalance', sid: best.leader, action, target: best.target, imbalance_from: hundredths(before), imbalance_to: hundredths(best.imbalanceAfter) });
    input.submit(`${action} ${best.leader} ${best.target}`);
  }

  /** The nodes the imbalance is measured on; undefined (said once) when a node lacks a capacity and placement fell back to counting. */
  private balanceNodes(usage: NodeUsage, settings: ClusterSettings): ReturnType<NodeUsage['balanceNodes']> {
    const nodes = usage.balanceNodes();
    if (nodes === undefined && !this.wasSizeless) {
      this.emit({ ev: 'log', level: 'warn', msg: `placement '${settings.placement}' needs the capacity of every online node; counting services instead, no automatic rebalancing` });
    }
    this.wasSizeless = nodes === undefined;
    return nodes;
  }
}

function hundredths(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The motion guard: nothing is rebalanced while a service moves or a move command waits (README-5.2 §7.4). */
function isAnyMotion(entries: ReadonlyArray<readonly [string, ServiceStatus]>): boolean {
  for (const [, status] of entries) {
    if (status.state === 'migrate' || status.state === 'relocate') return true;
    if (status.cmd !== undefined && status.cmd.kind !== 'stop') return true;
  }
  return false;
}

/**
 * Dynamic sizes: each node's capacity and the measured use of the configured services running there,
 * as its LRM last published them (README-5.2 §7.3); a node without measurements has no capacity, so
 * placement counts services until it has.
 */
export function dynamicSizing(config: HaConfig, lrmStatuses: ReadonlyMap<string, LrmStatus>): StaticSizing {
  const capacities: Record<string, NodeCapacity> = {};
  const base = new Map<string, ServiceLoad>();
  const loads = new Map<string, ServiceLoad>();
  for (const [node, status] of lrmStatuses) {
    const stats = status.stats;
    if (stats === undefined) continue;
    capacities[node] = { cpus: stats.maxCpu, memoryBytes: stats.maxMemBytes };
    let cpu = 0;
    let memBytes = 0;
    for (const [sid, load] of stats.services) {
      if (config.resources[sid] === undefined) continue;
      cpu += load.cpu;
      memBytes += load.memBytes;
      if (!loads.has(sid)) loads.set(sid, load);
    }
    base.set(node, { cpu, memBytes });
  }
  return { mode: 'dynamic', sizes: config.serviceSizes, capacities, base, loads };
}
