import { assert, assertNever } from '../common/assert.ts';
import type { ResourceConfig } from '../common/ha-config.ts';
import type { LrmStatus } from '../common/lrm-status.ts';
import { newServiceStatus, type ManagerStatus, type ServiceStatus } from '../common/manager-status.ts';
import type { ServiceState } from '../common/states.ts';
import type { EmitEvent } from '../common/trace.ts';
import type { AgentLeaseTake, HaConfig, Membership } from '../env/env.ts';
import { applyCrmCommands } from './apply-crm-commands.ts';
import { checkCrmCommand, type CommandKnowledge } from './check-crm-command.ts';
import { disarmPass, disarmSwitch } from './disarm.ts';
import { FenceCoordinator, type FencePassInput } from './fence-coordinator.ts';
import { NodeStatusTable } from './node-status.ts';
import { ManagerCaches } from './manager-caches.ts';
import { ResourceRecords, type ResourceUpdate } from './resource-records.ts';
import { Scheduler } from './scheduler.ts';
import { placeNewServices } from './place-new-services.ts';
import { ManagerRules, roundSelector, type GroupMigrationRequest } from './rules/manager-rules.ts';
import type { ServiceContext, StateChangeParams } from './service-context.ts';
import {
  handleError,
  handleFence,
  handleFreeze,
  handleMove,
  handleRecovery,
  handleRequestStart,
  handleRequestStop,
  handleStopped,
} from './service-handlers.ts';
import { handleStarted } from './started-handler.ts';
import { mustSettleBeforeRelease } from './settle-before-release.ts';
import { LrmResultIndex } from './lrm-result-index.ts';

/** One manager round would loop forever only through a bug; a state change per service per pass bounds it. */
export const MANAGE_LOOP_PASSES_MAX = 64;

const DISABLED_RESOURCE: ResourceConfig = { node: '', state: 'disabled', maxRestart: 0, maxRelocate: 0 };

export interface ManagerRoundInput {
  readonly nowMs: number;
  /** The generation of the manager lease this master holds: its saves are ordered after its predecessors'. */
  readonly leaseGeneration: number;
  readonly fenceDelayMs: number;
  /** The round length: a lost node with fence levels is fenced a round after it is seen lost. */
  readonly roundMs: number;
  readonly membership: Membership;
  readonly config: HaConfig;
  /** Statuses of the nodes in `knownNodes()`, read before the round. */
  readonly lrmStatuses: ReadonlyMap<string, LrmStatus>;
  /** Removes the queued CRM commands and returns them (called only when the round gets that far). */
  readonly takeCommands: () => readonly string[];
  /** The pve-manager version a node runs (README-5.2 §9.2); undefined when unknown. */
  readonly nodeVersion: (node: string) => string | undefined;
}

export interface ManagerRoundOutput {
  /** False when the master's own node is not operational: nothing may be saved. */
  readonly shouldSave: boolean;
  /** What the master records in resources.cfg this round; written before the manager status. */
  readonly resourceUpdates: readonly ResourceUpdate[];
  readonly groupMigration?: GroupMigrationRequest | undefined; // HA groups to write out as rules (group-migration.ts)
}

/** Ports the manager needs beyond plain input values. */
export interface ManagerPorts {
  readonly emit: EmitEvent;
  readonly newUid: () => string;
}

/**
 * The master's manager: owns the working manager status while this node is master and runs one
 * manager round at a time. A round is a generator: it yields the nodes it wants fenced and is resumed
 * with what taking each one's agent lease gave (AgentLeaseTake) — the only I/O inside a round, kept at
 * the caller's edge.
 */
export class Manager {
  readonly nodes: NodeStatusTable;
  private readonly caches: ManagerCaches;
  /** What this master recorded in resources.cfg and has not seen there yet. */
  private readonly records = new ResourceRecords();
  private readonly fencing: FenceCoordinator;
  private readonly rules = new ManagerRules();
  /** Services leaving HA that the last sync had to keep until they settle (mustSettleBeforeRelease). */
  private readonly leaving = new Set<string>();
  /** Services with no node that the master said it cannot place yet (said once each). */
  private readonly unplacedReported = new Set<string>();
  private readonly scheduler: Scheduler;

  constructor(
    readonly status: ManagerStatus,
    private readonly nodeName: string,
    private readonly ports: ManagerPorts,
  ) {
    this.nodes = new NodeStatusTable(status.nodeStatus, ports.emit);
    this.fencing = new FenceCoordinator(status, this.nodes, ports);
    this.caches = new ManagerCaches(status.serviceStatus);
    this.scheduler = new Scheduler(ports.emit);
  }

  knownNodes(): string[] {
    return this.nodes.knownNodes();
  }

