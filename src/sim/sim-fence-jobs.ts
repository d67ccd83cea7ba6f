/**
 * Fence jobs in virtual time: what a proxy's LRM starts through `LrmEnv.startFence` (SimLrmEnv), run
 * as the real runner runs them (src/fence) against the simulated devices (sim-fence-devices.ts):
 * - `off`/`on` of a level makes the calls the real runner makes (src/fence/level-plan.ts decides them
 *   and judges each result, for both): every device off one after another, then each checked with
 *   `status`; the first failure ends the job. When every `off` succeeded the target powers off (a level
 *   of two PDUs feeds redundant supplies: one off is not enough), so a `status` then reads it off; when
 *   every `on` did, it boots.
 * - A kdump level powers nothing: fence_kdump listens for the target's dump message and succeeds once
 *   the target crashed announcing one (`crash <node> kdump`), or fails at its timeout.
 * - `soft` checks the host and restarts its LRM (the configured commands): it succeeds when the target
 *   is powered and networked, and fails ("host does not answer") when it is off or cut off.
 * - The proxy must be powered and networked: a call that would start while it is cut off fails at
 *   once. A proxy powered off takes its jobs along, and a job of an LRM process that ended (crash,
 *   restart) still acts on the devices but is never reported, as a real runner's children would.
 *
 * The simulator calls `advance` between daemon iterations, and at a round's end steps the clock to
 * each `nextDueMs`, so a job's effects happen at their time; a job's calls are timed from when the
 * previous one ended, not from when `advance` noticed.
 */
import { assert } from '../common/assert.ts';
import type { FenceJobResult } from '../common/lrm-status.ts';
import type { TraceBody } from '../common/trace.ts';
import type { FenceJob } from '../env/env.ts';
import { AGENT_EXIT, type AgentCallResult } from '../fence/agent-result.ts';
import { fenceLevelsFor, nodeFenceSettings, type FenceConfig, type FenceLevel } from '../fence/fence-config.ts';
import { judgeCall, levelCalls, type PlannedCall } from '../fence/level-plan.ts';
import { simAgentAbilities, SOFT_FENCE_MS, type FenceCallOutcome, type SimFenceDevices } from './sim-fence-devices.ts';

/** What the jobs see of and do to the simulated world (sim-fence-world.ts binds it to a Simulator). */
export interface SimFenceWorld {
  readonly devices: SimFenceDevices;
  nowMs(): number;
  fenceConfig(): FenceConfig;
  isPoweredOn(node: string): boolean;
  isOnline(node: string): boolean;
  /** The node crashed announcing a kernel dump and has not been powered on since. */
  isDumping(node: string): boolean;
  /** Grows at every boot of the node: a job started before a power cycle is gone. */
  bootsOf(node: string): number;
  /** The node's LRM process now (compared by identity), undefined when none runs. */
  lrmProcessOf(node: string): object | undefined;
  powerOff(node: string): void;
  powerOn(node: string): void;
  /** Kills and starts the node's LRM (a hung one included); true when an LRM runs afterwards. */
  restartLrm(node: string): boolean;
  emit(node: string, body: TraceBody): void;
}

/** A master runs one job per lost node at a time, and a cluster has at most a few hundred nodes. */
export const FENCE_JOBS_MAX = 1024;
/** Calls one `advance` may finish for one job: a level has a handful of devices. */
const CALLS_PER_ADVANCE_MAX = 64;
/** Results a proxy has not taken yet: its LRM takes them every iteration. */
export const FINISHED_PER_PROXY_MAX = 256;

interface RunningJob {
  readonly proxy: string;
  readonly job: FenceJob;
  readonly lrmProcess: object | undefined;
  readonly boots: number;
  /** Undefined for a soft fence. */
  readonly level: FenceLevel | undefined;
  readonly calls: readonly PlannedCall[];
  callIndex: number;
  callStartMs: number;
  call: FenceCallOutcome;
}

interface FinishedJob {
  readonly result: FenceJobResult;
  readonly lrmProcess: object | undefined;
}

export class SimFenceJobs {
  private jobs: RunningJob[] = [];
  private readonly finished = new Map<string, FinishedJob[]>();

  constructor(private readonly world: SimFenceWorld) {}

  get size(): number {
    return this.jobs.length;
  }

