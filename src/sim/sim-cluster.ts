import { EMPTY_FENCE_CONFIG } from '../fence/fence-config.ts';
import { assert } from '../common/assert.ts';
import type { ClusterSettings, GroupMigrationRequest, NodeCapacity, ResourceConfig, RuleConfig, ServiceSize } from '../common/ha-config.ts';
import type { LrmStatus } from '../common/lrm-status.ts';
import type { ManagerStatus, ManagerStatusVersion } from '../common/manager-status.ts';
import type { TraceBody } from '../common/trace.ts';
import type { CrmLocal } from '../crm/crm-daemon.ts';
import type { LrmLocal } from '../lrm/lrm-local.ts';
import type { HaConfig, Membership } from '../env/env.ts';
import type { Timing } from '../common/timing.ts';
import type { NodeLoadStats, ServiceLoad } from '../common/lrm-status.ts';
import { DEFAULT_DYNAMIC_NODE } from './scenario-stats.ts';
import { DEFAULT_MUX_LIMITS } from '../watchdog/core/mux-state.ts';
import type { Scenario } from './scenario.ts';
import type { SimCommand } from './sim-commands.ts';
import { derivedServiceSize, SimResources, type SimResourceWorld } from './sim-resources.ts';
import { SimLeaseStore } from './sim-store.ts';
import { SimCommandQueue } from './sim-command-queue.ts';
import { SimConfigTexts } from './sim-config-files.ts';
import type { SimStatusMemory } from './sim-status-face.ts';
import type { FencedRecord } from '../store/fenced-record.ts';
import { SimClock } from './sim-clock.ts';
import { SimFaults } from './sim-faults.ts';
import { SimFenceDevices } from './sim-fence-devices.ts';
import { StatusHistory } from './status-history.ts';
import { SimNodeWatchdog } from './sim-watchdogs.ts';

/** One simulated node: its hardware switches, its daemons and its watchdog (mux and device). */
export interface SimNode {
  readonly name: string;
  isPoweredOn: boolean;
  isNetworkOn: boolean;
  crm: CrmLocal | undefined;
  lrm: LrmLocal | undefined;
  /** The node's watchdog multiplexer and device, on the node's own clock. */
  readonly watchdog: SimNodeWatchdog;
  /** The node's monotonic clock (drift). */
  readonly clock: SimClock;
  shutdown: 'shutdown' | 'reboot' | 'restart-lrm' | undefined;
  isStateUpdateFailing: boolean;
  isWriteFailing: boolean;
  /** Crashed announcing a kernel dump (`crash <node> kdump`): fence_kdump hears it until the node is powered on. */
  isDumping: boolean;
  /** Boots so far: what a node ran before a power cycle (a fence job it proxied) is gone. */
  boots: number;
  /** What the node's LRM kept on the node's own disk (LrmEnv.keepStatusVersion): survives LRM restarts and resets. */
  keptStatusVersion?: { readonly version: ManagerStatusVersion; readonly atMs: number };
}

/**
 * The simulated cluster's truth: hardware, shared state (leases, manager and LRM status, config, CRM
 * command queue) and what really runs where. The daemons reach it only through their SimEnv, whose
 * store ports are faces over this memory (sim-node-store.ts).
 */
export class SimCluster implements SimResourceWorld, SimStatusMemory {
  timeMs = 0;
  readonly nodes: Map<string, SimNode>;
  readonly nodeNames: readonly string[];
  readonly leases: SimLeaseStore;
  readonly resources: Record<string, ResourceConfig>;
  readonly settings: ClusterSettings;
  readonly serviceSizes: Record<string, ServiceSize>;
  readonly nodeCapacities: Record<string, NodeCapacity>;
  /** The simulated config files; rules and groups are replaced whole when they change (rule edits, group migration). */
  readonly config: SimConfig;
  /** pve-manager versions set by `pve-manager-version <node> set` over hardware_status's (README-5.2 §1.1). */
  private readonly nodeVersions = new Map<string, string>();
  /** What each service uses while it runs (`dynamic_service_stats`), measured by the simulated LRMs (sim-loads.ts). */
  readonly dynamicLoads: Record<string, ServiceLoad>;
  /** Node sizes as the dynamic scheduler measures them: the static capacity, else 24 CPUs / 128 GiB. */
  readonly measuredCapacities: Record<string, NodeCapacity> = {};
  private readonly derivesSizes: boolean;
  /** Grows with every change of what the nodes measure (running sets, dynamic loads): measurements are cached by it. */
  loadsVersion = 0;
  readonly measured = new Map<string, { version: number; stats: NodeLoadStats }>();
  managerStatus: ManagerStatus | undefined;
  readonly lrmStatus = new Map<string, LrmStatus>();
  /** Past versions of the status files, for stale reads. */
  readonly managerStatusHistory: StatusHistory<ManagerStatus | undefined>;
  readonly lrmStatusHistory = new Map<string, StatusHistory<LrmStatus | undefined>>();
  /** status/fenced/<node>.json: why a node was last reset, as it published it. */
  readonly fencedRecords = new Map<string, FencedRecord>();
  /** Status text written by something other than the simulated daemons (a corrupt file), by file name. */
  readonly foreignStatusTexts = new Map<string, string>();
  readonly faults: SimFaults;
  /** The fence devices' conditions (`fence-device` commands); the jobs that call them are the simulator's. */
  readonly fenceDevices = new SimFenceDevices();
  /** The CRM command queue: scenario commands queue here, a master takes through its node's face. */
  readonly commandQueue = new SimCommandQueue();
  /** The config files as text (ConfigFiles); the daemons read `config`, the parsed scenario config. */
  readonly configTexts = new SimConfigTexts();
  readonly running = new Map<string, Set<string>>();
  readonly locks = new Map<string, string>();
  readonly resourcesRunner: SimResources;
  private membershipCache: { timeMs: number; version: number; membership: Membership } | undefined;
  private hardwareVersion = 0;

