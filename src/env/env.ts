/**
 * The environment ports of the CRM and LRM rounds. The decision logic in src/crm and src/lrm sees the
 * world only through these interfaces; the simulator and the node daemons implement them.
 *
 * The ports are synchronous on purpose: every call is a short local operation (a lease
 * compare-and-set, a status file read, a config read), and long work — service actions — is started by
 * one round and collected by a later one (`startJob` / `takeFinishedJobs`), never awaited inside a
 * decision. A call that fails because the store is unreachable reports it as a value (false,
 * undefined), never by throwing; a thrown error is a bug.
 */
import type { EmitEvent } from '../common/trace.ts';
import type { ManagerStatus, ManagerStatusVersion } from '../common/manager-status.ts';
import type { FenceJobResult, LrmStatus, NodeLoadStats } from '../common/lrm-status.ts';
import type { FenceAction } from '../common/manager-status.ts';
import type { FenceConfig } from '../fence/fence-config.ts';
import type {
  ClusterSettings,
  GroupConfig,
  GroupMigrationRequest,
  NodeCapacity,
  ResourceConfig,
  RuleConfig,
  ServiceSize,
} from '../common/ha-config.ts';
import type { RequestedState } from '../common/states.ts';
import type { LrmResultCode } from '../common/lrm-result.ts';
import type { Timing } from '../common/timing.ts';

/**
 * What taking another node's agent lease proves (DESIGN.md "What proves a node fenced"):
 * - `reset`: taken from the node itself after this master saw its renewals stop for the whole lease
 *   timeout — its watchdog has reset it, and nothing it ran runs any more;
 * - `free`: taken while nobody held it (never taken, or released by its LRM), or from another holder
 *   (a master that fenced the node earlier) — it proves only that the node's LRM holds no lease, so it
 *   covers the services that LRM knew of (it stops them before it lets its lease go), not one that may
 *   run there unmanaged;
 * - `held`: this node holds it already (it took it earlier); it proves what that take proved;
 * - `refused`: held by someone and not yet seen expired, or the store did not answer.
 */
export type AgentLeaseTake = 'reset' | 'free' | 'held' | 'refused';

/** What a CRM or LRM round tells the loop that drives it (a daemon's timer, the simulator's rounds). */
export type RoundVerdict = 'continue' | 'exit';

/** The cluster as this node sees it now. */
export interface Membership {
  readonly isQuorate: boolean;
  /** All nodes of the membership list, sorted. */
  readonly nodes: readonly string[];
  /** True for a node that is a member of the quorate partition this node is in. */
  isMember(node: string): boolean;
}

/** The shared configuration, as last parsed successfully. Readers must not mutate it. */
export interface HaConfig {
  readonly resources: Readonly<Record<string, ResourceConfig>>;
  readonly groups: Readonly<Record<string, GroupConfig>>;
  /** rules.cfg in file order, disabled rules included (the master skips them, `rules config` shows them). */
  readonly rules: readonly RuleConfig[];
  readonly settings: ClusterSettings;
  readonly serviceSizes: Readonly<Record<string, ServiceSize>>;
  readonly nodeCapacities: Readonly<Record<string, NodeCapacity>>;
  /** fence.cfg; undefined when there is none (every node fenced by its watchdog alone). */
  readonly fence?: FenceConfig;
  /**
   * Grows whenever a resource entry changes (added, removed, edited), so a reader may skip work when
   * it has not; undefined when the source cannot tell, and then readers must look every time.
   */
  readonly generation?: number;
}

/**
 * The watchdog registration of one daemon (CRM or LRM) of this node with the node's watchdog
 * multiplexer (DESIGN.md "Processes on a node"). Both environments drive the same pure mux core
 * (src/watchdog/core/mux-state.ts): the node's through the mux's socket (src/env/node-watchdog.ts),
 * the simulator's in process (src/sim/sim-watchdogs.ts). A registration announces this daemon's
 * timeout; once armed it must be fed within it, or the node is reset.
 *
 * Failures are not thrown into the core: a port that loses its mux (or is refused by it) ends the
 * daemon at once — nothing protects its work any more, and the armed device resets the node anyway.
 */
export interface WatchdogPort {
  /**
   * False on a node configured without a watchdog (`watchdog none` in fence.cfg): nothing resets it
   * when it stops feeding. Its LRM says so in its status, and no master takes its lease as a proof.
   */
  readonly resetsNode: boolean;
  /** A new registration of this daemon, armed by its first keepalive. */
  open(): void;
  /** Keepalive: call only right after a successful lease renewal (or take). */
  feed(): void;
  /** Clean leave: the registration goes; the node is no longer protected by this daemon. */
  close(): void;
  /**
   * Planned hand-over: the registration stays armed, with its deadline, for the next process of this
   * daemon to claim; if none does in time, the node is reset. This process no longer feeds it.
   */
  handOver(): void;
  /**
   * The registration the previous process of this daemon on this node left armed (by a hand-over, or
   * by dying), which this process took over when it registered at start: it is this process's now, to
   * feed or close. `keepaliveAgeMs` bounds how long ago its last keepalive came, as of this call.
   * Claiming never moves the deadline: only a keepalive does. Answers once; undefined when nothing was
   * claimed (or when asked again).
   */
  claim(): { keepaliveAgeMs: number } | undefined;
}

