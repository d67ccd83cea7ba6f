/**
 * The watchdog ioctls, from the Node-API addon in native/watchdog-ioctl (built by `npm ci`).
 * Loaded lazily: only a mux on a real device needs it, so a missing build breaks nothing else and is
 * reported when it matters. A failing ioctl throws an Error whose `code` is the errno name.
 */
import { createRequire } from 'node:module';

export interface WatchdogIoctl {
  /** WDIOC_SETTIMEOUT; returns the timeout the driver actually set, in seconds. */
  setTimeout(fd: number, seconds: number): number;
  /** WDIOC_GETTIMEOUT, in seconds. */
  getTimeout(fd: number): number;
  /** WDIOC_KEEPALIVE. */
  keepalive(fd: number): number;
}

let loaded: WatchdogIoctl | undefined;

export function loadWatchdogIoctl(): WatchdogIoctl {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)('ha-watchdog-ioctl') as WatchdogIoctl;
  } catch (error) {
    throw new Error(`Watchdog ioctl addon ha-watchdog-ioctl (native/watchdog-ioctl) is not built: ${(error as Error).message.split('\n')[0]} (run npm ci with a C compiler)`);
  }
  return loaded;
}
