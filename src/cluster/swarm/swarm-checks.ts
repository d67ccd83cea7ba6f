import type { Timing } from '../../common/timing.ts';
import { loadHaConfig } from '../../config/load-config.ts';
import type { Overlap } from '../../resources/find-overlaps.ts';
import { failoverBoundMs } from '../cluster-config.ts';
import type { LocalCluster } from '../local-cluster.ts';
import type { NodeSupervisor } from './node-supervisor.ts';
import { BOOT_ALLOWANCE_MS, REBOOT_DELAY_MS_MAX } from './swarm-plan.ts';

/** Ordinary steps a service may still take once nothing is lost: start, restart, move back from maintenance, unfreeze, relocate after a failed start. */
const SETTLE_ROUNDS = 6;

/**
 * How long after the faults stopped (every cut healed, every paused process continued) a service
 * requested `started` may take to run on exactly one node, derived from the timing. The steps that can
 * still follow the last fault, one after the other at worst:
 * - a node that stopped renewing just before the heal is still reset by its watchdog: client timeout +
 *   device timeout;
 * - it reboots: the longest seeded reboot delay, plus the allowance for its processes to start;
 * - the master may have been on a lost node: the next one takes the manager lease once it has watched
 *   it unchanged for a lease timeout, at its next round;
 * - a lost node's services are fenced and recovered within `failoverBoundMs` (the lease wait, the
 *   fence delay, a master round and an LRM round);
 * - then SETTLE_ROUNDS rounds of ordinary steps.
 */
export function settleBoundMs(timing: Timing): number {
  const resetMs = timing.watchdogClientTimeoutMs + timing.watchdogDeviceTimeoutMs;
  const rebootMs = REBOOT_DELAY_MS_MAX + BOOT_ALLOWANCE_MS;
  const takeoverMs = timing.leaseTimeoutMs + timing.roundMs;
  return resetMs + rebootMs + takeoverMs + failoverBoundMs(timing) + SETTLE_ROUNDS * timing.roundMs;
}

/**
 * What keeps the cluster from being settled now, one line each (empty: settled): a node not up, a
 * service requested `started` that does not run on exactly one node, a service requested `stopped` or
 * `disabled` that runs somewhere. Services requested `ignored` are the operator's: not checked.
 */
export function settleProblems(cluster: LocalCluster, supervisor: NodeSupervisor): string[] {
  const problems: string[] = [];
  for (const node of cluster.spec.nodes) {
    if (supervisor.isUp(node)) continue;
    const daemons = (['mux', 'lrm', 'crm'] as const).map((daemon) => `${daemon} ${cluster.process(node, daemon)?.isRunning ? 'running' : 'stopped'}`);
    problems.push(`${node} is not up: ${supervisor.phaseOf(node)}, ${daemons.join(', ')}`);
  }
  let resources;
  try {
    resources = loadHaConfig(cluster.store).config.resources;
  } catch (error) {
    return [...problems, `the config does not load: ${(error as Error).message}`];
  }
  const manager = cluster.store.status.readManagerStatus();
  for (const [sid, resource] of Object.entries(resources)) {
    if (resource.state === 'ignored') continue;
    const nodes = cluster.runningOn(sid);
    const isSettled = resource.state === 'started' ? nodes.length === 1 : nodes.length === 0;
    if (isSettled) continue;
    const service = manager.kind === 'ok' ? manager.value.serviceStatus.get(sid) : undefined;
    const managerView = service === undefined ? 'unknown to the master' : `master says ${service.state} on ${service.node}`;
    problems.push(`${sid} requested ${resource.state} runs on ${nodes.length === 0 ? 'no node' : nodes.join(' and ')} (${managerView})`);
  }
  return problems;
}

/** One line per overlap, times relative to `originWallMs`. */
export function describeOverlap(overlap: Overlap, originWallMs: number): string {
  const at = (wallMs: number) => (Number.isFinite(wallMs) ? `t+${((wallMs - originWallMs) / 1000).toFixed(1)}s` : 'now (both still run)');
  return `${overlap.sid} ran on ${overlap.nodeA} and ${overlap.nodeB} at once from ${at(overlap.fromMs)} to ${at(overlap.toMs)}`;
}
