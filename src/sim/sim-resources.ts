import type { LrmResultCode } from '../common/lrm-result.ts';
import { isValidSid, parseSid } from '../common/sid.ts';
import type { ServiceSize } from '../common/ha-config.ts';
import type { TraceBody } from '../common/trace.ts';
import type { LrmJob } from '../env/env.ts';
import { executeRequestSync, type RequestOutcome } from '../resources/execute-request.ts';
import { OcfExit } from '../resources/ocf-exit.ts';
import { done, notDone, type DriverResult, type SyncResourceDriver } from '../resources/resource-driver.ts';
import { serviceActionEvent } from '../resources/service-action-event.ts';

/** What the simulated resources need from the simulated cluster. */
export interface SimResourceWorld {
  /** The node the master recorded for the service (the simulated resources.cfg). */
  configuredNode(sid: string): string | undefined;
  isRunning(node: string, sid: string): boolean;
  setRunning(node: string, sid: string, isRunning: boolean): void;
  lockOf(sid: string): string | undefined;
}

/**
 * Failure behaviour of `fa:<a><b><c>[<d>[<e>[<f>]]]` services: b failed starts and c failed moves
 * before one succeeds (counted per service across all nodes), d non-zero: stops never succeed; f
 * non-zero (README-5.2 §3): starts and moves fail only on node<f> — an attempt elsewhere succeeds and
 * resets the service's count.
 */
export interface FailureSpec {
  readonly startFailures: number;
  readonly moveFailures: number;
  readonly canStop: boolean;
  /** The only node where starts (on it) and moves (from it) fail; undefined: every node. */
  readonly failsOnlyOn: string | undefined;
}

export function failureSpecOf(sid: string): FailureSpec | undefined {
  const parsed = parseSid(sid);
  if (!parsed || parsed.type !== 'fa' || !/^\d{3,6}$/.test(parsed.name)) return undefined;
  const digits = parsed.name.split('').map(Number);
  const node = digits[5] ?? 0;
  return { startFailures: digits[1]!, moveFailures: digits[2]!, canStop: (digits[3] ?? 0) === 0, failsOnlyOn: node === 0 ? undefined : `node${node}` };
}

/** Static size of a service without measured stats: derived from its id digits. */
export function derivedServiceSize(sid: string): ServiceSize {
  const digits = (parseSid(sid)?.name ?? '').replace(/\D/g, '');
  const first = Number(digits[0] ?? '0');
  const next = Number(digits.slice(1, 3) || '0');
  return { maxCpu: first + 1, maxMemBytes: (next + 1) * 512 * 1024 * 1024 };
}

/** The answers of a check, made once: a steady round checks every running service. */
const RUNNING = done(OcfExit.success);
const NOT_RUNNING = done(OcfExit.notRunning);

export type InjectedAction = 'start' | 'stop' | 'migrate';
/** How an injected failure shows: the agent says it failed, or never answers within its time-out. */
export type InjectedExec = 'error' | 'timeout';

/**
 * The simulated hardware's services, seen through drivers: per node a `SyncResourceDriver` that acts
 * at once on what runs where, with the failures of `fa:` ids, guest locks and injected failures
 * (`fail <sid> <action> <n>`). The request semantics are not here: `execute` runs the request core
 * (src/resources/request-steps.ts) against the node's driver, as the daemons do against theirs, and
 * emits the same `service-action` event from the outcome.
 */
export class SimResources {
  private readonly startFailures = new Map<string, number>();
  private readonly moveFailures = new Map<string, number>();
  /** Failures injected by `fail <sid> <action> <n>`: the next n such driver calls fail. */
  private readonly injected = new Map<string, Record<InjectedAction, { count: number; exec: InjectedExec }>>();
  private readonly drivers = new Map<string, SyncResourceDriver>();
  /** Driver calls that reached the simulated hardware (a malformed sid reaches nothing). */
  worldCalls = 0;

  constructor(
    private readonly world: SimResourceWorld,
    private readonly emit: (node: string, body: TraceBody) => void,
  ) {}

  inject(sid: string, action: InjectedAction, count: number, exec: InjectedExec = 'error'): void {
    const none = () => ({ count: 0, exec: 'error' as const });
    const counts = this.injected.get(sid) ?? { start: none(), stop: none(), migrate: none() };
    counts[action] = { count, exec };
    this.injected.set(sid, counts);
  }

  clearInjected(): void {
    this.injected.clear();
  }

  /** Executes an LRM job of `node` instantly; emits a `service-action` when there was something to do. */
  execute(node: string, job: LrmJob): LrmResultCode {
    return this.run(node, job).result;
  }

