import { assert } from '../common/assert.ts';
import type { ResourceConfig } from '../common/ha-config.ts';
import type { Prng } from '../common/prng.ts';

/** Services that run unmanaged on the quiet node: one or two, so that a recovery of one doubles it. */
const UNMANAGED_SERVICES_MAX = 2;

/** The plan's part that the schedule shapes: the resources, what runs before HA starts, extra commands. */
export interface UnmanagedSchedule {
  readonly resources: Record<string, ResourceConfig>;
  /** Services already running, by node, when the run starts. */
  readonly running: Record<string, string[]>;
  /** Commands to add to a batch, by batch index (0: the batch that powers the nodes on). */
  readonly commands: ReadonlyMap<number, readonly string[]>;
  /** One line for the plan's description. */
  readonly summary: string;
}

/**
 * The schedules of DESIGN.md's "if the manager cannot know, it does nothing" (issue 9 item 4). A
 * quiet node — no HA service configured on it at the start — where one or two services already run
 * unmanaged, as a guest does that is put under HA while it runs, or that runs `ignored`:
 * - never seen: they are configured `started` on it and its network is off from the start, so the
 *   master has never seen its LRM active when it fences it on a lease that was never taken;
 * - leaving ignored: they are `ignored`; the node's network is cut, they are set `started` while it
 *   is, and the network comes back later (or at the final heal). Its LRM, with nothing to run, holds no
 *   lease, so the fence finds the lease free.
 * A master that recovered them on that free lease would run them twice; the right one waits for the
 * node. Other faults may still reach the node (a power cut ends its services, which is fine).
 */
export function unmanagedSchedule(prng: Prng, context: { nodes: readonly string[]; resources: Record<string, ResourceConfig>; slots: number }): UnmanagedSchedule {
  const { nodes, slots } = context;
  assert(nodes.length >= 3 && slots >= 1, `An unmanaged schedule needs 3 nodes and a slot, got ${nodes.length} and ${slots}`);
  const quiet = nodes[prng.int(nodes.length)]!;
  const others = nodes.filter((node) => node !== quiet);
  const resources: Record<string, ResourceConfig> = {};
  const sids = Object.keys(context.resources).sort();
  const chosen = new Set(sids.filter(() => prng.next() < 0.5).slice(0, 1 + prng.int(UNMANAGED_SERVICES_MAX)));
  if (chosen.size === 0) chosen.add(sids[0]!);
  const isNeverSeen = prng.next() < 0.5;
  for (const sid of sids) {
    const resource = context.resources[sid]!;
    if (chosen.has(sid)) resources[sid] = { ...resource, node: quiet, state: isNeverSeen ? 'started' : 'ignored' };
    else resources[sid] = resource.node === quiet ? { ...resource, node: others[prng.int(others.length)]! } : resource;
  }
  const commands = new Map<number, string[]>();
  const add = (batch: number, command: string) => commands.set(batch, [...(commands.get(batch) ?? []), command]);
  const cutSlot = 1 + prng.int(slots);
  if (isNeverSeen) {
    add(0, `network ${quiet} off`);
    if (prng.next() < 0.7) add(cutSlot, `after ${prng.int(100)} network ${quiet} on`);
  } else {
    const cutS = prng.int(60);
    add(cutSlot, `after ${cutS} network ${quiet} off`);
    for (const sid of chosen) add(cutSlot, `after ${cutS + 1 + prng.int(30)} service ${sid} started`);
    if (cutSlot < slots && prng.next() < 0.7) add(cutSlot + 1, `after ${prng.int(100)} network ${quiet} on`);
  }
  const kind = isNeverSeen ? 'never seen, network off from the start' : `ignored, set started while cut off in slot ${cutSlot}`;
  return { resources, running: { [quiet]: [...chosen] }, commands, summary: `${[...chosen].join(', ')} run unmanaged on ${quiet} (${kind})` };
}
