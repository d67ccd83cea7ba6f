import type { FenceAttempt, ManagerStatusVersion } from '../common/manager-status.ts';
import type { FenceProxyLocal } from './fence-proxy.ts';
import type { LrmActionResult } from '../common/lrm-status.ts';
import type { ServiceTable } from '../common/service-table.ts';
import type { LrmMode, LrmState, NodeState } from '../common/states.ts';
import type { OwnServices } from './service-counts.ts';

/** A service action the LRM has queued or handed to a driver. */
export interface Worker {
  readonly sid: string;
  readonly uid: string | undefined;
  readonly request: string;
  readonly target?: string | undefined;
  readonly timeoutS?: number | undefined;
  isRunning: boolean;
  /** Rounds this worker waited for a free slot: the longest waiting starts first. */
  startTries: number;
}

export type ShutdownKind = 'shutdown' | 'reboot' | 'restart';

/** The LRM's memory between rounds. */
export interface LrmLocal {
  state: LrmState;
  mode: LrmMode;
  stateChangedMs: number;
  /** The pending request to exit, if any. */
  shutdown: { kind: ShutdownKind; atMs: number } | undefined;
  /** Local stops of a node shutdown that failed: the lease is then kept until the watchdog acts. */
  shutdownStopErrors: number;
  hasPublishedStatus: boolean;
  isWatchdogOpen: boolean;
  /**
   * A registration claimed at start whose agent lease is not adopted yet (the store did not answer):
   * adoption is retried, with the bound grown by the time since, until it exceeds the lease timeout.
   */
  pendingAdoption: { readonly keepaliveAgeMs: number; readonly claimedAtMs: number } | undefined;
  idleRounds: number;
  /** The service status as the master last saved it. */
  services: ServiceTable;
  /** The version of that manager status: an older one read later is ignored (a stale read). */
  statusVersion: ManagerStatusVersion | undefined;
  /** The services the master assigned to this node. */
  ownServices: OwnServices;
  /** Services on other nodes whose move targets this node: they need its lease as much (README-5.2 §4.2). */
  incomingServices: OwnServices;
  /** The manager status holds a disarm request: this LRM holds no lease and acts on nothing. */
  isDisarmRequested: boolean;
  /** This node's state in the master's view. */
  nodeState: NodeState | undefined;
  isMaintenanceRequested: boolean;
  /** Results by request id: also the record of which requests were executed already. */
  results: Map<string, LrmActionResult>;
  /** The store holds `results` as published: the next change works on a copy. */
  isResultsPublished: boolean;
  restartTries: Map<string, number>;
  workers: Map<string, Worker>;
  /** Local shutdown stops waiting for a job of the same service to finish (see queueRequest). */
  queuedAfterRunning: Map<string, Worker>;
  runningWorkers: number;
  /** The fence jobs of the manager status as last taken in (this node may be named proxy for some). */
  fencing: Readonly<Record<string, FenceAttempt>> | undefined;
  fenceProxy: FenceProxyLocal;
}