interface CommonEnv {
  readonly nodeName: string;
  readonly timing: Timing;
  /** Monotonic time of this node in integer milliseconds. */
  nowMs(): number;
  membership(): Membership;
  readConfig(): HaConfig;
  /** The manager status as the master last saved it; undefined when unreadable. */
  readManagerStatus(): ManagerStatus | undefined;
  readonly watchdog: WatchdogPort;
  readonly emit: EmitEvent;
}

export interface CrmEnv extends CommonEnv {
  /** Takes or renews the manager lease for this node. */
  tryManagerLease(): boolean;
  /** The generation of the manager lease this node took last (its saves carry it); 0 when unknown. */
  managerLeaseGeneration(): number;
  releaseManagerLease(): boolean;
  /**
   * Takes another node's agent lease, the lease proof that the node is fenced, and says what the take
   * proves (AgentLeaseTake). Never throws: an unreachable store is 'refused'.
   */
  tryAgentLeaseOf(node: string): AgentLeaseTake;
  writeManagerStatus(status: ManagerStatus): void;
  readLrmStatus(node: string): LrmStatus | undefined;
  hasCrmCommands(): boolean;
  /** Removes and returns the queued commands, oldest first. */
  takeCrmCommands(): string[];
  /**
   * Records what the master decided in resources.cfg (a service's node after a move or a recovery,
   * `stopped` after a stop command), under the config lock. The master calls it before it writes the
   * manager status of the same round, and LRMs read the node it records (a request for a service
   * configured elsewhere is `wrong node`), so a manager status written after this call must not be
   * seen before the update is. A write that fails is not reported: the master asks for the node again
   * every round until its config read shows it (src/crm/resource-records.ts).
   */
  updateResourceConfig(sid: string, patch: { node?: string; state?: RequestedState }): void;
  /** A fresh, unique request id. */
  newUid(): string;
  /** The pve-manager version `node` runs (README-5.2 §9.2); undefined when unknown. */
  nodeVersion(node: string): string | undefined;
  /**
   * Writes a group migration the master decided (rules appended to rules.cfg, `group` lines replaced,
   * groups.cfg emptied), under the config lock, before the manager status of the same round. A write
   * that fails is not reported: the master tries again at its next attempt while groups remain.
   */
  applyGroupMigration(request: GroupMigrationRequest): void;
}

/** A fence job handed to this node as a proxy (DESIGN.md "External fencing"). */
export interface FenceJob {
  readonly uid: string;
  readonly target: string;
  readonly action: FenceAction;
  /** Index into fenceLevelsFor(config.fence, target); ignored for `soft`. */
  readonly level: number;
}

/** A service action handed to a driver. */
export interface LrmJob {
  readonly sid: string;
  /** Undefined for the local stops of a node shutdown, which report to nobody. */
  readonly uid: string | undefined;
  readonly request: string;
  readonly target?: string | undefined;
  readonly timeoutS?: number | undefined;
}

export interface LrmJobResult {
  readonly sid: string;
  readonly uid: string | undefined;
  readonly request: string;
  readonly result: LrmResultCode;
  /** Why it failed, one line from the driver (absent on success). */
  readonly reason?: string;
  /** Only with `wrongNode`: whether the service was found running on this node (absent when the look failed). */
  readonly runningHere?: boolean;
}

export interface LrmEnv extends CommonEnv {
  /** Takes or renews this node's agent lease. */
  tryAgentLease(): boolean;
  /**
   * This node's previous LRM held the agent lease and renewed it at most `renewedAgoMsMax` ago (the
   * armed watchdog registration this LRM claimed proves it): hold it from now on, without waiting for
   * it to expire, as renewed that long ago. False when the lease is not this node's (free, released,
   * taken by a master) or the store cannot be read. Moves nothing other nodes see.
   */
  adoptAgentLease(renewedAgoMsMax: number): boolean;
  releaseAgentLease(): boolean;
  /** Publishes the LRM status; false when it could not (no quorum, store unreachable). */
  writeLrmStatus(status: LrmStatus): boolean;
  startJob(job: LrmJob): void;
  /**
   * The node's capacity and what each of `services` (this node's, sid first) that runs on it uses now
   * (through its driver), for the dynamic scheduler; the LRM publishes it in its status. Undefined
   * when the node cannot be measured.
   */
  measureLoad(services: ReadonlyArray<readonly [string, unknown]>): NodeLoadStats | undefined;
  /** Results of jobs that have finished since the last call. */
  takeFinishedJobs(): LrmJobResult[];
  /**
   * Runs a fence job for the master as a proxy, in the background (agents take seconds); the result
   * comes from takeFinishedFences. The levels come from this node's read of fence.cfg.
   */
  startFence(job: FenceJob): void;
  takeFinishedFences(): FenceJobResult[];
  /**
   * Keeps the version of the manager status this LRM takes in on the node's own disk, before the LRM
   * acts on it: a restarted LRM must not act on an older status that a stale read still returns.
   */
  keepStatusVersion(version: ManagerStatusVersion): void;
  /**
   * The version the previous LRM of this node kept, if it kept one in the last
   * KEPT_STATUS_VERSION_AGE_MAX_MS (a stale read lasts seconds; an old one would only outlive a
   * shared directory made anew).
   */
  keptStatusVersion(): ManagerStatusVersion | undefined;
}

/** How long a kept manager status version binds the next LRM of the node (keptStatusVersion). */
export const KEPT_STATUS_VERSION_AGE_MAX_MS = 10 * 60_000;
