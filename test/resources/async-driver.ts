import type { ResourceDriver, SyncResourceDriver } from '../../src/resources/resource-driver.ts';

/** A driver that answers at once, seen through the async port, so the shared suites run against it. */
export function asyncDriver(driver: SyncResourceDriver): ResourceDriver {
  return {
    name: driver.name,
    canMigrateOnline: (sid) => driver.canMigrateOnline(sid),
    usageSource: () => undefined, // an in-memory driver runs no process to measure
    check: async (sid, options) => driver.check(sid, options),
    start: async (sid, options) => driver.start(sid, options),
    stop: async (sid, options) => driver.stop(sid, options),
    migrate: async (sid, options) => driver.migrate(sid, options),
    relocate: async (sid, options) => driver.relocate(sid, options),
  };
}
