/** The watchdog registration of one daemon, as the lease guard needs it. */
interface WatchdogRegistration {
  open(): void;
  feed(): void;
  close(): void;
}

/** A daemon's memory of whether its watchdog registration is armed. */
export interface WatchdogHolder {
  isWatchdogOpen: boolean;
}

/**
 * The one rule that makes a lease a fence: the watchdog is armed, or fed, only right after the lease
 * was taken or renewed. Returns whether the lease is held.
 */
export function renewLeaseAndFeed(tryLease: () => boolean, watchdog: WatchdogRegistration, holder: WatchdogHolder): boolean {
  if (!tryLease()) return false;
  if (holder.isWatchdogOpen) {
    watchdog.feed();
  } else {
    watchdog.open();
    holder.isWatchdogOpen = true;
  }
  return true;
}

/** A clean leave: the node is no longer protected by this daemon's registration. */
export function closeWatchdog(watchdog: WatchdogRegistration, holder: WatchdogHolder): void {
  if (!holder.isWatchdogOpen) return;
  watchdog.close();
  holder.isWatchdogOpen = false;
}