  /** `execute` with the failing driver call's reason, which the LRM reports with the result. */
  run(node: string, job: LrmJob): RequestOutcome {
    const outcome = executeRequestSync(this.driverFor(node), job, { configuredNode: this.world.configuredNode(job.sid), localNode: node });
    const event = serviceActionEvent(job, outcome);
    if (event) this.emit(node, event);
    return outcome;
  }

  /** The driver of one node; calls act on that node's running set. */
  driverFor(node: string): SyncResourceDriver {
    let driver = this.drivers.get(node);
    if (!driver) {
      driver = this.newDriver(node);
      this.drivers.set(node, driver);
    }
    return driver;
  }

  private newDriver(node: string): SyncResourceDriver {
    return {
      name: 'simulated',
      // Proxmox's simulator migrates `vm` guests online; every other type relocates (README §3).
      canMigrateOnline: (sid) => parseSid(sid)?.type === 'vm',
      check: (sid) => this.refusedSid(sid) ?? (this.world.isRunning(node, sid) ? RUNNING : NOT_RUNNING),
      start: (sid) => this.refusedSid(sid) ?? this.start(node, sid),
      stop: (sid) => this.refusedSid(sid) ?? this.stop(node, sid),
      migrate: (sid) => this.refusedSid(sid) ?? this.move(node, sid),
      relocate: (sid) => this.refusedSid(sid) ?? this.move(node, sid),
    };
  }

  /** A malformed sid reaches nothing, as with every driver; every other call is counted. */
  private refusedSid(sid: string): DriverResult | undefined {
    if (!isValidSid(sid)) return done(OcfExit.errorArgs, `Bad sid: ${JSON.stringify(sid)}`);
    this.worldCalls++;
    return undefined;
  }

  private start(node: string, sid: string): DriverResult {
    if (this.world.isRunning(node, sid)) return RUNNING;
    const refusal = this.refusal(sid, 'start') ?? this.spentAttempt(this.startFailures, { sid, node }, failureSpecOf(sid)?.startFailures ?? 0, 'start');
    if (refusal) return refusal;
    this.world.setRunning(node, sid, true);
    return done(OcfExit.success);
  }

  private stop(node: string, sid: string): DriverResult {
    if (!this.world.isRunning(node, sid)) return done(OcfExit.success);
    const refusal = this.refusal(sid, 'stop');
    if (refusal) return refusal;
    if (!(failureSpecOf(sid)?.canStop ?? true)) return done(OcfExit.error, `${sid} cannot be stopped (fa: stop digit)`);
    this.world.setRunning(node, sid, false);
    return done(OcfExit.success);
  }

  /**
   * migrate and relocate alike: the service leaves this node's running set and arrives not running
   * (the target LRM starts it). Where it is configured is the master's to record, not the driver's.
   */
  private move(node: string, sid: string): DriverResult {
    const refusal = this.refusal(sid, 'migrate') ?? this.spentAttempt(this.moveFailures, { sid, node }, failureSpecOf(sid)?.moveFailures ?? 0, 'move');
    if (refusal) return refusal;
    this.world.setRunning(node, sid, false);
    return done(OcfExit.success);
  }

  /** A guest lock or an injected failure refuses the call. */
  private refusal(sid: string, action: InjectedAction): DriverResult | undefined {
    const lock = this.world.lockOf(sid);
    if (lock !== undefined) return done(OcfExit.error, `${sid} is locked (${lock})`);
    const injected = this.injected.get(sid)?.[action];
    if (!injected || injected.count === 0) return undefined;
    injected.count--;
    const detail = `injected ${action} failure`;
    return injected.exec === 'timeout' ? notDone('timeout', detail) : done(OcfExit.error, detail);
  }

  /**
   * Counts an attempt on `node` against the service's failure budget; a failure result while it
   * lasts. An attempt on a node the service does not fail on succeeds and resets the count.
   */
  private spentAttempt(counters: Map<string, number>, at: { sid: string; node: string }, failuresBeforeSuccess: number, what: string): DriverResult | undefined {
    const { sid, node } = at;
    const failsOnlyOn = failureSpecOf(sid)?.failsOnlyOn;
    const failed = failsOnlyOn === undefined || failsOnlyOn === node ? (counters.get(sid) ?? 0) : failuresBeforeSuccess;
    if (failed < failuresBeforeSuccess) {
      counters.set(sid, failed + 1);
      return done(OcfExit.error, `${what} failure ${failed + 1} of ${failuresBeforeSuccess} (fa: id digits)`);
    }
    counters.set(sid, 0);
    return undefined;
  }
}
