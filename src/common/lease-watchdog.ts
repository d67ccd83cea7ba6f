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

/**
 * A clean leave that ends a lease: the lease is given up first, and the registration closed (`V`) only
 * once it is. A lease left held behind a clean leave would run out later and be taken as the proof that
 * a watchdog reset the node, which never happened: a master would then recover a service that may run
 * there unmanaged. When the release fails (the store unreachable) the registration stays armed, unfed:
 * the caller tries again next round, or the watchdog resets the node, which keeps that proof true.
 * Returns whether the daemon left (nothing was armed, or the lease was released and the leave made).
 */
export function releaseThenClose(release: () => boolean, watchdog: WatchdogRegistration, holder: WatchdogHolder): boolean {
  const isReleased = release();
  if (!holder.isWatchdogOpen) return true;
  if (!isReleased) return false;
  closeWatchdog(watchdog, holder);
  return true;
}

/** A clean leave: the node is no longer protected by this daemon's registration. */
export function closeWatchdog(watchdog: WatchdogRegistration, holder: WatchdogHolder): void {
  if (!holder.isWatchdogOpen) return;
  watchdog.close();
  holder.isWatchdogOpen = false;
}
