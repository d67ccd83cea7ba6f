import createDebug from 'debug';
import { performance } from 'node:perf_hooks';
import type { ManagerStatus } from '../common/manager-status.ts';
import { membershipSilenceMs, type Timing } from '../common/timing.ts';
import type { EmitEvent, TraceBody, TraceEvent } from '../common/trace.ts';
import { lockName } from '../common/event-words.ts';
import { NOT_WRITABLE_CODES } from '../common/fs-problem.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { agentLease, takeAgentLease, type AcquireOutcome, type LeaseName, type LeaseStore } from '../store/lease-store.ts';
import type { StatusStore } from '../store/status-store.ts';
import type { AgentLeaseTake, HaConfig, Membership } from './env.ts';
import type { NodeConfigSource } from './node-config.ts';
import type { BlackBoxKind, NodeJournal } from './node-journal.ts';
import { NodeMembership } from './node-membership.ts';
import { NodeWatchdog, type DaemonWatchdog } from './node-watchdog.ts';
import { NoWatchdog } from './no-watchdog.ts';

export interface NodeEnvParts {
  readonly daemon: 'crm' | 'lrm';
  readonly node: string;
  /** The cluster's store (a shared directory or etcd), opened by the daemon; this env never closes it. */
  readonly store: ClusterStore;
  readonly config: NodeConfigSource;
  readonly journal: NodeJournal;
  readonly watchdogSocket: string;
  /** The node is configured `watchdog none` (fence.cfg, read at start): no mux, nothing resets it. */
  readonly isWithoutWatchdog: boolean;
  /** Called when the watchdog client fails: the daemon must stop at once. */
  readonly onWatchdogFailure: (message: string) => void;
  /** Where trace events are printed (the daemon's stderr in its --log-format; the journal under systemd). */
  readonly print: (event: TraceEvent) => void;
}

/**
 * What the CRM and LRM environments of a real node share: the monotonic clock, the cluster's store
 * (its lease store and status store, whichever backend), the config source, the reachability of the
 * store and the membership sampled once per round, the watchdog client and the journal. Call
 * `beginRound()` before each round of the core.
 */
export abstract class NodeEnvBase {
  readonly nodeName: string;
  readonly timing: Timing;
  readonly emit: EmitEvent;
  readonly watchdog: DaemonWatchdog;
  /** The mux client, unless the node runs without a watchdog. */
  readonly muxClient: NodeWatchdog | undefined;
  protected readonly store: ClusterStore;
  protected readonly statusStore: StatusStore;
  protected readonly leases: LeaseStore;
  protected readonly debug: createDebug.Debugger;
  private readonly nodeMembership: NodeMembership;
  private currentMembership: Membership | undefined;
  private isReachable = false;
  /** Problems already said to the operator in this run (each once; the next ones go to debug only). */
  private readonly saidProblems = new Set<string>();
  /** The wait for this node's own agent lease was said (reset once it is held). */
  private isAgentWaitSaid = false;

  constructor(protected readonly parts: NodeEnvParts) {
    this.nodeName = parts.node;
    this.timing = parts.config.timing;
    this.store = parts.store;
    this.statusStore = parts.store.status;
    this.debug = createDebug(`ha:${parts.daemon}`);
    const storeDebug = createDebug('ha:store');
    const onProblem = (line: string) => {
      storeDebug(line);
      this.sayIfNotWritable(line);
    };
    this.leases = parts.store.leaseStore({ node: parts.node, leaseTimeoutMs: this.timing.leaseTimeoutMs, onProblem });
    this.nodeMembership = new NodeMembership(parts.node, this.statusStore, membershipSilenceMs(this.timing));
    this.muxClient = parts.isWithoutWatchdog
      ? undefined
      : new NodeWatchdog({
          socketPath: parts.watchdogSocket,
          daemon: parts.daemon,
          timeoutMs: this.timing.watchdogClientTimeoutMs,
          record: (kind, detail) => this.record(kind, detail),
          nowMs: () => this.nowMs(),
          onFailure: parts.onWatchdogFailure,
        });
    this.watchdog = this.muxClient ?? new NoWatchdog();
    this.emit = (body: TraceBody) => this.emitEvent(body);
  }

  nowMs(): number {
    return Math.floor(performance.now());
  }

  /**
   * Samples reachability and membership for the round about to run: one probe of the store (only
   * 'ready' is reachable: a store that is there but not set up is not this cluster's), then, when
   * reachable, the config signature.
   */
  beginRound(): void {
    this.isReachable = this.parts.store.probe() === 'ready';
    if (this.isReachable) this.parts.config.checkFiles();
    else this.parts.config.markUnreachable();
    this.currentMembership = this.nodeMembership.sample(this.nowMs(), this.readConfig(), this.isReachable);
  }

