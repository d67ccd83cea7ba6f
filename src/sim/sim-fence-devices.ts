/**
 * The simulated fence devices: for every device id of the cluster's fence.cfg, what a call to it does
 * (`fence-device <id> ok|fail|hang|slow <s>`, sim-commands.ts) and how long it takes. The jobs that
 * call them, one after another as the real runner does, are sim-fence-jobs.ts.
 *
 * A call's outcome is settled when the call starts: a call in flight is a process already talking to
 * its device, so a device that fails (or recovers) meanwhile changes only the calls after it.
 */
import type { FenceStep } from '../fence/fence-config.ts';
import { FULL_ABILITIES, type AgentAbilities } from '../fence/level-plan.ts';

/** What the simulated agents can do, as their metadata says: fence_kdump has neither `status` nor `on`. */
export function simAgentAbilities(agent: string): AgentAbilities {
  return agent === 'fence_kdump' ? { hasStatus: false, hasOn: false } : FULL_ABILITIES;
}

export type FenceDeviceState = 'ok' | 'fail' | 'hang';

export interface FenceDeviceCondition {
  readonly state: FenceDeviceState;
  /** `slow`: every call takes this long instead of the agent's usual time (a timeout still cuts it). */
  readonly slowMs?: number;
}

/**
 * How long one off/on call takes, by agent: fence_ipmilan's off with its default power wait took
 * 2.4 s against ipmi_sim (../shared/STACK.md), rounded up; fence_dummy is Python's start (≥ 0.1 s)
 * and a file write; fence_kdump's own start before it listens for the dump message.
 */
export const AGENT_CALL_MS: Readonly<Record<string, number>> = { fence_ipmilan: 2500, fence_dummy: 200, fence_kdump: 200 };
/** Any other agent (a PDU over telnet/SSH, a hypervisor's API): a guess of one session's time. */
export const OTHER_AGENT_CALL_MS = 1000;
/** A soft fence: an SSH session that checks the host and restarts its ha-lrm unit. */
export const SOFT_FENCE_MS = 1000;
/** `fence-device <id> slow <s>`: slower than this is a hang, which `hang` says more plainly. */
export const FENCE_DEVICE_SLOW_S_MAX = 600;

/** How a call that starts now ends. */
export type FenceCallOutcome =
  /** It ends after `afterMs`, with this result. */
  | { readonly kind: 'done'; readonly afterMs: number; readonly ok: boolean; readonly reason?: string }
  /** A `status` that answers after `afterMs` with the target's power at that moment (exit 0 on, 2 off). */
  | { readonly kind: 'status'; readonly afterMs: number }
  /** fence_kdump listening: it succeeds when the target's dump message comes, fails at `timeoutMs`. */
  | { readonly kind: 'wait-kdump'; readonly startMs: number; readonly timeoutMs: number };

/** A `status` call: one query of the device, about the agent's start-up (fence_ipmilan measured 0.4–0.7 s). */
export const STATUS_CALL_MS: Readonly<Record<string, number>> = { fence_ipmilan: 500, fence_dummy: 200 };

const OK: FenceDeviceCondition = { state: 'ok' };

/** The conditions of the devices: every device is `ok` until a command says otherwise. */
export class SimFenceDevices {
  private readonly conditions = new Map<string, FenceDeviceCondition>();

  set(deviceId: string, condition: FenceDeviceCondition): void {
    if (condition.state === 'ok' && condition.slowMs === undefined) this.conditions.delete(deviceId);
    else this.conditions.set(deviceId, condition);
  }

  conditionOf(deviceId: string): FenceDeviceCondition {
    return this.conditions.get(deviceId) ?? OK;
  }

  /** `heal`: every device answers again, at its usual speed. */
  healAll(): void {
    this.conditions.clear();
  }

  /** What a call of `action` through the step's device does, started now. */
  callOutcome(step: FenceStep, action: 'off' | 'on' | 'status'): FenceCallOutcome {
    const condition = this.conditionOf(step.deviceId);
    const timeoutMs = step.timeoutS * 1000;
    const usualMs = condition.slowMs ?? (action === 'status' ? STATUS_CALL_MS : AGENT_CALL_MS)[step.agent] ?? OTHER_AGENT_CALL_MS;
    const call = `${step.agent} ${action} through device ${step.deviceId}`;
    if (condition.state === 'hang' || usualMs >= timeoutMs) {
      return { kind: 'done', afterMs: timeoutMs, ok: false, reason: `${call} timed out after ${step.timeoutS} s` };
    }
    if (condition.state === 'fail') return { kind: 'done', afterMs: usualMs, ok: false, reason: `${call} failed (exit 1)` };
    if (action === 'status') return { kind: 'status', afterMs: usualMs };
    // fence_kdump has no `on`: it powers nothing, so its level's `on` has nothing to do.
    if (step.agent === 'fence_kdump' && action === 'off') return { kind: 'wait-kdump', startMs: usualMs, timeoutMs };
    return { kind: 'done', afterMs: step.agent === 'fence_kdump' ? 0 : usualMs, ok: true };
  }
}
