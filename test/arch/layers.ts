import { dirname, join, normalize } from 'node:path';
import { importsOf } from './source-files.ts';

/**
 * The layering of src/ (DESIGN.md "Code layout"), as data. Every folder under src/ is one unit; a
 * unit may import units of a lower rank, never one of its own rank or above, except for the listed
 * sideways imports. `src/env/env.ts` is a unit of its own: the Env ports, types that the layers above
 * common implement or call. A folder not listed here fails the test until it is classified.
 */
export interface Unit {
  readonly rank: number;
  /** One line: what lives there and why it sits at this rank. */
  readonly why: string;
}

export const UNITS = {
  common: { rank: 0, why: 'shared vocabulary with no dependencies: states, ids, assert, PRNG, timing, events' },
  ports: { rank: 1, why: 'src/env/env.ts: the Env ports, types only, on common' },
  crm: { rank: 2, why: 'CRM state machine and the manager: pure, behind Env' },
  lrm: { rank: 2, why: 'LRM state machine: pure, behind Env' },
  'watchdog-core': { rank: 2, why: 'the multiplexer core both the mux and the simulator run: pure' },
  store: { rank: 2, why: 'the store interface and its dir backend, on common only' },
  config: { rank: 3, why: 'section-config files and their locked atomic writes (store)' },
  resources: { rank: 3, why: 'the request core and the drivers; files of the shared directory (store)' },
  watchdog: { rank: 3, why: 'the mux shell, its client, the device, the emulated watchdog (on the pure core)' },
  // Between resources and env: the runner spawns agents with the resources' runCommand; the LRM's environment runs it.
  fence: { rank: 3.5, why: 'fence agents: the runner (processes, timeouts, secrets), the jobs a proxy runs, agent metadata (on resources, ports)' },
  env: { rank: 4, why: 'the node environment: puts the pure daemons on store, config, resources, watchdog' },
  sim: { rank: 4, why: 'the simulator: the same daemons on simulated ports' },
  cluster: { rank: 5, why: 'local multi-process clusters: demo, end-to-end tests, benchmarks' },
  chaos: { rank: 6, why: 'the fault swarms: over the simulator, and over local clusters' },
  cli: { rank: 7, why: 'the ha-manager command line: on everything' },
} as const satisfies Record<string, Unit>;

export type UnitName = keyof typeof UNITS;

/** Every directory under src/ and its unit. */
export const FOLDERS: Readonly<Record<string, UnitName>> = {
  'src/common': 'common',
  'src/crm': 'crm',
  'src/crm/rules': 'crm',
  'src/lrm': 'lrm',
  'src/store': 'store',
  'src/config': 'config',
  'src/resources': 'resources',
  'src/watchdog': 'watchdog',
  'src/watchdog/core': 'watchdog-core',
  'src/watchdog/emulator': 'watchdog',
  'src/fence': 'fence',
  'src/env': 'env',
  'src/sim': 'sim',
  'src/cluster': 'cluster',
  'src/chaos': 'chaos',
  // The real-process swarm drives LocalCluster from beside it: a fault swarm, above the cluster it drives.
  'src/cluster/swarm': 'chaos',
  'src/cli': 'cli',
  'src/cli/commands': 'cli',
  // The web console is the CLI's second face: the same request functions and status (src/cli), and
  // `ha-manager web` starts it; one unit, so neither imports the other sideways.
  'src/web': 'cli',
  'src/web/static': 'cli',
};

/** Files that are a unit of their own, not their folder's. */
export const FILES: Readonly<Record<string, UnitName>> = {
  'src/env/env.ts': 'ports',
  // fence.cfg's shapes and levels: no imports, read by the ports, the master and the runner alike.
  'src/fence/fence-config.ts': 'common',
  // fence.cfg's text: a config file that loadHaConfig reads with the others (and ConfigError is theirs).
  'src/fence/fence-config-file.ts': 'config',
  'src/fence/fence-config-words.ts': 'config',
  'src/fence/fence-config-checks.ts': 'config',
};

/**
 * Imports across units of one rank, each with its reason. `typeOnly`: only `import type` is allowed,
 * so no module of the target runs in the importer.
 */
export interface SidewaysEdge {
  readonly from: UnitName;
  readonly to: UnitName;
  readonly typeOnly: boolean;
  readonly why: string;
}

/** None at present: the last one (the LRM round's verdict type) moved to the ports. */
export const SIDEWAYS: readonly SidewaysEdge[] = [];

/** The pure decision logic: no I/O, no clock, no randomness of its own (STYLE.md 1). */
export const PURE_ROOTS = ['src/crm', 'src/lrm', 'src/watchdog/core'];
/** Pure files elsewhere: the request core and the port it drives, which the simulator runs as is. */
export const PURE_FILES = [
  'src/resources/request-steps.ts',
  'src/resources/execute-request.ts',
  'src/resources/resource-driver.ts',
  'src/resources/ocf-exit.ts',
  'src/resources/service-action-event.ts',
  'src/fence/fence-config.ts',
  // What a fence level calls and what a result means: decided purely, run by fence-runner.ts.
  'src/fence/agent-result.ts',
  'src/fence/level-plan.ts',
];

export function unitOf(path: string): UnitName | undefined {
  const file = normalize(path);
  if (Object.hasOwn(FILES, file)) return FILES[file];
  const folder = dirname(file);
  return Object.hasOwn(FOLDERS, folder) ? FOLDERS[folder] : undefined;
}

/** Directories under src/ that no entry of FOLDERS classifies. */
export function unclassifiedFolders(directories: readonly string[]): string[] {
  return directories.map((dir) => normalize(dir)).filter((dir) => dir !== 'src' && !Object.hasOwn(FOLDERS, dir));
}

/** Every import of the given sources that goes to a unit its unit may not import, one line each. */
export function layeringProblems(files: ReadonlyArray<{ path: string; text: string }>, sideways: readonly SidewaysEdge[] = SIDEWAYS): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const from = unitOf(file.path);
    if (from === undefined) {
      problems.push(`${file.path} is in no classified folder`);
      continue;
    }
    for (const { from: specifier, isTypeOnly } of importsOf(file.text)) {
      if (!specifier.startsWith('.')) continue;
      const target = normalize(join(dirname(file.path), specifier));
      const to = unitOf(target);
      if (to === undefined) problems.push(`${file.path} imports ${target}, which is in no classified folder`);
      else if (!mayImport(sideways, from, to, isTypeOnly)) problems.push(`${file.path} (${from}, rank ${UNITS[from].rank}) imports ${target} (${to}, rank ${UNITS[to].rank})`);
    }
  }
  return problems;
}

function mayImport(sideways: readonly SidewaysEdge[], from: UnitName, to: UnitName, isTypeOnly: boolean): boolean {
  if (from === to || UNITS[to].rank < UNITS[from].rank) return true;
  return sideways.some((edge) => edge.from === from && edge.to === to && (isTypeOnly || !edge.typeOnly));
}