  membership(): Membership {
    if (!this.currentMembership) this.beginRound();
    return this.currentMembership!;
  }

  readConfig(): HaConfig {
    return this.parts.config.read();
  }

  readManagerStatus(): ManagerStatus | undefined {
    const read = this.statusStore.readManagerStatus();
    if (read.kind === 'ok') return read.value;
    if (read.kind !== 'missing') this.debug(read.message);
    return undefined;
  }

  record(kind: BlackBoxKind, detail: string): void {
    this.parts.journal.record({ wallMs: Date.now(), monoMs: this.nowMs(), kind, detail });
  }

  /**
   * One compare-and-set on a lease, counted as failed when it returned later than `renewalMaxMs`
   * after it started (src/store/lease-store.ts): only a success counted here may feed the watchdog.
   */
  protected acquireLease(name: LeaseName, isOwn: boolean): boolean {
    if (!this.isReachable) {
      if (isOwn) this.record('renew-failed', `${name}: store ${this.store.where} unreachable`);
      return false;
    }
    const startMs = this.nowMs();
    const outcome: AcquireOutcome = this.leases.acquire(name, startMs);
    const tookMs = this.nowMs() - startMs;
    const isSuccess = (outcome === 'taken' || outcome === 'renewed') && tookMs <= this.timing.renewalMaxMs;
    if (outcome === 'taken') this.emit({ ev: 'lock', lock: name });
    if (isOwn) this.record(isSuccess ? 'renew' : 'renew-failed', `${name} ${outcome} in ${tookMs} ms`);
    if (name === agentLease(this.nodeName)) this.sayAgentLeaseWait(name, outcome);
    return isSuccess;
  }

  /**
   * The LRM waits for its own agent lease while another holder's generation is fresh: a previous LRM
   * of this node whose registration it did not claim, or a master that took it. Said once, at once,
   * with how long: otherwise the daemon sits in wait_for_agent_lock for up to a lease timeout in silence.
   */
  private sayAgentLeaseWait(name: LeaseName, outcome: AcquireOutcome): void {
    if (outcome === 'taken' || outcome === 'renewed') this.isAgentWaitSaid = false;
    if (outcome !== 'refused' || this.isAgentWaitSaid) return;
    this.isAgentWaitSaid = true;
    const seen = this.leases.inspect(name, this.nowMs());
    const holder = seen === 'unavailable' ? undefined : seen.holder;
    const by = holder === this.nodeName ? `a previous ha-lrm of ${holder} (this one did not take over its watchdog registration)` : holder === undefined ? 'another process' : `node '${holder}'`;
    const timeoutS = this.timing.leaseTimeoutMs / 1000;
    this.emit({
      ev: 'log',
      level: 'notice',
      msg: `waiting for lock '${lockName(name)}' (${name} in ${this.store.where}): held by ${by}; it is free once not renewed for ${timeoutS} s (the lease timeout, fence_timeout in ha.cfg), so within ${timeoutS} s if its holder has stopped`,
    });
  }

  /**
   * A store call failed because this process may not write the shared directory (permissions, a
   * read-only mount): the rounds go on failing, so it is said once, with the cure; other store problems
   * (the directory briefly out of reach, etcd out of reach) go to the debug log, as the round's outcome
   * tells the rest. etcd's answers carry no errno: this is for a dir store.
   */
  protected sayIfNotWritable(line: string): void {
    const code = NOT_WRITABLE_CODES.find((candidate) => line.includes(candidate));
    if (code === undefined || this.saidProblems.has(code)) return;
    this.saidProblems.add(code);
    const cure = `this node cannot write the shared directory ${this.store.where}: run the daemons as root (or as the directory's owner), on a mount that is read-write`;
    this.emit({ ev: 'log', level: 'err', msg: `${line}; ${cure}` });
  }

  /**
   * Takes another node's agent lease (the master fencing it) and says what the take proves
   * (takeAgentLease). Unlike a renewal of this node's own lease, a slow take still counts: the proof is
   * about the other node, and no watchdog of this node is fed on it.
   */
  protected takeAgentLeaseOf(node: string): AgentLeaseTake {
    if (!this.isReachable) return 'refused';
    const { take, isTaken } = takeAgentLease(this.leases, node, () => this.nowMs());
    if (isTaken) this.emit({ ev: 'lock', lock: agentLease(node) });
    return take;
  }

  protected releaseLease(name: LeaseName): boolean {
    const outcome = this.leases.release(name, this.nowMs());
    this.record('lease-lost', `${name} given up: ${outcome}`);
    return outcome === 'released';
  }

  private emitEvent(body: TraceBody): void {
    const wallMs = Date.now();
    const event: TraceEvent = { t: wallMs, node: this.nodeName, ...body };
    this.parts.journal.recordEvent(wallMs, this.nowMs(), event);
    this.parts.print(event);
  }
}