  /** Starts `job` on `proxy` now; a job that cannot run at all is finished (failed) at once. */
  start(proxy: string, job: FenceJob): void {
    assert(this.jobs.length < FENCE_JOBS_MAX, `${this.jobs.length} fence jobs running, the limit is ${FENCE_JOBS_MAX}`);
    assert(proxy !== job.target, `Node ${proxy} was asked to fence itself`);
    const world = this.world;
    const lrmProcess = world.lrmProcessOf(proxy);
    const fail = (reason: string): void => void this.finish({ proxy, job, lrmProcess }, false, reason);
    if (!world.isOnline(proxy)) return fail(`node ${proxy} cannot reach the cluster network`);
    const nowMs = world.nowMs();
    if (job.action === 'soft') {
      if (nodeFenceSettings(world.fenceConfig(), job.target)?.softFence === undefined) return fail(`no soft fence is configured for node ${job.target}`);
      const call: FenceCallOutcome = { kind: 'done', afterMs: SOFT_FENCE_MS, ok: true };
      this.jobs.push({ proxy, job, lrmProcess, boots: world.bootsOf(proxy), level: undefined, calls: [], callIndex: 0, callStartMs: nowMs, call });
      return;
    }
    const level = fenceLevelsFor(world.fenceConfig(), job.target)[job.level];
    if (level === undefined) return fail(`node ${job.target} has no fence level ${job.level + 1}`);
    const calls = levelCalls(level, job.action, simAgentAbilities);
    // A kdump level has no `on`: its node reboots by itself.
    if (calls.length === 0) return void this.finish({ proxy, job, lrmProcess }, true, `no device of level '${level.name}' has an ${job.action} action: nothing to do`);
    const call = this.outcomeOf(level, calls[0]!);
    this.jobs.push({ proxy, job, lrmProcess, boots: world.bootsOf(proxy), level, calls, callIndex: 0, callStartMs: nowMs, call });
  }

  private outcomeOf(level: FenceLevel, planned: PlannedCall): FenceCallOutcome {
    return this.world.devices.callOutcome(level.steps[planned.stepIndex]!, planned.action);
  }

  /** Results for `proxy`'s LRM since the last call; those of an LRM process that ended are dropped. */
  takeFinished(proxy: string): FenceJobResult[] {
    const finished = this.finished.get(proxy);
    if (finished === undefined) return [];
    this.finished.delete(proxy);
    const lrmProcess = this.world.lrmProcessOf(proxy);
    return finished.filter((entry) => entry.lrmProcess === lrmProcess).map((entry) => entry.result);
  }

  /** The earliest time a running job's call ends (a kdump wait: its timeout); undefined when none runs. */
  nextDueMs(): number | undefined {
    let dueMs: number | undefined;
    for (const job of this.jobs) {
      const jobDueMs = this.callEndMs(job);
      if (dueMs === undefined || jobDueMs < dueMs) dueMs = jobDueMs;
    }
    return dueMs;
  }

  /** Finishes every call that has ended by now, in order, and acts on the world. */
  advance(): void {
    if (this.jobs.length === 0) return;
    const nowMs = this.world.nowMs();
    for (const job of [...this.jobs]) {
      if (!this.world.isPoweredOn(job.proxy) || this.world.bootsOf(job.proxy) !== job.boots) {
        this.remove(job); // the agents died with their node: no effect, no report
        continue;
      }
      for (let calls = 0; this.jobs.includes(job); calls++) {
        assert(calls < CALLS_PER_ADVANCE_MAX, `Fence job ${job.job.uid} finished ${calls} calls in one step`);
        if (!this.advanceCall(job, nowMs)) break;
      }
    }
  }

