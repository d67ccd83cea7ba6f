import { Prng } from '../common/prng.ts';
import type { GroupConfig, ResourceConfig } from '../common/ha-config.ts';
import { SHUTDOWN_POLICIES } from '../common/states.ts';
import { DEFAULT_CLUSTER_SETTINGS } from '../common/ha-config.ts';
import { CHAOS_TIMINGS, DEFAULT_FAULT_WEIGHTS, type ChaosConfig, type FaultKind } from './chaos-config.ts';
import type { ChaosPlan } from './chaos-plan.ts';
import { faultEvent, type EventContext } from './fault-events.ts';
import { ruleSchedule } from './rule-schedule.ts';
import { unmanagedSchedule } from './unmanaged-schedule.ts';
import { generateScheduler } from './generate-scheduler.ts';
import { FENCE_SEED_SHARE, fenceSchedule } from './fence-schedule.ts';

/** Batches run every 100 s (every fifth 20 s round; with another timing, 100 s or a little more: src/sim/simulator.ts). */
export const SLOT_S = 100;
/** `heal` runs this many times, a slot apart, once faults stop (see liveness-bound.ts for why). */
export const HEAL_BATCHES = 3;

/** A plan from a seed: everything random comes from the seed's named streams. */
export function generatePlan(seed: number, config: ChaosConfig): ChaosPlan {
  const prng = new Prng(seed);
  const nodes = Array.from({ length: config.nodes }, (_, index) => `node${index + 1}`);
  const groups = generateGroups(prng.stream('groups'), nodes);
  const generated = generateResources(prng.stream('services'), config.services, nodes, Object.keys(groups));
  const slots = Math.max(1, Math.floor(config.durationS / SLOT_S));
  const unmanagedPrng = prng.stream('unmanaged');
  const unmanaged = config.faults.includes('unmanaged') && unmanagedPrng.next() < 0.5 ? unmanagedSchedule(unmanagedPrng, { nodes, resources: generated, slots }) : undefined;
  const resources = unmanaged?.resources ?? generated;
  const settingsPrng = prng.stream('settings');
  const scheduler = generateScheduler(prng.stream('scheduler'), Object.keys(resources));
  const settings = { ...DEFAULT_CLUSTER_SETTINGS, shutdownPolicy: SHUTDOWN_POLICIES[settingsPrng.int(SHUTDOWN_POLICIES.length)]!, ...scheduler.settings };
  const batches: string[][] = [nodes.map((node) => `power ${node} on`)];
  const events = prng.stream('events');
  const context: EventContext = { prng: events, nodes, sids: Object.keys(resources).sort() };
  const trials = Math.round(config.eventsPerSlot * 2);
  for (let slot = 0; slot < slots; slot++) {
    const batch: string[] = [];
    for (let trial = 0; trial < trials && config.faults.length > 0; trial++) {
      if (events.next() < 0.5) batch.push(...faultEvent(pickKind(events, config.faults), context).map((command) => clampAfter(command, (slots - slot) * SLOT_S - 1)));
    }
    batches.push(batch.length > 0 ? batch : ['delay 0']);
  }
  for (const [index, commands] of unmanaged?.commands ?? []) batches[index] = [...batches[index]!.filter((command) => command !== 'delay 0'), ...commands];
  // A stream of its own: plans of seeds without rule edits stay as they were.
  const rulesPrng = prng.stream('rules');
  const ruleEdits = config.faults.includes('rules') && rulesPrng.next() < 0.5 ? ruleSchedule(rulesPrng, { nodes, resources, slots }) : new Map<number, string[]>();
  for (const [index, commands] of ruleEdits) batches[index] = [...batches[index]!.filter((command) => command !== 'delay 0'), ...commands.map((command) => clampAfter(command, (slots - index + 1) * SLOT_S - 1))];
  // A stream of its own too: the plans of seeds without a fence.cfg stay as they were.
  const fencePrng = prng.stream('fence');
  const fencing = config.faults.includes('fence') && fencePrng.next() < FENCE_SEED_SHARE ? fenceSchedule(fencePrng, { nodes, slots }) : undefined;
  for (const [index, commands] of fencing?.commands ?? []) batches[index] = [...batches[index]!.filter((command) => command !== 'delay 0'), ...commands.map((command) => clampAfter(command, (slots - index + 1) * SLOT_S - 1))];
  for (let heal = 0; heal < HEAL_BATCHES; heal++) batches.push(['heal']);
  const extras = { ...(scheduler.loads ? { loads: scheduler.loads } : {}), ...(fencing ? { fence: fencing.config } : {}) };
  return { seed, nodes, resources, running: unmanaged?.running ?? {}, groups, settings, timing: CHAOS_TIMINGS[config.timing], batches, ...extras };
}

/** Every fault of the plan happens before the first heal: an `after` is cut short to land before it. */
function clampAfter(command: string, maxS: number): string {
  const match = /^after (\d+) (.*)$/.exec(command);
  if (!match || Number(match[1]) <= maxS) return command;
  return `after ${maxS} ${match[2]}`;
}

function pickKind(prng: Prng, kinds: readonly FaultKind[]): FaultKind {
  const total = kinds.reduce((sum, kind) => sum + DEFAULT_FAULT_WEIGHTS[kind], 0);
  let draw = prng.next() * total;
  for (const kind of kinds) {
    draw -= DEFAULT_FAULT_WEIGHTS[kind];
    if (draw < 0) return kind;
  }
  return kinds.at(-1)!;
}

/** Two groups over random subsets of the nodes, with random priorities and flags. */
function generateGroups(prng: Prng, nodes: readonly string[]): Record<string, GroupConfig> {
  const groups: Record<string, GroupConfig> = {};
  for (const name of ['g1', 'g2']) {
    const members: Record<string, number> = {};
    const size = 2 + prng.int(Math.max(1, nodes.length - 2));
    const shuffled = nodes.map((node) => ({ node, key: prng.next() })).sort((a, b) => a.key - b.key);
    for (const { node } of shuffled.slice(0, size)) members[node] = prng.int(3);
    groups[name] = { nodes: members, restricted: prng.next() < 0.5, nofailback: prng.next() < 0.3 };
  }
  return groups;
}

function generateResources(prng: Prng, count: number, nodes: readonly string[], groups: readonly string[]): Record<string, ResourceConfig> {
  const resources: Record<string, ResourceConfig> = {};
  for (let index = 0; index < count; index++) {
    const sid = `${prng.next() < 0.7 ? 'vm' : 'ct'}:${100 + index}`;
    const draw = prng.next();
    const state = draw < 0.85 ? 'started' : draw < 0.93 ? 'stopped' : 'disabled';
    const group = prng.next() < 0.3 ? groups[prng.int(groups.length)] : undefined;
    resources[sid] = {
      node: nodes[prng.int(nodes.length)]!,
      state,
      ...(group !== undefined ? { group } : {}),
      maxRestart: prng.int(3),
      maxRelocate: prng.int(3),
    };
  }
  return resources;
}
