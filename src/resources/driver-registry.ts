import { parseSid } from '../common/sid.ts';
import { notDone, type DriverResult, type ResourceDriver } from './resource-driver.ts';

/**
 * Maps the type of a sid (`vm` in `vm:101`) to the driver that runs it on this node. The mapping is
 * data, so a demo can run `vm` and `ct` services as simulated child processes (`{ vm: sim, ct: sim }`).
 * A type without a driver gets one that answers every call `not-installed`.
 */
export class DriverRegistry {
  private readonly drivers: ReadonlyMap<string, ResourceDriver>;

  constructor(drivers: Readonly<Record<string, ResourceDriver>>) {
    for (const type of Object.keys(drivers)) {
      if (!/^[a-z][a-z0-9_-]*$/.test(type)) throw new Error(`Bad service type in driver mapping: ${JSON.stringify(type)}`);
    }
    this.drivers = new Map(Object.entries(drivers));
  }

  /** The driver for a sid; a `not-installed` one for unknown types and malformed sids. */
  driverFor(sid: string): ResourceDriver {
    const parsed = parseSid(sid);
    if (!parsed) return new UnavailableDriver(`Bad sid: ${JSON.stringify(sid)}`);
    return this.drivers.get(parsed.type) ?? new UnavailableDriver(`No driver for service type '${parsed.type}' on this node`);
  }

  hasDriverFor(type: string): boolean {
    return this.drivers.has(type);
  }

  /** The types with a driver, sorted. */
  types(): string[] {
    return [...this.drivers.keys()].sort();
  }
}

/** Answers every call `not-installed`: the service type cannot run here (e.g. `ct` without LXC). */
export class UnavailableDriver implements ResourceDriver {
  readonly name = 'unavailable';

  constructor(private readonly why: string) {}

  check(): Promise<DriverResult> {
    return this.answer();
  }

  start(): Promise<DriverResult> {
    return this.answer();
  }

  stop(): Promise<DriverResult> {
    return this.answer();
  }

  canMigrateOnline(_sid: string): boolean {
    return false;
  }

  usageSource(): undefined {
    return undefined;
  }

  migrate(): Promise<DriverResult> {
    return this.answer();
  }

  relocate(): Promise<DriverResult> {
    return this.answer();
  }

  private answer(): Promise<DriverResult> {
    return Promise.resolve(notDone('not-installed', this.why));
  }
}