  /** Ends the job's current call if it has ended by `nowMs`; false when it is still running. */
  private advanceCall(job: RunningJob, nowMs: number): boolean {
    if (job.job.action === 'soft') {
      if (nowMs < job.callStartMs + SOFT_FENCE_MS) return false;
      this.finishSoft(job);
      return true;
    }
    const call = job.call;
    const planned = job.calls[job.callIndex]!;
    const step = job.level!.steps[planned.stepIndex]!;
    const result = (endMs: number, exec: 'done' | 'timeout', exit: number, reason: string): AgentCallResult => ({ agent: step.agent, action: planned.action, exec, exit, durationMs: endMs - job.callStartMs, reason, stdout: '' });
    if (call.kind === 'wait-kdump') {
      const listensMs = job.callStartMs + call.startMs;
      if (nowMs >= listensMs && this.world.isDumping(job.job.target)) return this.callEnded(job, result(Math.max(listensMs, nowMs), 'done', AGENT_EXIT.success, 'kernel dump message received'));
      const endMs = job.callStartMs + call.timeoutMs;
      if (nowMs < endMs) return false;
      return this.callEnded(job, result(endMs, 'timeout', -1, `no kernel dump message from ${job.job.target} within ${step.timeoutS} s`));
    }
    const endMs = job.callStartMs + call.afterMs;
    if (nowMs < endMs) return false;
    if (call.kind === 'status') {
      const isOn = this.world.isPoweredOn(job.job.target);
      return this.callEnded(job, result(endMs, 'done', isOn ? AGENT_EXIT.success : AGENT_EXIT.statusOff, isOn ? 'Status: ON' : 'Status: OFF'));
    }
    return this.callEnded(job, result(endMs, call.ok ? 'done' : 'timeout', call.ok ? AGENT_EXIT.success : -1, call.reason ?? 'Success'));
  }

  /** Judges the call as the real runner does (level-plan.ts), acts on the power once a level's offs (ons) are all done, and starts the next. */
  private callEnded(job: RunningJob, result: AgentCallResult): boolean {
    const { target } = job.job;
    const level = job.level!;
    const planned = job.calls[job.callIndex]!;
    const step = level.steps[planned.stepIndex]!;
    const endMs = job.callStartMs + result.durationMs;
    const verdict = judgeCall(planned, result);
    const words = `${step.agent} ${planned.action} of ${target} through device ${step.deviceId}`;
    this.world.emit(job.proxy, { ev: 'log', level: verdict.ok ? 'info' : 'warn', msg: verdict.ok ? `${words}: ok after ${(result.durationMs / 1000).toFixed(1)} s` : `${words}: ${verdict.reason}` });
    if (!verdict.ok) return this.finish(job, false, `device '${step.deviceId}': ${verdict.reason}`);
    const next = job.calls[job.callIndex + 1];
    const isKdump = level.isKdump;
    // The node loses (gets) power once every device of the level switched it, not before.
    if (!isKdump && planned.action === 'off' && next?.action !== 'off') this.world.powerOff(target);
    if (!isKdump && planned.action === 'on' && next?.action !== 'on') this.world.powerOn(target);
    if (next === undefined) return this.finish(job, true, undefined);
    if (!this.world.isOnline(job.proxy)) return this.finish(job, false, `node ${job.proxy} cannot reach the cluster network`);
    job.callIndex++;
    job.callStartMs = endMs;
    job.call = this.outcomeOf(level, next);
    return true;
  }

  private finishSoft(job: RunningJob): void {
    const target = job.job.target;
    const isAnswering = this.world.isOnline(target);
    const isRestarted = isAnswering && this.world.restartLrm(target);
    const reason = !isAnswering ? `host ${target} does not answer` : isRestarted ? `host ${target} answers; its LRM was restarted` : `host ${target} answers, but its LRM did not start`;
    this.world.emit(job.proxy, { ev: 'log', level: isRestarted ? 'info' : 'warn', msg: `soft fence of ${target}: ${reason}` });
    this.finish(job, isRestarted, reason);
  }

  private finish(job: Pick<RunningJob, 'proxy' | 'job' | 'lrmProcess'>, ok: boolean, reason: string | undefined): boolean {
    const { uid, target, action, level } = job.job;
    this.remove(job);
    const result: FenceJobResult = { uid, target, action, level, ok, ...(reason !== undefined ? { reason } : {}) };
    const finished = this.finished.get(job.proxy) ?? [];
    assert(finished.length < FINISHED_PER_PROXY_MAX, `${finished.length} fence results wait for node ${job.proxy}'s LRM, the limit is ${FINISHED_PER_PROXY_MAX}`);
    finished.push({ result, lrmProcess: job.lrmProcess });
    this.finished.set(job.proxy, finished);
    return true;
  }

  /** When the job's current call ends, as far as is known now (a kdump wait ends early once the target dumps). */
  private callEndMs(job: RunningJob): number {
    const call = job.call;
    if (call.kind !== 'wait-kdump') return job.callStartMs + call.afterMs;
    return job.callStartMs + (this.world.isDumping(job.job.target) ? call.startMs : call.timeoutMs);
  }

  private remove(job: Pick<RunningJob, 'job' | 'proxy'>): void {
    this.jobs = this.jobs.filter((running) => running.job !== job.job || running.proxy !== job.proxy);
  }
}

