/**
 * The fence jobs a node runs as a proxy for the master (LrmEnv.startFence / takeFinishedFences):
 * each in the background — agents take seconds, a round must not wait — and once per uid, as the
 * master's FenceAttempt says (a job asked for again while it runs, or after it finished, is not run
 * again). The levels come from this node's own read of fence.cfg at the time the job starts.
 *
 * - `off` / `on`: level `job.level` of fenceLevelsFor(fence.cfg, target), through the FenceRunner.
 * - `soft`: the target's `softCheck` under `sh -c` (exit 0 = its host answers) and, when it answers,
 *   its `softFence` (e.g. restart ha-lrm over SSH). `ok` means the soft fence command ran and exited 0;
 *   a host that does not answer, or a soft fence that fails, is `ok: false` with the reason.
 * Every result is one line with the secrets of the target's devices masked.
 */
import { assert } from '../common/assert.ts';
import type { FenceJobResult } from '../common/lrm-status.ts';
import type { FenceJob } from '../env/env.ts';
import { runCommand } from '../resources/run-command.ts';
import { agentLine, maskText } from './agent-call.ts';
import { fenceLevelsFor, isSecretOption, nodeFenceSettings, type FenceConfig } from './fence-config.ts';
import type { FenceRunner } from './fence-runner.ts';

/** A host that is up answers a ping or `ssh true` in well under a second; one that does not in 10 s is not answering. */
const SOFT_CHECK_TIMEOUT_MS = 10_000;
/** Restarting a daemon over SSH takes seconds; an SSH session hanging on a half-dead host must not hold the fence. */
const SOFT_FENCE_TIMEOUT_MS = 30_000;
/** A proxy fences a handful of lost nodes at once; more jobs at once means a runaway master. */
const RUNNING_JOBS_MAX = 16;
/** Uids remembered as done, so a job asked for again is not re-run; far more than a master keeps open. */
const FINISHED_UIDS_MAX = 1_024;

export interface FenceJobsOptions {
  /** fence.cfg as this node reads it now; undefined when there is none. */
  readonly fenceConfig: () => FenceConfig | undefined;
  readonly runner: FenceRunner;
  /** Called as a job starts and finishes: one line for the node's log. */
  readonly log: (level: 'info' | 'warn', line: string) => void;
  /** Called when a job finished, so the LRM's loop can run its next round early. */
  readonly onFinished: () => void;
}

export class FenceJobs {
  private readonly running = new Set<string>();
  private readonly finishedUids: string[] = [];
  private finished: FenceJobResult[] = [];

  constructor(private readonly options: FenceJobsOptions) {}

  /** Starts `job` in the background unless it runs or ran already. */
  start(job: FenceJob): void {
    if (this.running.has(job.uid) || this.finishedUids.includes(job.uid)) return;
    if (this.running.size >= RUNNING_JOBS_MAX) {
      this.finish(job, { ok: false, reason: `${this.running.size} fence jobs already running on this node (limit ${RUNNING_JOBS_MAX})` });
      return;
    }
    this.running.add(job.uid);
    this.options.log('info', `fence job ${job.uid}: ${jobName(job)} for node '${job.target}' started`);
    void this.run(job).then(
      (outcome) => this.finish(job, outcome),
      (error: unknown) => this.finish(job, { ok: false, reason: `fence job failed: ${(error as Error).message}` }),
    );
  }

  /** Results of the jobs that finished since the last call. */
  take(): FenceJobResult[] {
    const taken = this.finished;
    this.finished = [];
    return taken;
  }

  /** Jobs started and not finished. */
  get runningCount(): number {
    return this.running.size;
  }

  private async run(job: FenceJob): Promise<{ ok: boolean; reason?: string }> {
    const config = this.options.fenceConfig();
    if (config === undefined) return { ok: false, reason: 'this node reads no fence.cfg' };
    const secrets = secretsFor(config, job.target);
    if (job.action === 'soft') return this.runSoft(config, job.target, secrets);
    const levels = fenceLevelsFor(config, job.target);
    const level = levels[job.level];
    if (level === undefined) return { ok: false, reason: `node '${job.target}' has no fence level ${job.level + 1} in this node's fence.cfg (it has ${levels.length})` };
    const outcome = await this.options.runner.runLevel(level, job.action);
    return outcome.ok ? { ok: true } : { ok: false, reason: maskText(`level '${level.name}': ${outcome.reason ?? 'failed'}`, secrets) };
  }

  private async runSoft(config: FenceConfig, target: string, secrets: readonly string[]): Promise<{ ok: boolean; reason: string }> {
    const settings = nodeFenceSettings(config, target);
    if (settings?.softCheck === undefined || settings.softFence === undefined) return { ok: false, reason: `no soft fence configured for node '${target}'` };
    const check = await runCommand(['/bin/sh', '-c', settings.softCheck], { timeoutMs: SOFT_CHECK_TIMEOUT_MS });
    if (check.exec !== 'done' || check.code !== 0) return { ok: false, reason: maskText(`host does not answer: ${commandLine('check', check)}`, secrets) };
    const fence = await runCommand(['/bin/sh', '-c', settings.softFence], { timeoutMs: SOFT_FENCE_TIMEOUT_MS });
    const isOk = fence.exec === 'done' && fence.code === 0;
    return { ok: isOk, reason: maskText(`host answers; ${isOk ? 'soft fence ran' : 'soft fence failed'}: ${commandLine('soft fence', fence)}`, secrets) };
  }

  private finish(job: FenceJob, outcome: { ok: boolean; reason?: string }): void {
    assert(!this.finishedUids.includes(job.uid), `Fence job ${job.uid} finished twice`);
    this.running.delete(job.uid);
    this.finishedUids.push(job.uid);
    if (this.finishedUids.length > FINISHED_UIDS_MAX) this.finishedUids.shift();
    const result: FenceJobResult = { uid: job.uid, target: job.target, action: job.action, level: job.level, ok: outcome.ok, ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}) };
    this.finished.push(result);
    const said = `fence job ${job.uid}: ${jobName(job)} for node '${job.target}' ${outcome.ok ? 'succeeded' : 'failed'}${outcome.reason !== undefined ? `: ${outcome.reason}` : ''}`;
    this.options.log(outcome.ok ? 'info' : 'warn', said);
    this.options.onFinished();
  }
}

function jobName(job: FenceJob): string {
  return job.action === 'soft' ? 'soft fence' : `level ${job.level + 1} (${job.action})`;
}

function commandLine(what: string, result: { exec: string; code: number; stdout: string; stderr: string }): string {
  const line = agentLine(result.stdout, result.stderr);
  const how = result.exec === 'done' ? `exit ${result.code}` : result.exec;
  return `${what} ${how}${line !== '' ? `: ${line}` : ''}`;
}

/** Every secret option value of every device that could fence `target`. */
function secretsFor(config: FenceConfig, target: string): string[] {
  return fenceLevelsFor(config, target).flatMap((level) => level.steps.flatMap((step) => Object.entries(step.options).filter(([key, value]) => isSecretOption(key) && value !== '').map(([, value]) => value)));
}
