/** Arguments of `npm run chaos:cluster` (./cluster-swarm-cli.ts), checked with a one-line error each. */
import { parseArgs } from 'node:util';
import { LOCAL_STORE_KINDS, type LocalStoreKind } from '../local-store.ts';
import { SWARM_ETCD_FAULT_KINDS, SWARM_NODES_MAX, SWARM_NODES_MIN, SWARM_SERVICES_MAX, SWARM_FAULT_KINDS, type SwarmFaultKind } from './swarm-plan.ts';
import { SWARM_PLANTS, type ClusterSwarmOptions, type SwarmPlant } from './cluster-swarm.ts';

/** A run of a day is far beyond the 30-minute acceptance run; more is a typo. */
const MINUTES_MAX = 24 * 60;
const MINUTES_DEFAULT = 5;
const NODES_DEFAULT = 3;

export class SwarmUsageError extends Error {}

export type SwarmCliOptions = Omit<ClusterSwarmOptions, 'print' | 'signal'>;

export function parseSwarmArgs(argv: readonly string[], defaultSeed: number): SwarmCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        seed: { type: 'string' },
        minutes: { type: 'string' },
        nodes: { type: 'string' },
        services: { type: 'string' },
        faults: { type: 'string' },
        plant: { type: 'string' },
        store: { type: 'string' },
        'fail-fast': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // node:util's messages may run over several lines (a hint after the problem): the first says it.
    throw new SwarmUsageError((error as Error).message.split('\n')[0]!);
  }
  const seed = integerArg('--seed', values.seed, defaultSeed, 0, Number.MAX_SAFE_INTEGER);
  const minutes = values.minutes === undefined ? MINUTES_DEFAULT : Number(values.minutes);
  if (!(minutes > 0 && minutes <= MINUTES_MAX)) throw new SwarmUsageError(`Bad --minutes ${JSON.stringify(values.minutes)}: a number of minutes above 0 and at most ${MINUTES_MAX}`);
  const nodes = integerArg('--nodes', values.nodes, NODES_DEFAULT, SWARM_NODES_MIN, SWARM_NODES_MAX);
  const services = integerArg('--services', values.services, 2 * nodes, 1, SWARM_SERVICES_MAX);
  const store = storeArg(values.store);
  return { seed, faultPhaseMs: Math.round(minutes * 60_000), nodes, services, kinds: faultKinds(values.faults, store), plant: plantArg(values.plant), isFailFast: values['fail-fast'], store };
}

function integerArg(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) throw new SwarmUsageError(`Bad ${name} ${JSON.stringify(text)}: an integer from ${min} to ${max}`);
  return value;
}

/**
 * `all`, or kinds separated by commas; `all,-restart-cut` leaves a kind out. On etcd, `all` includes
 * the faults of etcd itself; on the dir store they are refused.
 */
function faultKinds(text: string | undefined, store: LocalStoreKind): SwarmFaultKind[] {
  const known: readonly SwarmFaultKind[] = store === 'etcd' ? [...SWARM_FAULT_KINDS, ...SWARM_ETCD_FAULT_KINDS] : SWARM_FAULT_KINDS;
  const kinds = new Set<SwarmFaultKind>();
  for (const item of (text ?? 'all').split(',').map((part) => part.trim())) {
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (store !== 'etcd' && (SWARM_ETCD_FAULT_KINDS as readonly string[]).includes(name)) throw new SwarmUsageError(`Bad --faults entry ${JSON.stringify(item)}: a fault of etcd needs --store etcd`);
    const named = name === 'all' ? [...known] : (known as readonly string[]).includes(name) ? [name as SwarmFaultKind] : undefined;
    if (named === undefined) throw new SwarmUsageError(`Bad --faults entry ${JSON.stringify(item)}: use all or ${known.join(', ')} (a leading - leaves one out)`);
    for (const kind of named) if (item.startsWith('-')) kinds.delete(kind); else kinds.add(kind);
  }
  if (kinds.size === 0) throw new SwarmUsageError(`Bad --faults ${JSON.stringify(text)}: no fault kind left`);
  return known.filter((kind) => kinds.has(kind));
}

function storeArg(text: string | undefined): LocalStoreKind {
  if (text === undefined) return 'dir';
  const store = LOCAL_STORE_KINDS.find((kind) => kind === text);
  if (store === undefined) throw new SwarmUsageError(`Bad --store ${JSON.stringify(text)}: use ${LOCAL_STORE_KINDS.join(' or ')}`);
  return store;
}

function plantArg(text: string | undefined): SwarmPlant | undefined {
  if (text === undefined) return undefined;
  if (!(SWARM_PLANTS as readonly string[]).includes(text)) throw new SwarmUsageError(`Bad --plant ${JSON.stringify(text)}: use ${SWARM_PLANTS.join(', ')}`);
  return text as SwarmPlant;
}

