/**
 * The port through which a node's LRM acts on services: the resource drivers (simulated child
 * process, systemd, OCF agent, libvirt). One driver instance serves one node and one service type.
 *
 * Contract, shared by every implementation (test/resources/driver-contract.ts):
 * - Every call is async and bounded by `timeoutMs`; when it runs out the driver stops waiting (and
 *   kills the command it ran) and resolves `{ exec: 'timeout' }`. No call rejects for a condition of
 *   the world: a missing tool, a crashing agent, a bad sid are results, never exceptions. A thrown
 *   error is a bug.
 * - The sid is validated before anything reaches a command; commands are argument arrays, never a
 *   shell line.
 * - The agent's answer (`exit`, an OCF code) is kept apart from whether it ran (`exec`). When `exec`
 *   is not `'done'`, `exit` is `error` (timeout, error) or `notInstalled` (not-installed).
 * - `start` and `stop` are idempotent, as in OCF: starting a running service and stopping a stopped
 *   one succeed.
 * - Locking: the caller (the LRM's worker pool) runs at most one call per sid at a time; calls for
 *   different sids may run concurrently. Drivers keep no per-call state of their own beyond that.
 * - A driver never changes the HA configuration: after a migration or relocation the LRM reports
 *   success, and the master records the service's new node (manager status and resources.cfg).
 */
import { OcfExit } from './ocf-exit.ts';

/** Did the driver get an answer from the agent (`done`), or not, and why. */
export type ExecStatus = 'done' | 'timeout' | 'error' | 'not-installed';

/** The outcome of one driver call. */
export interface DriverResult {
  readonly exec: ExecStatus;
  /** The agent's answer; for `check`: success (or runningMaster) running, notRunning stopped, else failed. */
  readonly exit: OcfExit;
  /** One line for the log: what failed and why. */
  readonly detail?: string;
}

export interface CallOptions {
  /** How long the call may take in all, including killing what it ran on time-out. */
  readonly timeoutMs: number;
}

export interface MoveOptions extends CallOptions {
  /** The node the service moves to. */
  readonly target: string;
}

/**
 * The calls of a driver, generic in how a result arrives: `ResourceDriver` answers with promises (real
 * commands take time), `SyncResourceDriver` at once (the simulator's resources, in virtual time). Both
 * keep the same contract and are run by the same request core (request-steps.ts).
 */
export interface DriverCalls<Answer> {
  /** Name for logs, e.g. `systemd`, `ocf`, `virsh`, `sim`. */
  readonly name: string;
  /** Whether `migrate` moves this running service without stopping it. */
  canMigrateOnline(sid: string): boolean;
  /** Is the service running on this node? (OCF monitor.) */
  check(sid: string, options: CallOptions): Answer;
  /** Starts the service on this node; success when it was already running. */
  start(sid: string, options: CallOptions): Answer;
  /** Stops the service on this node; success when it was not running. */
  stop(sid: string, options: CallOptions): Answer;
  /** Moves the running service to the target while it runs (only called when `canMigrateOnline(sid)`). */
  migrate(sid: string, options: MoveOptions): Answer;
  /**
   * Moves the stopped service's definition to the target (the caller has stopped it). Drivers whose
   * definitions live in shared storage have nothing to do and succeed.
   */
  relocate(sid: string, options: MoveOptions): Answer;
}

/** A driver of a real node: every call runs a command or talks to an agent, so it answers later. */
/**
 * Where a running service's CPU and memory use can be read (for the dynamic scheduler, README-5.2
 * §7.3): its cgroup (v2), or its main process, whose tree of descendants is summed (usage-source.ts).
 */
export type UsageSource = { readonly kind: 'cgroup'; readonly dir: string } | { readonly kind: 'process'; readonly pid: number };

export interface ResourceDriver extends DriverCalls<Promise<DriverResult>> {
  /**
   * Where the running service's CPU and memory use can be read (its cgroup or its main process), for
   * the dynamic scheduler; undefined when it does not run here or the driver cannot know (a quick,
   * local look-up: no agent is run for it).
   */
  usageSource(sid: string): UsageSource | undefined;
}

/** A driver that answers at once: the simulated resources, whose actions take no time. */
export interface SyncResourceDriver extends DriverCalls<DriverResult> {}

/** Default time limits of one call; a request's own stop timeout (`timeoutS`) overrides `stopMs`. */
export interface DriverTimeouts {
  readonly checkMs: number;
  readonly startMs: number;
  readonly stopMs: number;
  readonly migrateMs: number;
}

export const DEFAULT_DRIVER_TIMEOUTS: DriverTimeouts = {
  // A status query is cheap; one that hangs for half a minute means the tool itself is stuck.
  checkMs: 30_000,
  // Proxmox waits up to 2 minutes for a guest to start or shut down before it calls it failed.
  startMs: 120_000,
  stopMs: 120_000,
  // A live migration copies the guest's memory; 10 minutes covers large guests on a 1 Gbit link.
  migrateMs: 600_000,
};

export function isRunningResult(result: DriverResult): boolean {
  return result.exec === 'done' && (result.exit === 0 || result.exit === 8);
}

export function isStoppedResult(result: DriverResult): boolean {
  return result.exec === 'done' && result.exit === 7;
}

export function done(exit: OcfExit, detail?: string): DriverResult {
  return detail === undefined ? { exec: 'done', exit } : { exec: 'done', exit, detail };
}

/** A sid a driver cannot name a service by: its arguments are wrong (OCF's errorArgs), said with the form it expects. */
export function badSid(driverName: string, sid: string, expected?: string): DriverResult {
  return done(OcfExit.errorArgs, `Bad sid for the ${driverName} driver: ${JSON.stringify(sid)}${expected !== undefined ? ` (expected ${expected})` : ''}`);
}

/** A result for a call whose agent gave no answer. */
export function notDone(exec: Exclude<ExecStatus, 'done'>, detail: string): DriverResult {
  return { exec, exit: exec === 'not-installed' ? 5 : 1, detail };
}
