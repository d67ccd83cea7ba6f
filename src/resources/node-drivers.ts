import { existsSync } from 'node:fs';
import { assert } from '../common/assert.ts';
import { join } from 'node:path';
import { sharedPaths } from '../store/shared-dir.ts';
import { DEFAULT_DRIVER_KINDS, type DriverKind } from '../common/driver-kinds.ts';
import { DriverRegistry, UnavailableDriver } from './driver-registry.ts';
import { LxcDriver } from './lxc-driver.ts';
import { OcfDriver } from './ocf-driver.ts';
import { readOcfSpecs, type OcfSpec } from './ocf-spec.ts';
import type { ResourceDriver } from './resource-driver.ts';
import { SimDriver } from './sim-driver.ts';
import { SystemdDriver } from './systemd-driver.ts';
import { VirshDriver } from './virsh-driver.ts';

export { DEFAULT_DRIVER_KINDS, DRIVER_KINDS, parseDriverKinds, type DriverKind } from '../common/driver-kinds.ts';

export interface NodeDriversOptions {
  readonly node: string;
  /**
   * The directory of the drivers' files, which all nodes share: the sim ledger, VM definitions, OCF
   * specs. A dir store's shared directory; with etcd the directory `--dir` (or store.cfg `dir:`) names,
   * or undefined when none does: then the drivers that need files are unavailable and say why.
   */
  readonly sharedDir: string | undefined;
  /** A node's local run directory (pids/, resets.jsonl). */
  readonly nodeDirOf: (node: string) => string;
  /** Overrides of the default mapping, e.g. `{ vm: 'sim', ct: 'sim' }` for the demo. */
  readonly kinds?: Readonly<Record<string, DriverKind>>;
  /** OCF_ROOT of the agents; default /usr/lib/ocf. */
  readonly ocfRoot?: string;
  /** Environment of the tools and agents (PATH); default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Where the drivers find their definitions in the shared directory. */
export function driverPaths(sharedDir: string) {
  return {
    ledger: sharedPaths(sharedDir).ledger,
    vmDefinitions: join(sharedDir, 'definitions', 'vm'),
    ocfSpecs: join(sharedDir, 'definitions', 'ocf.json'),
  };
}

/** Driver kinds that keep files in the drivers' directory: the sim ledger, VM definitions, OCF specs. */
const KINDS_WITH_FILES: ReadonlySet<DriverKind> = new Set<DriverKind>(['sim', 'virsh', 'ocf']);

/** The service types of `kinds` whose driver needs the drivers' directory, when there is none; sorted. */
export function typesWithoutDir(kinds: Readonly<Record<string, DriverKind>>, sharedDir: string | undefined): string[] {
  if (sharedDir !== undefined) return [];
  return Object.keys(kinds).filter((type) => KINDS_WITH_FILES.has(kinds[type]!)).sort();
}

/** The driver registry of one node: the default mapping with the overrides applied. */
export function createNodeDrivers(options: NodeDriversOptions): DriverRegistry {
  const kinds = { ...DEFAULT_DRIVER_KINDS, ...options.kinds };
  const drivers: Record<string, ResourceDriver> = {};
  const shared = new Map<DriverKind, ResourceDriver>();
  const { sharedDir } = options;
  for (const [type, kind] of Object.entries(kinds)) {
    if (kind === 'none') {
      drivers[type] = new UnavailableDriver(`Service type '${type}' is not available on ${options.node}`);
      continue;
    }
    if (sharedDir === undefined && KINDS_WITH_FILES.has(kind)) {
      drivers[type] = new UnavailableDriver(`Service type '${type}' is not available on ${options.node}: its driver (${kind}) keeps files in a directory all nodes share, and ha-lrm was given none (--dir, or dir: in the store file)`);
      continue;
    }
    const driver = shared.get(kind) ?? buildDriver(kind, options);
    shared.set(kind, driver);
    drivers[type] = driver;
  }
  return new DriverRegistry(drivers);
}

function buildDriver(kind: Exclude<DriverKind, 'none'>, options: NodeDriversOptions): ResourceDriver {
  const env = options.env !== undefined ? { env: options.env } : {};
  // Without a directory createNodeDrivers builds only the kinds that keep no files (lxc, systemd).
  const paths = () => {
    assert(options.sharedDir !== undefined, `The ${kind} driver needs the drivers' directory`);
    return driverPaths(options.sharedDir);
  };
  switch (kind) {
    case 'sim':
      return new SimDriver({ node: options.node, ledgerDir: paths().ledger, nodeDirOf: options.nodeDirOf, ...env });
    case 'virsh':
      return new VirshDriver({ definitionsDir: paths().vmDefinitions, ...env });
    case 'lxc':
      return new LxcDriver(env);
    case 'systemd':
      return new SystemdDriver(env);
    case 'ocf': {
      const specs = paths().ocfSpecs;
      return new OcfDriver({
        node: options.node,
        specOf: (instance) => ocfSpecOf(specs, instance),
        ...(options.ocfRoot !== undefined ? { ocfRoot: options.ocfRoot } : {}),
        ...env,
      });
    }
  }
}

/** Read on every call, so an edited spec file counts at the next action; a bad one throws (the driver reports it). */
function ocfSpecOf(path: string, instance: string): OcfSpec | undefined {
  if (!existsSync(path)) return undefined;
  return readOcfSpecs(path).get(instance);
}
