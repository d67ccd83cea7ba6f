import { DEFAULT_CLUSTER_SETTINGS, type ResourceConfig } from '../../src/common/ha-config.ts';
import { emptyManagerStatus, type ManagerStatus } from '../../src/common/manager-status.ts';
import type { TraceBody } from '../../src/common/trace.ts';
import { Manager, type ManagerRoundInput } from '../../src/crm/manager.ts';
import type { AgentLeaseTake, HaConfig, Membership } from '../../src/env/env.ts';

/** Drives the master's Manager round by round, without an environment: the inputs are plain values. */

export const NODES = ['node1', 'node2', 'node3'];

export function membership(members: string[]): Membership {
  return { isQuorate: members.length > NODES.length / 2, nodes: NODES, isMember: (node) => members.includes(node) };
}

export function config(resources: Record<string, ResourceConfig>): HaConfig {
  return { resources, groups: {}, rules: [], settings: DEFAULT_CLUSTER_SETTINGS, serviceSizes: {}, nodeCapacities: {} };
}

export const vm = (node: string): ResourceConfig => ({ node, state: 'started', maxRestart: 1, maxRelocate: 1 });

/** Runs manager rounds, answering fence requests with `fence` (true: the lost node's own lease, seen expired). */
export function harness(status: ManagerStatus = emptyManagerStatus()) {
  const events: TraceBody[] = [];
  let uid = 0;
  const manager = new Manager(status, 'node1', { emit: (event) => events.push(event), newUid: () => `u${uid++}` });
  const round = (input: Partial<ManagerRoundInput> & { nowMs: number }, fence: (node: string) => boolean | AgentLeaseTake) => {
    const generator = manager.round({
      leaseGeneration: 1,
      fenceDelayMs: 60_000,
      roundMs: 10_000,
      membership: membership(NODES),
      config: config({ 'vm:103': vm('node3') }),
      lrmStatuses: new Map(),
      takeCommands: () => [],
      nodeVersion: () => '9.0.0',
      ...input,
    });
    let step = generator.next();
    const asked: string[][] = [];
    while (!step.done) {
      asked.push(step.value);
      const takes = new Map(step.value.map((node) => {
        const take = fence(node);
        return [node, take === true ? 'reset' : take === false ? 'refused' : take] as const;
      }));
      step = generator.next(takes);
    }
    return { output: step.value, asked };
  };
  return { manager, events, round };
}

