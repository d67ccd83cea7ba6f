import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCluster } from '../local-cluster.ts';
import type { FaultOutcome } from './fault-runner.ts';
import { describeFault, type SwarmPlan } from './swarm-plan.ts';

export type ViolationKind = 'overlap' | 'liveness' | 'leftover' | 'watchdog' | 'error';

export interface SwarmViolation {
  readonly kind: ViolationKind;
  readonly message: string;
}

/** Lines of each daemon's log shown with a violation: enough for the last few rounds. */
const TAIL_LINES = 15;
const LOGS = ['crm', 'lrm', 'mux', 'emulator'] as const;
/** Fifteen lines of a daemon log are far below this. */
const TAIL_BYTES_MAX = 64 * 1024;

/** The plan's header lines, printed before the cluster starts. */
export function describePlan(plan: SwarmPlan, root: string): string[] {
  const services = plan.resources.map((resource) => `${resource.sid}@${resource.node}`).join(' ');
  return [
    `cluster: ${plan.nodes.length} nodes (${plan.nodes.join(' ')}), first master ${plan.firstMaster}, shutdown policy ${plan.shutdownPolicy}`,
    `services: ${services}`,
    `faults: ${plan.faults.length} planned over ${(plan.options.faultPhaseMs / 1000).toFixed(0)} s, kinds ${plan.options.kinds.join(', ')}`,
    `folder: ${root} (kept when a violation is found)`,
  ];
}

/** The schedule with what became of each fault (applied, skipped and why, or never reached). */
export function describeSchedule(plan: SwarmPlan, outcomes: readonly FaultOutcome[]): string[] {
  const byIndex = new Map(outcomes.map((outcome) => [outcome.index, outcome]));
  return plan.faults.map((fault, index) => {
    const outcome = byIndex.get(index);
    const result = outcome === undefined ? 'not reached' : outcome.isApplied ? `applied at ${seconds(outcome.atMs)}` : `skipped at ${seconds(outcome.atMs)}: ${outcome.note}`;
    return `  ${seconds(fault.atMs).padStart(7)}  ${index + 1}. ${describeFault(fault)} — ${result}`;
  });
}

/** The last lines of every daemon log of every node, as they are now. */
export function logTails(cluster: LocalCluster): string[] {
  const lines: string[] = [];
  for (const node of cluster.spec.nodes) {
    for (const daemon of LOGS) {
      const path = join(cluster.localDir(node), `${daemon}.log`);
      lines.push(`  --- ${node} ${daemon} (${path})`);
      lines.push(...tail(path).map((line) => `    ${line}`));
    }
  }
  return lines;
}

/** The last lines of a log, read from its last TAIL_BYTES_MAX bytes (a long run's logs are large). */
function tail(path: string): string[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return ['(no log)'];
  }
  try {
    const sizeBytes = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(sizeBytes, TAIL_BYTES_MAX));
    readSync(fd, buffer, 0, buffer.length, sizeBytes - buffer.length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-TAIL_LINES);
  } finally {
    closeSync(fd);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
