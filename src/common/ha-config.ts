import type { PlacementMode, RequestedState, ShutdownPolicy } from './states.ts';

/** One HA resource as configured (resources.cfg). */
export interface ResourceConfig {
  /**
   * The node the master recorded (resources.cfg `node`), else where status/manager.json has it;
   * undefined for a service the master has yet to place (a file as Proxmox writes it, an `add` without --node).
   */
  readonly node: string | undefined;
  readonly state: RequestedState;
  readonly group?: string;
  readonly maxRestart: number;
  readonly maxRelocate: number;
  readonly comment?: string;
  /** 0: never moves back to a better node on its own (rules.cfg node affinity; 4.0.7's group `nofailback`); absent means 1. */
  readonly failback?: boolean;
}

/** One HA group (groups.cfg): member nodes with priorities; higher priority wins. */
export interface GroupConfig {
  readonly nodes: Readonly<Record<string, number>>;
  readonly restricted: boolean;
  readonly nofailback: boolean;
  readonly comment?: string;
}

export interface ClusterSettings {
  readonly shutdownPolicy: ShutdownPolicy;
  readonly placement: PlacementMode;
  /** Move a service to the best node before its first start. */
  readonly rebalanceOnStart: boolean;
  /** Concurrent service actions per LRM. */
  readonly maxWorkers: number;
  /** Automatic rebalancing (static and dynamic placement only). */
  readonly autoRebalance: AutoRebalanceSettings;
}

export const REBALANCE_METHODS = ['bruteforce', 'topsis'] as const;
export type RebalanceMethod = (typeof REBALANCE_METHODS)[number];

/** When and how the master moves services on its own to even out the nodes' load (README-5.2 §7.4). */
export interface AutoRebalanceSettings {
  readonly isEnabled: boolean;
  /** Imbalance (coefficient of variation of the node loads) above which the cluster counts as unbalanced. */
  readonly threshold: number;
  readonly method: RebalanceMethod;
  /** Consecutive manager rounds above the threshold before a move; 0 and 1 act at once. */
  readonly holdRounds: number;
  /** The relative improvement of the imbalance a move must bring (0.1: 10 %). */
  readonly margin: number;
}

export const DEFAULT_AUTO_REBALANCE: AutoRebalanceSettings = { isEnabled: false, threshold: 0.3, method: 'bruteforce', holdRounds: 3, margin: 0.1 };

export const DEFAULT_CLUSTER_SETTINGS: ClusterSettings = {
  shutdownPolicy: 'conditional',
  placement: 'basic',
  rebalanceOnStart: false,
  maxWorkers: 4,
  autoRebalance: DEFAULT_AUTO_REBALANCE,
};

export const DEFAULT_MAX_RESTART = 1;
export const DEFAULT_MAX_RELOCATE = 1;

/** Static size of a service for the static placement mode. */
export interface ServiceSize {
  /** CPUs; 0 means "may use all of the node's CPUs". */
  readonly maxCpu: number;
  readonly maxMemBytes: number;
}

/** Static capacity of a node for the static placement mode. */
export interface NodeCapacity {
  readonly cpus: number;
  readonly memoryBytes: number;
}

/** The kinds of HA rules (rules.cfg, Proxmox VE 9). */
export const RULE_TYPES = ['node-affinity', 'resource-affinity'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

interface RuleBase {
  readonly id: string;
  /** Sids, in the order written, without duplicates; a sid that is not configured is never matched. */
  readonly resources: readonly string[];
  /** The rule has a `disable` line, whatever its value (`disable 0` disables too, as in Proxmox VE 9). */
  readonly isDisabled: boolean;
  readonly comment?: string;
}

/** Services prefer (strict: may only run on) these nodes; higher priority wins. */
export interface NodeAffinityRule extends RuleBase {
  readonly type: 'node-affinity';
  readonly nodes: Readonly<Record<string, number>>;
  readonly strict: boolean;
}

/** Services run together (positive) or on different nodes (negative). */
export interface ResourceAffinityRule extends RuleBase {
  readonly type: 'resource-affinity';
  readonly affinity: 'positive' | 'negative';
}

export type RuleConfig = NodeAffinityRule | ResourceAffinityRule;

/** What a master's persistent migration of HA groups to rules writes (README-5.2 §9.2). */
export interface GroupMigrationRequest {
  /** Appended to rules.cfg: one node-affinity rule per group in use. */
  readonly rules: readonly NodeAffinityRule[];
  /** Every service with a `group`: the line goes; `failback 0` is added where its group had `nofailback`. */
  readonly resources: ReadonlyArray<{ readonly sid: string; readonly isFailbackOff: boolean }>;
}