  *round(input: ManagerRoundInput): Generator<string[], ManagerRoundOutput, ReadonlyMap<string, AgentLeaseTake>> {
    const lrmModes = new Map<string, string>();
    for (const [node, lrmStatus] of input.lrmStatuses) lrmModes.set(node, lrmStatus.mode);
    const lrmResults = new LrmResultIndex(input.lrmStatuses);
    this.nodes.update(input.membership, lrmModes, input.nowMs);
    if (!this.nodes.isOperational(this.nodeName)) {
      this.ports.emit({ ev: 'log', level: 'info', msg: 'master seems offline' });
      return { shouldSave: false, resourceUpdates: [] };
    }
    this.records.startRound(input.config.resources);
    const rules = this.rules.forPass({ ...input, nodes: this.nodes, services: this.status.serviceStatus }, this.ports.emit);
    this.scheduler.startRound(input.config, input.lrmStatuses);
    if (!this.status.disarm) this.syncManagedServices(input.config); // nothing is added or removed while disarmed
    const stack = disarmSwitch({ status: this.status, entries: () => this.entries(), configuredNode: (sid) => this.records.resource(input.config.resources, sid)?.node, newUid: this.ports.newUid, emit: this.ports.emit, nodesChanged: () => this.caches.nodesChanged() });
    // Queued commands and automatic rebalancing's moves go through the same checks and affinity.
    const commands = { status: this.status, knowing: this.commandKnowledge(input.config, input.membership), rules, emit: this.ports.emit, stack };
    const submit = (line: string) => applyCrmCommands({ ...commands, lines: [line] });
    applyCrmCommands({ ...commands, lines: input.takeCommands() });
    this.fencing.beginRound(input.config.fence, input.lrmStatuses);
    const ctx = this.contextFor(input, lrmModes);
    const only = this.status.disarm ? disarmPass(ctx, this.status, this.entries()) : undefined; // disarmed: only what the disarm waits for
    if (!this.status.disarm) this.scheduler.rebalance({ config: input.config, usage: this.caches.currentUsage(), entries: this.entries(), service: (sid) => this.status.serviceStatus.get(sid), affinity: ctx.selector.rules, submit });
    for (let pass = 0; ; pass++) {
      assert(pass < MANAGE_LOOP_PASSES_MAX, `Manager loop exceeded ${MANAGE_LOOP_PASSES_MAX} passes`);
      let changed = this.runHandlers(ctx, { config: input.config, lrmResults, lrmModes, only });
      const fence: FencePassInput = { ctx, entries: () => this.entries(), hasFencedServices: this.caches.hasFencedServices(), only, fence: input.config.fence, lrmStatuses: input.lrmStatuses };
      const targets = this.fencing.targets(fence);
      if (targets.length > 0) {
        const proved = this.fencing.otherProofs(targets, fence);
        const leaseTargets = this.fencing.leaseTargets(targets, proved, fence);
        const takes = leaseTargets.length > 0 ? yield leaseTargets : new Map<string, AgentLeaseTake>();
        if (this.fencing.acknowledge(fence, input.nowMs, proved, takes)) changed = true;
      }
      if (!changed) break;
    }
    const gates = this.fencing.powerOnGates();
    if (gates.length > 0 && !this.status.disarm) this.fencing.openPowerOnGates(yield gates, input.config.fence, input.lrmStatuses);
    this.status.masterNode = this.nodeName;
    this.status.timestampMs = input.nowMs;
    const previous = this.status.version;
    // The same lease generation again (a master that renewed after losing quorum) counts on from its last save.
    this.status.version = { lease: input.leaseGeneration, round: previous?.lease === input.leaseGeneration ? previous.round + 1 : 1 };
    return { shouldSave: true, resourceUpdates: this.records.roundUpdates(), groupMigration: this.rules.migrationRequest() };
  }

  /** What the master knows when it checks a CRM command (check-crm-command.ts). */
  private commandKnowledge(config: HaConfig, membership: Membership): CommandKnowledge {
    return {
      resources: config.resources,
      groups: config.groups,
      knownNodes: this.nodes.knownNodes(),
      master: { service: (sid) => this.status.serviceStatus.get(sid), nodeState: (node) => this.nodes.stateOf(node), disarm: () => this.status.disarm, isMember: (node) => membership.isMember(node) },
    };
  }

  private entries(): ReadonlyArray<readonly [string, ServiceStatus]> {
    return this.caches.entries();
  }

