/**
 * Runs fence levels (DESIGN.md "External fencing"): the calls src/fence/level-plan.ts decides, one
 * after the other through src/fence/agent-call.ts, stopping at the first that fails; levels in order
 * until one succeeds. The agent call is injected, so the order and the verdicts are tested without
 * processes; what an agent can do (`status`, `on`) comes from its `metadata`, asked once per agent.
 */
import { assert } from '../common/assert.ts';
import { callAgent, type AgentCallRequest } from './agent-call.ts';
import type { AgentAction, AgentCallResult } from './agent-result.ts';
import type { FenceLevel, FenceStep } from './fence-config.ts';
import { abilitiesFromMetadata, FULL_ABILITIES, judgeCall, levelCalls, powerOf, type AgentAbilities, type LevelAction } from './level-plan.ts';

/** `metadata` only prints XML: Python's start-up (~0.1 s) on a loaded machine, with room to spare. */
const METADATA_TIMEOUT_MS = 15_000;
/** A level is a handful of devices (two PDUs, a PDU per power supply); more is a config mistake. */
const LEVEL_CALLS_MAX = 64;

export type AgentCaller = (request: AgentCallRequest) => Promise<AgentCallResult>;

/** One agent call as reported: which device, what it did. Secrets are already masked. */
export interface FenceCallReport {
  readonly deviceId: string;
  readonly agent: string;
  readonly action: AgentAction;
  readonly exit: number;
  readonly durationMs: number;
  readonly reason: string;
}

export interface LevelOutcome {
  readonly level: string;
  readonly ok: boolean;
  /** One line naming the device that failed and why; on success only a note (nothing to do). */
  readonly reason?: string;
  readonly calls: readonly FenceCallReport[];
}

export interface PlanOutcome {
  readonly ok: boolean;
  /** The index of the level that succeeded. */
  readonly levelIndex?: number;
  readonly levels: readonly LevelOutcome[];
}

/** `fence-test`'s answer for one device. */
export interface DeviceTest {
  readonly levelIndex: number;
  readonly level: string;
  readonly deviceId: string;
  readonly agent: string;
  /** `untested`: the agent has no `status` (fence_kdump). */
  readonly power: 'on' | 'off' | 'failed' | 'untested';
  readonly durationMs: number;
  readonly reason: string;
}

export class FenceRunner {
  private readonly knownAbilities = new Map<string, AgentAbilities>();

  constructor(private readonly call: AgentCaller = callAgent) {}

  /** Runs `action` on one level: every device must succeed. */
  async runLevel(level: FenceLevel, action: LevelAction): Promise<LevelOutcome> {
    for (const step of level.steps) await this.learnAbilities(step.agent);
    const calls = levelCalls(level, action, (agent) => this.abilitiesOf(agent));
    if (calls.length > LEVEL_CALLS_MAX) return { level: level.name, ok: false, reason: `Level '${level.name}' needs ${calls.length} agent calls (limit ${LEVEL_CALLS_MAX})`, calls: [] };
    // Only `on` can plan no call (every device gets an `off`): a kdump level powers nothing, its node reboots by itself.
    if (calls.length === 0) return { level: level.name, ok: true, reason: `no device of level '${level.name}' has an ${action} action: nothing to do`, calls: [] };
    const reports: FenceCallReport[] = [];
    for (const planned of calls) {
      const step = level.steps[planned.stepIndex];
      assert(step !== undefined, `Planned call for step ${planned.stepIndex} of level '${level.name}', which has ${level.steps.length}`);
      const result = await this.callStep(step, planned.action);
      reports.push(reportOf(step, result));
      const verdict = judgeCall(planned, result);
      if (!verdict.ok) return { level: level.name, ok: false, reason: `device '${step.deviceId}': ${verdict.reason}`, calls: reports };
    }
    return { level: level.name, ok: true, calls: reports };
  }

  /** Levels in order until one succeeds. */
  async runPlan(levels: readonly FenceLevel[], action: LevelAction): Promise<PlanOutcome> {
    const outcomes: LevelOutcome[] = [];
    for (const [levelIndex, level] of levels.entries()) {
      const outcome = await this.runLevel(level, action);
      outcomes.push(outcome);
      if (outcome.ok) return { ok: true, levelIndex, levels: outcomes };
    }
    return { ok: false, levels: outcomes };
  }

  /** `status` through every device of every level, one after the other (what `fence-test` shows). */
  async testDevices(levels: readonly FenceLevel[]): Promise<DeviceTest[]> {
    const tests: DeviceTest[] = [];
    for (const [levelIndex, level] of levels.entries()) {
      for (const step of level.steps) {
        const base = { levelIndex, level: level.name, deviceId: step.deviceId, agent: step.agent };
        await this.learnAbilities(step.agent);
        if (!this.abilitiesOf(step.agent).hasStatus) {
          tests.push({ ...base, power: 'untested', durationMs: 0, reason: `${step.agent} has no status action: it can only be seen working when it fences` });
          continue;
        }
        const result = await this.callStep(step, 'status');
        tests.push({ ...base, power: powerOf(result), durationMs: result.durationMs, reason: result.reason });
      }
    }
    return tests;
  }

  abilitiesOf(agent: string): AgentAbilities {
    return this.knownAbilities.get(agent) ?? FULL_ABILITIES;
  }

  /**
   * Asks the agent's metadata once. Only an answer is kept: an agent that is not installed yet may be
   * by the next fence, and until it answers every check is made (FULL_ABILITIES fails safe).
   */
  private async learnAbilities(agent: string): Promise<void> {
    if (this.knownAbilities.has(agent)) return;
    const result = await this.call({ agent, action: 'metadata', options: {}, timeoutMs: METADATA_TIMEOUT_MS });
    if (result.exec === 'done' && result.exit === 0 && result.stdout.includes('<resource-agent')) this.knownAbilities.set(agent, abilitiesFromMetadata(result.stdout));
  }

  private callStep(step: FenceStep, action: AgentAction): Promise<AgentCallResult> {
    return this.call({ agent: step.agent, action, options: step.options, timeoutMs: step.timeoutS * 1000 });
  }
}

function reportOf(step: FenceStep, result: AgentCallResult): FenceCallReport {
  return { deviceId: step.deviceId, agent: step.agent, action: result.action, exit: result.exit, durationMs: result.durationMs, reason: result.reason };
}
