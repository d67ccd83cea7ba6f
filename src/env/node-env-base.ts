import createDebug from 'debug';
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ManagerStatus } from '../common/manager-status.ts';
import { membershipSilenceMs, type Timing } from '../common/timing.ts';
import type { EmitEvent, TraceBody, TraceEvent } from '../common/trace.ts';
import { DirLeaseStore } from '../store/dir-lease-store.ts';
import { DirStatusStore } from '../store/dir-status-store.ts';
import { agentLease, takeAgentLease, type AcquireOutcome, type LeaseName } from '../store/lease-store.ts';
import { sharedPaths, type SharedPaths } from '../store/shared-dir.ts';
import type { AgentLeaseTake, HaConfig, Membership } from './env.ts';
import type { NodeConfigSource } from './node-config.ts';
import type { BlackBoxKind, NodeJournal } from './node-journal.ts';
import { NodeMembership } from './node-membership.ts';
import { NodeWatchdog } from './node-watchdog.ts';

export interface NodeEnvParts {
  readonly daemon: 'crm' | 'lrm';
  readonly node: string;
  readonly sharedDir: string;
  readonly config: NodeConfigSource;
  readonly journal: NodeJournal;
  readonly watchdogSocket: string;
  /** Called when the watchdog client fails: the daemon must stop at once. */
  readonly onWatchdogFailure: (message: string) => void;
  /** Where trace events are printed (the daemon's stderr in its --log-format; the journal under systemd). */
  readonly print: (event: TraceEvent) => void;
}

/**
 * What the CRM and LRM environments of a real node share: the monotonic clock, the shared directory
 * (dir lease store, status files), the config source, the membership sampled once per round, the
 * watchdog client and the journal. Call `beginRound()` before each round of the core.
 */
export abstract class NodeEnvBase {
  readonly nodeName: string;
  readonly timing: Timing;
  readonly emit: EmitEvent;
  readonly watchdog: NodeWatchdog;
  protected readonly paths: SharedPaths;
  protected readonly statusStore: DirStatusStore;
  protected readonly leases: DirLeaseStore;
  protected readonly debug: createDebug.Debugger;
  private readonly nodeMembership: NodeMembership;
  private currentMembership: Membership | undefined;
  private isReachable = false;

  constructor(protected readonly parts: NodeEnvParts) {
    this.nodeName = parts.node;
    this.timing = parts.config.timing;
    this.paths = sharedPaths(parts.sharedDir);
    this.statusStore = new DirStatusStore(parts.sharedDir);
    this.debug = createDebug(`ha:${parts.daemon}`);
    const storeDebug = createDebug('ha:store');
    this.leases = new DirLeaseStore({ leasesPath: this.paths.leases, node: parts.node, leaseTimeoutMs: this.timing.leaseTimeoutMs, onProblem: (line) => storeDebug(line) });
    this.nodeMembership = new NodeMembership(parts.node, this.statusStore, membershipSilenceMs(this.timing));
    this.watchdog = new NodeWatchdog({
      socketPath: parts.watchdogSocket,
      daemon: parts.daemon,
      timeoutMs: this.timing.watchdogClientTimeoutMs,
      record: (kind, detail) => this.record(kind, detail),
      nowMs: () => this.nowMs(),
      onFailure: parts.onWatchdogFailure,
    });
    this.emit = (body: TraceBody) => this.emitEvent(body);
  }

  nowMs(): number {
    return Math.floor(performance.now());
  }

  /** Samples reachability and membership for the round about to run. */
  beginRound(): void {
    this.isReachable = this.canReachSharedDir();
    if (this.isReachable) this.parts.config.checkFiles();
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
      if (isOwn) this.record('renew-failed', `${name}: shared directory ${this.paths.root} unreachable`);
      return false;
    }
    const startMs = this.nowMs();
    const outcome: AcquireOutcome = this.leases.acquire(name, startMs);
    const tookMs = this.nowMs() - startMs;
    const isSuccess = (outcome === 'taken' || outcome === 'renewed') && tookMs <= this.timing.renewalMaxMs;
    if (outcome === 'taken') this.emit({ ev: 'lock', lock: name });
    if (isOwn) this.record(isSuccess ? 'renew' : 'renew-failed', `${name} ${outcome} in ${tookMs} ms`);
    return isSuccess;
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

  private canReachSharedDir(): boolean {
    try {
      return statSync(this.paths.leases).isDirectory();
    } catch {
      return false;
    }
  }

  private emitEvent(body: TraceBody): void {
    const wallMs = Date.now();
    const event: TraceEvent = { t: wallMs, node: this.nodeName, ...body };
    this.parts.journal.recordEvent(wallMs, this.nowMs(), event);
    this.parts.print(event);
  }
}
