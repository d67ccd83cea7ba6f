import { LrmResult, type LrmResultCode } from '../common/lrm-result.ts';
import { parseSid } from '../common/sid.ts';
import type { ServiceSize } from '../common/ha-config.ts';
import type { TraceBody } from '../common/trace.ts';
import type { LrmJob } from '../env/env.ts';

/** What the simulated resources need from the simulated cluster. */
export interface SimResourceWorld {
  configuredNode(sid: string): string | undefined;
  isRunning(node: string, sid: string): boolean;
  setRunning(node: string, sid: string, isRunning: boolean): void;
  /** Moves the service's configured node (and what runs on the source) to the target. */
  moveService(sid: string, from: string, to: string): void;
  lockOf(sid: string): string | undefined;
}

/**
 * Failure behaviour of `fa:<a><b><c>[<d>[<e>]]` services: b failed starts and c failed moves before
 * one succeeds (counted per service across all nodes), d non-zero: stops never succeed.
 */
export interface FailureSpec {
  readonly startFailures: number;
  readonly moveFailures: number;
  readonly canStop: boolean;
}

export function failureSpecOf(sid: string): FailureSpec | undefined {
  const parsed = parseSid(sid);
  if (!parsed || parsed.type !== 'fa' || !/^\d{3,5}$/.test(parsed.name)) return undefined;
  const digits = parsed.name.split('').map(Number);
  return { startFailures: digits[1]!, moveFailures: digits[2]!, canStop: (digits[3] ?? 0) === 0 };
}

/** Static size of a service without measured stats: derived from its id digits. */
export function derivedServiceSize(sid: string): ServiceSize {
  const digits = (parseSid(sid)?.name ?? '').replace(/\D/g, '');
  const first = Number(digits[0] ?? '0');
  const next = Number(digits.slice(1, 3) || '0');
  return { maxCpu: first + 1, maxMemBytes: (next + 1) * 512 * 1024 * 1024 };
}

/**
 * Executes an LRM job against the simulated hardware, instantly: check, act, check again. Emits a
 * `service-action` when there was something to do.
 */
export class SimResources {
  private readonly startFailures = new Map<string, number>();
  private readonly moveFailures = new Map<string, number>();
  /** Failures injected by `fail <sid> <action> <n>`: the next n such actions fail. */
  private readonly injected = new Map<string, { start: number; stop: number; migrate: number }>();

  constructor(
    private readonly world: SimResourceWorld,
    private readonly emit: (node: string, body: TraceBody) => void,
  ) {}

  inject(sid: string, action: 'start' | 'stop' | 'migrate', count: number): void {
    const counts = this.injected.get(sid) ?? { start: 0, stop: 0, migrate: 0 };
    counts[action] = count;
    this.injected.set(sid, counts);
  }

  clearInjected(): void {
    this.injected.clear();
  }

  /** Consumes one injected failure of this action; true if the action is to fail. */
  private isInjectedFailure(sid: string, action: 'start' | 'stop' | 'migrate'): boolean {
    const counts = this.injected.get(sid);
    if (!counts || counts[action] === 0) return false;
    counts[action]--;
    return true;
  }

  execute(node: string, job: LrmJob): LrmResultCode {
    const configured = this.world.configuredNode(job.sid);
    if (configured === undefined) return LrmResult.unknownService;
    if (job.request === 'error') return LrmResult.success;
    if (configured !== node) {
      this.emit(node, { ev: 'service-action', sid: job.sid, action: actionName(job.request), result: 'error', reason: 'wrong node' });
      return LrmResult.wrongNode;
    }
    switch (job.request) {
      case 'started':
        return this.start(node, job.sid);
      case 'request_stop':
      case 'stopped':
        return this.stop(node, job.sid);
      case 'migrate':
      case 'relocate':
      case 'request_start_balance':
        return this.move(node, job);
      default:
        return LrmResult.invalidParameter;
    }
  }

  private start(node: string, sid: string): LrmResultCode {
    if (this.world.isRunning(node, sid)) return LrmResult.success;
    const isStarted = !this.world.lockOf(sid) && !this.isInjectedFailure(sid, 'start') && this.attempt(this.startFailures, sid, failureSpecOf(sid)?.startFailures ?? 0);
    if (isStarted) this.world.setRunning(node, sid, true);
    this.emit(node, { ev: 'service-action', sid, action: 'start', result: isStarted ? 'ok' : 'error' });
    return isStarted ? LrmResult.success : LrmResult.error;
  }

  private stop(node: string, sid: string): LrmResultCode {
    if (!this.world.isRunning(node, sid)) return LrmResult.success;
    const isStopped = !this.world.lockOf(sid) && !this.isInjectedFailure(sid, 'stop') && (failureSpecOf(sid)?.canStop ?? true);
    if (isStopped) this.world.setRunning(node, sid, false);
    this.emit(node, { ev: 'service-action', sid, action: 'stop', result: isStopped ? 'ok' : 'error' });
    return isStopped ? LrmResult.success : LrmResult.error;
  }

  private move(node: string, job: LrmJob): LrmResultCode {
    const { sid, target } = job;
    if (target === undefined) return LrmResult.invalidParameter;
    if (this.world.configuredNode(sid) === target) return LrmResult.success;
    const isRunning = this.world.isRunning(node, sid);
    const isBalance = job.request === 'request_start_balance';
    if (isBalance && isRunning) {
      this.emit(node, { ev: 'service-action', sid, action: 'rebalance', result: 'ignored', target });
      return LrmResult.ignored;
    }
    const isOnline = job.request === 'migrate' && isRunning && parseSid(sid)?.type === 'vm';
    const action = isOnline ? 'migrate' : 'relocate';
    // A relocation stops the service first: an injected stop failure fails the whole move, as a driver would.
    const isStopFailing = !isOnline && isRunning && this.isInjectedFailure(sid, 'stop');
    const isMoved = !this.world.lockOf(sid) && !isStopFailing && !this.isInjectedFailure(sid, 'migrate') && this.attempt(this.moveFailures, sid, failureSpecOf(sid)?.moveFailures ?? 0);
    if (isMoved) {
      // An offline move stops the service first; a stop that fails is not waited for here.
      if (!isOnline && isRunning && (failureSpecOf(sid)?.canStop ?? true)) this.world.setRunning(node, sid, false);
      this.world.moveService(sid, node, target);
    }
    this.emit(node, { ev: 'service-action', sid, action, result: isMoved ? 'ok' : 'error', target });
    return isMoved ? LrmResult.success : LrmResult.error;
  }

  /** Counts an attempt against the service's failure budget; true when it succeeds. */
  private attempt(counters: Map<string, number>, sid: string, failuresBeforeSuccess: number): boolean {
    const failed = counters.get(sid) ?? 0;
    if (failed < failuresBeforeSuccess) {
      counters.set(sid, failed + 1);
      return false;
    }
    counters.set(sid, 0);
    return true;
  }
}

function actionName(request: string): string {
  if (request === 'started') return 'start';
  if (request === 'request_stop' || request === 'stopped') return 'stop';
  if (request === 'request_start_balance') return 'rebalance';
  return request;
}