  constructor(
    scenario: Scenario,
    timing: Pick<Timing, 'leaseTimeoutMs' | 'watchdogDeviceTimeoutMs'>,
    readonly emitAs: (node: string | null, body: TraceBody) => void,
  ) {
    this.nodeNames = Object.keys(scenario.nodes).sort();
    this.nodes = new Map();
    this.nodeCapacities = {};
    for (const name of this.nodeNames) {
      const spec = scenario.nodes[name]!;
      const clock = new SimClock();
      // The simulated device has the timeout the timing assumes (the real mux reports its device's).
      const watchdog = new SimNodeWatchdog(() => clock.at(this.timeMs), { ...DEFAULT_MUX_LIMITS, deviceTimeoutMs: timing.watchdogDeviceTimeoutMs });
      if (spec.isPoweredOn) watchdog.boot();
      this.nodes.set(name, {
        name,
        isPoweredOn: spec.isPoweredOn,
        isNetworkOn: spec.isPoweredOn && spec.isNetworkOn,
        crm: undefined,
        lrm: undefined,
        watchdog,
        clock,
        shutdown: undefined,
        isStateUpdateFailing: false,
        isWriteFailing: false,
        isDumping: false,
        boots: spec.isPoweredOn ? 1 : 0,
      });
      this.running.set(name, new Set(scenario.running[name] ?? []));
      if (spec.pveManagerVersion !== undefined) this.nodeVersions.set(name, spec.pveManagerVersion);
      if (spec.cpus !== undefined && spec.memoryBytes !== undefined) this.nodeCapacities[name] = { cpus: spec.cpus, memoryBytes: spec.memoryBytes };
      this.measuredCapacities[name] = { cpus: spec.cpus ?? DEFAULT_DYNAMIC_NODE.cpus, memoryBytes: spec.memoryBytes ?? DEFAULT_DYNAMIC_NODE.memoryBytes };
    }
    this.leases = new SimLeaseStore(timing.leaseTimeoutMs);
    this.faults = new SimFaults(this.nodeNames);
    const canReadStale = scenario.batches.some((batch) => batch.some(isStaleRead));
    this.managerStatusHistory = new StatusHistory(canReadStale);
    for (const name of this.nodeNames) this.lrmStatusHistory.set(name, new StatusHistory(canReadStale));
    this.resources = scenario.resources;
    this.settings = scenario.settings;
    this.serviceSizes = { ...scenario.serviceSizes };
    this.derivesSizes = scenario.derivesSizes ?? false;
    this.dynamicLoads = { ...scenario.dynamicLoads };
    for (const sid of Object.keys(this.resources)) this.ensureSize(sid);
    this.config = {
      resources: this.resources,
      groups: scenario.groups,
      rules: scenario.rules,
      settings: this.settings,
      serviceSizes: this.serviceSizes,
      nodeCapacities: this.nodeCapacities,
      fence: scenario.fence ?? EMPTY_FENCE_CONFIG,
      generation: 0,
    };
    const hasStatus = scenario.managerStatus.serviceStatus.size > 0 || Object.keys(scenario.managerStatus.nodeStatus).length > 0;
    this.managerStatus = hasStatus || scenario.managerStatus.masterNode !== undefined ? scenario.managerStatus : undefined;
    this.resourcesRunner = new SimResources(this, (node, body) => this.emitAs(node, body));
    this.managerStatusHistory.write(0, this.managerStatus);
  }