  /**
   * Adds configured services not yet managed; drops managed ones that are gone or ignored. Skipped
   * when the config says it has not changed since the last sync (its generation).
   */
  private syncManagedServices(config: HaConfig): void {
    if (this.caches.isSyncedWith(config.generation)) return;
    this.caches.syncedWith(config.generation);
    const services = this.status.serviceStatus;
    const added: string[] = [];
    let configured = 0;
    for (const sid in config.resources) {
      if (config.resources[sid]!.state === 'ignored') continue;
      configured++;
      if (!services.has(sid)) added.push(sid);
    }
    const placed = this.placeUnplaced(config, added.sort());
    let isAnyUnplaced = false;
    for (const sid of added) {
      const resource = config.resources[sid]!;
      const node = resource.node ?? placed.get(sid);
      isAnyUnplaced ||= node === undefined;
      if (node === undefined) continue;
      if (resource.node === undefined) this.records.record(sid, { node });
      const state: ServiceState = resource.state === 'started' ? 'request_start' : 'request_stop';
      const status = newServiceStatus(state, node, this.ports.newUid());
      // Put under HA now (new, or back from `ignored`): it may already run on its node, unknown to the
      // LRM there, until that LRM reports on it.
      status.mayRunUnmanaged = true;
      services.set(sid, status);
      this.caches.serviceAdded();
      this.ports.emit({ ev: 'service-add', sid, on: node, state });
    }
    // One left unplaced (no online candidate): sync again next round rather than at the next change.
    if (isAnyUnplaced) this.caches.syncedWith(undefined);
    this.leaving.clear();
    // Every configured service is managed now: as many managed means none to drop (the usual case).
    if (services.size === configured) return;
    for (const [sid, status] of [...services]) {
      const resource = config.resources[sid];
      if (resource && resource.state !== 'ignored') continue;
      if (mustSettleBeforeRelease(status)) this.leaving.add(sid); // released by runHandlers once settled
      else this.release(sid, resource ? 'ignored' : 'deleted');
    }
  }

  /**
   * Nodes for added services whose config names none; says once per service that it waits for an
   * online node when there is none it may run on.
   */
  private placeUnplaced(config: HaConfig, added: readonly string[]): Map<string, string> {
    const placed = placeNewServices({ added, resources: config.resources, rules: this.rules.current(), onlineNodes: this.nodes.onlineNodes(), sizing: this.scheduler.sizing(), managed: this.status.serviceStatus });
    for (const sid of added) {
      if (config.resources[sid]!.node !== undefined) continue;
      const node = placed.get(sid);
      if (node !== undefined) {
        this.unplacedReported.delete(sid);
        this.ports.emit({ ev: 'log', level: 'info', msg: `placing ${sid} on ${node}: its config names no node` });
      } else if (!this.unplacedReported.has(sid)) {
        this.unplacedReported.add(sid);
        const group = config.resources[sid]!.group;
        this.ports.emit({ ev: 'log', level: 'warn', msg: `cannot place ${sid}: no online node${group === undefined ? '' : ` of group ${group}`} it may run on; it waits for one` });
      }
    }
    return placed;
  }

  /** The master stops managing a service (it leaves HA): the service keeps running where it is. */
  private release(sid: string, reason: 'ignored' | 'deleted'): void {
    assert(this.status.serviceStatus.delete(sid), `Released service ${sid} was not managed`);
    this.leaving.delete(sid);
    this.caches.serviceRemoved();
    this.ports.emit({ ev: 'service-remove', sid, reason });
  }

  /** A service the sync kept while it leaves HA, released once it has settled (mustSettleBeforeRelease). */
  private releaseIfSettled(config: HaConfig, sid: string, status: ServiceStatus): boolean {
    if (!this.leaving.has(sid) || mustSettleBeforeRelease(status)) return false;
    this.release(sid, config.resources[sid] ? 'ignored' : 'deleted');
    return true;
  }

  private contextFor(input: ManagerRoundInput, lrmModes: ReadonlyMap<string, string>): ServiceContext {
    const { config, nowMs } = input;
    const usage = this.caches.usageForRound(this.nodes.onlineNodes(), this.scheduler.sizing());
    const selector = roundSelector(usage, this.rules, config, (sid) => this.status.serviceStatus.get(sid));
    const knowing = this.commandKnowledge(config, input.membership);
    const ctx: ServiceContext = {
      nowMs,
      nodes: this.nodes,
      selector,
      rebalanceOnStart: config.settings.rebalanceOnStart,
      emit: this.ports.emit,
      resource: (sid) => this.records.resource(config.resources, sid) ?? DISABLED_RESOURCE,
      // The delay is worked out only for a node that is not online: it is asked for every service every round.
      isOfflineDelayed: (node) => !this.nodes.isOnline(node) && this.nodes.isOfflineDelayed(node, nowMs, this.fencing.offlineDelayMs(config.fence, node, input.fenceDelayMs, input.roundMs)),
      lrmMode: (node) => lrmModes.get(node),
      isLeaving: (sid) => this.leaving.has(sid),
      checkCommand: (command) => checkCrmCommand(command, knowing),
      change: (sid, status, next, params) => this.changeState(sid, status, next, params),
      correctNode: (sid, status, node, reason) => this.correctNode(sid, status, node, reason),
      renewUid: (_sid, status) => {
        status.uid = this.ports.newUid();
      },
      updateResource: (sid, patch) => this.records.record(sid, patch),
    };
    return ctx;
  }

