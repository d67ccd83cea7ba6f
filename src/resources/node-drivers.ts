import { existsSync } from 'node:fs';
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
  /** The shared directory: ledger, VM definitions, OCF specs. */
  readonly sharedDir: string;
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

/** The driver registry of one node: the default mapping with the overrides applied. */
export function createNodeDrivers(options: NodeDriversOptions): DriverRegistry {
  const kinds = { ...DEFAULT_DRIVER_KINDS, ...options.kinds };
  const drivers: Record<string, ResourceDriver> = {};
  const shared = new Map<DriverKind, ResourceDriver>();
  for (const [type, kind] of Object.entries(kinds)) {
    if (kind === 'none') {
      drivers[type] = new UnavailableDriver(`Service type '${type}' is not available on ${options.node}`);
      continue;
    }
    const driver = shared.get(kind) ?? buildDriver(kind, options);
    shared.set(kind, driver);
    drivers[type] = driver;
  }
  return new DriverRegistry(drivers);
}

function buildDriver(kind: Exclude<DriverKind, 'none'>, options: NodeDriversOptions): ResourceDriver {
  const paths = driverPaths(options.sharedDir);
  const env = options.env !== undefined ? { env: options.env } : {};
  switch (kind) {
    case 'sim':
      return new SimDriver({ node: options.node, ledgerDir: paths.ledger, nodeDirOf: options.nodeDirOf, ...env });
    case 'virsh':
      return new VirshDriver({ definitionsDir: paths.vmDefinitions, ...env });
    case 'lxc':
      return new LxcDriver(env);
    case 'systemd':
      return new SystemdDriver(env);
    case 'ocf':
      return new OcfDriver({
        node: options.node,
        specOf: (instance) => ocfSpecOf(paths.ocfSpecs, instance),
        ...(options.ocfRoot !== undefined ? { ocfRoot: options.ocfRoot } : {}),
        ...env,
      });
  }
}

/** Read on every call, so an edited spec file counts at the next action; a bad one throws (the driver reports it). */
function ocfSpecOf(path: string, instance: string): OcfSpec | undefined {
  if (!existsSync(path)) return undefined;
  return readOcfSpecs(path).get(instance);
}
