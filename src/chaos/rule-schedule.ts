import { assert } from '../common/assert.ts';
import type { ResourceConfig } from '../common/ha-config.ts';
import type { Prng } from '../common/prng.ts';

/** Rule edits in one run: enough to add, change and remove a few rules while faults go on. */
const RULE_EDITS_MAX = 8;
/** Services in a rule: two or three, so that pools of a 20-service plan give several rules. */
const RULE_SIZE_MAX = 3;

/**
 * Rule edits at random moments (the `rule` scenario command, src/sim/rule-command.ts), as a schedule
 * of the whole plan like unmanaged-schedule.ts: commands by batch index.
 *
 * The rules are drawn so that once faults stop, every service has a node it may run on — the liveness
 * invariant must still mean something: Proxmox's rules can legitimately leave a service waiting (a
 * negative partner on the only node of its class), and chaos looks for bugs, not for those. So the
 * services are split into pools, each with its own kind of rule: node affinity (strict or not,
 * random priorities; grouped services included, so that the checks drop some), positive affinity, and
 * negative affinity in pairs over services no other rule or group names (with every node online, a
 * pair always finds two nodes). Rule ids are reused, so later edits replace or delete earlier rules.
 */
export function ruleSchedule(prng: Prng, context: { nodes: readonly string[]; resources: Readonly<Record<string, ResourceConfig>>; slots: number }): Map<number, string[]> {
  const { nodes, resources, slots } = context;
  assert(nodes.length >= 3 && slots >= 1, `A rule schedule needs 3 nodes and a slot, got ${nodes.length} and ${slots}`);
  const sids = Object.keys(resources).sort();
  const pools = { node: [] as string[], positive: [] as string[], negative: [] as string[] };
  for (const sid of sids) {
    const draw = prng.next();
    if (resources[sid]!.group !== undefined || draw < 0.4) pools.node.push(sid);
    else if (draw < 0.7) pools.positive.push(sid);
    else pools.negative.push(sid);
  }
  const commands = new Map<number, string[]>();
  const edits = 1 + prng.int(RULE_EDITS_MAX);
  for (let edit = 0; edit < edits; edit++) {
    const command = ruleEdit(prng, nodes, pools);
    if (command === undefined) continue;
    const batch = 1 + prng.int(slots);
    commands.set(batch, [...(commands.get(batch) ?? []), `after ${prng.int(100)} ${command}`]);
  }
  return commands;
}

function ruleEdit(prng: Prng, nodes: readonly string[], pools: Record<'node' | 'positive' | 'negative', string[]>): string | undefined {
  const kind = (['node', 'positive', 'negative'] as const)[prng.int(3)]!;
  const id = `chaos-${kind}-${prng.int(2)}`;
  if (prng.next() < 0.2) return `rule ${id} delete`;
  const pool = pools[kind];
  const size = kind === 'negative' ? 2 : 2 + prng.int(RULE_SIZE_MAX - 1);
  if (pool.length < size) return undefined;
  const members = pick(prng, pool, size).join(',');
  if (kind === 'positive') return `rule ${id} resource-affinity ${members} positive`;
  if (kind === 'negative') return `rule ${id} resource-affinity ${members} negative`;
  const chosen = pick(prng, nodes, 1 + prng.int(nodes.length - 1));
  const list = chosen.map((node) => (prng.next() < 0.5 ? node : `${node}:${prng.int(3)}`)).join(',');
  return `rule ${id} node-affinity ${members} ${list}${prng.next() < 0.5 ? ' strict' : ''}`;
}

/** `count` distinct entries of `list` in random order. */
function pick(prng: Prng, list: readonly string[], count: number): string[] {
  return list
    .map((entry) => ({ entry, key: prng.next() }))
    .sort((a, b) => a.key - b.key)
    .slice(0, count)
    .map(({ entry }) => entry);
}