  /** The manager status as the master saved it, `staleMs` ago. */
  managerStatusAt(staleMs: number): ManagerStatus | undefined {
    return staleMs === 0 ? this.managerStatus : this.managerStatusHistory.readAt(this.timeMs - staleMs, undefined);
  }

  saveManagerStatus(status: ManagerStatus): void {
    this.managerStatus = status;
    this.managerStatusHistory.write(this.timeMs, status);
  }

  lrmStatusAt(node: string, staleMs: number): LrmStatus | undefined {
    if (staleMs === 0) return this.lrmStatus.get(node);
    return this.lrmStatusHistory.get(node)?.readAt(this.timeMs - staleMs, undefined);
  }

  saveLrmStatus(node: string, status: LrmStatus): void {
    this.lrmStatus.set(node, status);
    this.lrmStatusHistory.get(node)!.write(this.timeMs, status);
  }

  node(name: string): SimNode {
    const node = this.nodes.get(name);
    assert(node !== undefined, `Unknown simulated node ${name}`);
    return node;
  }

  /** Power and network on: a member, when the cluster is quorate. */
  isOnline(name: string): boolean {
    const node = this.node(name);
    return node.isPoweredOn && node.isNetworkOn;
  }

  membership(): Membership {
    const cached = this.membershipCache;
    if (cached && cached.version === this.hardwareVersion) return cached.membership;
    const online = new Set(this.nodeNames.filter((name) => this.isOnline(name)));
    const isQuorate = online.size > Math.floor(this.nodeNames.length / 2);
    const membership: Membership = {
      isQuorate,
      nodes: this.nodeNames,
      isMember: (name) => isQuorate && online.has(name),
    };
    this.membershipCache = { timeMs: this.timeMs, version: this.hardwareVersion, membership };
    return membership;
  }

  /** Call after any change of power or network. */
  hardwareChanged(): void {
    this.hardwareVersion++;
  }

  /** 4.0.7's rule only: a service without a size gets one from its id; 5.2.0 leaves it without. */
  ensureSize(sid: string): void {
    if (this.derivesSizes) this.serviceSizes[sid] ??= derivedServiceSize(sid);
  }

  /** The node the master recorded for the service: only the master (and the scenario) changes it. */
  configuredNode(sid: string): string | undefined {
    return this.resources[sid]?.node;
  }

  isRunning(node: string, sid: string): boolean {
    return this.running.get(node)?.has(sid) ?? false;
  }

  setRunning(node: string, sid: string, isRunning: boolean): void {
    const set = this.running.get(node)!;
    if (isRunning) set.add(sid);
    else set.delete(sid);
    this.loadsVersion++;
  }

  /** The one way the simulated configuration changes: readers see a new generation. */
  setResource(sid: string, resource: ResourceConfig | undefined): void {
    if (resource === undefined) delete this.resources[sid];
    else this.resources[sid] = resource;
    this.config.generation++;
  }

  /** Replaces rules.cfg (a rule edit). */
  setRules(rules: readonly RuleConfig[]): void {
    this.config.rules = rules;
    this.config.generation++;
  }

  /** What a master's persistent group migration writes: rules appended, groups gone from resources and groups.cfg. */
  applyGroupMigration(request: GroupMigrationRequest): void {
    for (const { sid, isFailbackOff } of request.resources) {
      const resource = this.resources[sid];
      if (!resource) continue;
      const { group: _group, ...rest } = resource;
      this.resources[sid] = isFailbackOff ? { ...rest, failback: false } : rest;
    }
    this.config.rules = [...this.config.rules, ...request.rules];
    this.config.groups = {};
    this.config.generation++;
  }

  nodeVersion(node: string): string {
    return this.nodeVersions.get(node) ?? DEFAULT_PVE_MANAGER_VERSION;
  }

  setNodeVersion(node: string, version: string): void {
    this.nodeVersions.set(node, version);
  }

  lockOf(sid: string): string | undefined {
    return this.locks.get(sid);
  }

  /** Nodes where the service really runs now. */
  nodesRunning(sid: string): string[] {
    return this.nodeNames.filter((node) => this.isRunning(node, sid));
  }
}

/** The simulated config: HaConfig whose rules and groups the simulator may replace. */
export type SimConfig = { -readonly [K in keyof HaConfig]-?: HaConfig[K] };

/** The version a simulated node runs unless hardware_status says otherwise (the reference's default). */
export const DEFAULT_PVE_MANAGER_VERSION = '9.0.0~2';

/** A command that makes a node read stale status files (directly, or later through `after`). */
function isStaleRead(command: SimCommand): boolean {
  return command.kind === 'stale' || (command.kind === 'after' && isStaleRead(command.command));
}
