import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPaths } from '../store/shared-dir.ts';
import { DriverRegistry, UnavailableDriver } from './driver-registry.ts';
import { OcfDriver } from './ocf-driver.ts';
import { readOcfSpecs, type OcfSpec } from './ocf-spec.ts';
import type { ResourceDriver } from './resource-driver.ts';
import { SimDriver } from './sim-driver.ts';
import { SystemdDriver } from './systemd-driver.ts';
import { VirshDriver } from './virsh-driver.ts';

export const DRIVER_KINDS = ['sim', 'virsh', 'systemd', 'ocf', 'none'] as const;
export type DriverKind = (typeof DRIVER_KINDS)[number];

/** Which driver runs which service type on a real node; `ct` has no driver here (no LXC). */
export const DEFAULT_DRIVER_KINDS: Readonly<Record<string, DriverKind>> = {
  vm: 'virsh',
  ct: 'none',
  service: 'systemd',
  ocf: 'ocf',
  sim: 'sim',
};

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

/** `vm=sim,ct=sim` → `{ vm: 'sim', ct: 'sim' }`; throws a one-line error naming a bad entry. */
export function parseDriverKinds(text: string): Record<string, DriverKind> {
  const kinds: Record<string, DriverKind> = {};
  for (const item of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [type, kind, extra] = item.split('=');
    if (type === undefined || !/^[a-z][a-z0-9_-]*$/.test(type) || extra !== undefined) throw new Error(`Bad driver mapping entry: ${JSON.stringify(item)}`);
    if (!(DRIVER_KINDS as readonly string[]).includes(kind ?? '')) throw new Error(`Bad driver kind in ${JSON.stringify(item)}: use one of ${DRIVER_KINDS.join(', ')}`);
    kinds[type] = kind as DriverKind;
  }
  return kinds;
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
