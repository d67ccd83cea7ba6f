/**
 * The fence agent API's words, apart from the code that spawns agents (agent-call.ts), so that what a
 * result means (level-plan.ts) is decided by pure code the simulator can run too.
 */
import type { ExecStatus } from '../resources/resource-driver.ts';

export const AGENT_ACTIONS = ['off', 'on', 'reboot', 'status', 'monitor', 'list', 'metadata', 'validate-all'] as const;
export type AgentAction = (typeof AGENT_ACTIONS)[number];

/** Exit codes of the fence agent API. */
export const AGENT_EXIT = { success: 0, failure: 1, statusOff: 2 } as const;

export interface AgentCallResult {
  readonly agent: string;
  readonly action: AgentAction;
  /** `done` when the agent ran and exited by itself; `error` also when its input could not be built. */
  readonly exec: ExecStatus;
  /** The agent's exit code when `exec` is `done`, else -1. */
  readonly exit: number;
  readonly durationMs: number;
  /** One line, secrets masked: the agent's error, or its answer on success. */
  readonly reason: string;
  /** Standard output, secrets masked (the XML of `metadata`). */
  readonly stdout: string;
}