  /** Whether the carried load equals a fresh count of every service (a check for tests). */
  usageMatchesRecount(): boolean {
    return this.caches.usageMatchesRecount(this.nodes.onlineNodes());
  }

  /**
   * One pass over all services in sid order; true if any service changed state (or left HA). Before a
   * service's handler runs, a result its own node's LRM reported for it confirms that the LRM knows it
   * (no longer `mayRunUnmanaged`).
   */
  private runHandlers(ctx: ServiceContext, round: { config: HaConfig; lrmResults: LrmResultIndex; lrmModes: ReadonlyMap<string, string>; only: ReadonlySet<string> | undefined }): boolean {
    const { lrmResults, lrmModes } = round;
    let changed = false;
    // Most rounds have no LRM restarting: then no service needs its node's mode looked up.
    let isAnyLrmRestarting = false;
    for (const mode of lrmModes.values()) if (mode === 'restart') isAnyLrmRestarting = true;
    for (const [sid, status] of this.entries()) {
      if (round.only && !round.only.has(sid)) continue;
      const before = status.state;
      if (status.mayRunUnmanaged && lrmResults.isReportedByOwnNode(status)) status.mayRunUnmanaged = false;
      this.dispatch(ctx, sid, status, lrmResults);
      if (this.leaving.size > 0 && this.releaseIfSettled(round.config, sid, status)) {
        changed = true;
        continue;
      }
      const after = status.state as ServiceState;
      if (isAnyLrmRestarting && (after === 'started' || after === 'stopped' || after === 'request_stop') && lrmModes.get(status.node) === 'restart') {
        ctx.change(sid, status, 'freeze');
      }
      if (status.state !== before) changed = true;
    }
    return changed;
  }

  private dispatch(ctx: ServiceContext, sid: string, status: ServiceStatus, lrmResults: LrmResultIndex): void {
    const state = status.state;
    switch (state) {
      case 'request_start':
        return handleRequestStart(ctx, sid, status);
      case 'started':
        return handleStarted(ctx, sid, status, lrmResults);
      case 'migrate':
      case 'relocate':
      case 'request_start_balance':
        return handleMove(ctx, sid, status, lrmResults.find(status));
      case 'request_stop':
        return handleRequestStop(ctx, sid, status, lrmResults.find(status));
      case 'stopped':
        return handleStopped(ctx, sid, status);
      case 'fence':
        return handleFence(ctx, sid, status); // the fencing step decides, unless it waits for its node
      case 'recovery':
        return handleRecovery(ctx, sid, status);
      case 'freeze':
        return handleFreeze(ctx, sid, status);
      case 'error':
        return handleError(ctx, sid, status);
      default:
        assertNever(state, 'service state');
    }
  }

  private correctNode(sid: string, status: ServiceStatus, node: string, reason: 'wrong-node' | undefined): void {
    const before = { state: status.state, node: status.node, target: status.target };
    this.ports.emit({ ev: 'service-fixup', sid, from: status.node, to: node, ...(reason && { reason }) });
    status.node = node;
    status.running = false;
    status.uid = this.ports.newUid();
    this.caches.stateChanged(sid, before, status);
  }

  private changeState(sid: string, status: ServiceStatus, next: ServiceState, params: StateChangeParams = {}): void {
    const previous = status.state;
    const before = { state: previous, node: status.node, target: status.target };
    assert(previous !== next, `Service ${sid} is already ${next}`);
    assert(this.status.serviceStatus.get(sid) === status, `Service ${sid} is not managed`);
    status.state = next;
    status.isWaitingForNode = false;
    // On another node now (moved, recovered): whether it may run there unmanaged is the handler's to say.
    if (params.node !== undefined && params.node !== status.node) status.mayRunUnmanaged = false;
    if (params.node !== undefined) status.node = params.node;
    status.target = params.target;
    status.running = false;
    status.timeoutS = params.timeoutS;
    status.cmd = undefined;
    status.uid = this.ports.newUid();
    this.caches.stateChanged(sid, before, status);
    const event = { ev: 'service-state' as const, sid, from: previous, to: next, on: status.node, target: status.target ?? null, ...(params.reason && { reason: params.reason }) };
    this.ports.emit(params.timeoutS !== undefined ? { ...event, timeout: params.timeoutS } : event);
  }
}
