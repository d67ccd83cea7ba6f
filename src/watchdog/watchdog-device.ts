/**
 * Opening the watchdog device for the multiplexer: the real one (a character device; its timeout is
 * set with WDIOC_SETTIMEOUT and read back with WDIOC_GETTIMEOUT) or the emulated one (a FIFO read by
 * ha-watchdog-emulator; no ioctl is possible, and the mux says so loudly).
 *
 * Every failure is a `WatchdogDeviceError` with one line naming the path and what to do. The device
 * is never left armed by a failed start: once opened, a later failure magic-closes it (nothing is
 * protected yet), except when the file refused the watchdog ioctls (ENOTTY): it is no watchdog, and a
 * `V` written to it would only be noise.
 *
 * A real device allows one opener (EBUSY for the next). A FIFO allows many, so the emulated device
 * keeps that rule with a holder file `<path>.holder` (`<pid> <start-time>`), taken with O_EXCL and
 * replaced when its process is gone.
 */
import { closeSync, constants, linkSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { processStartTime } from './emulator/node-dir.ts';
import { loadWatchdogIoctl, type WatchdogIoctl } from './watchdog-ioctl.ts';

export class WatchdogDeviceError extends Error {
  override name = 'WatchdogDeviceError';
}

/** The open device, as the mux uses it. */
export interface WatchdogDevice {
  readonly path: string;
  readonly isEmulated: boolean;
  /** The timeout the driver reports, in seconds; undefined on the emulated device (the emulator's). */
  readonly timeoutS: number | undefined;
  /** One keepalive (a write of one byte). Throws the write's error (e.g. EPIPE when the emulator is gone). */
  keepalive(): void;
  /** Writes `V` and closes: the device is disarmed. */
  magicClose(): void;
  /** Closes without `V`: the device stays armed and resets the node after its timeout. */
  closeArmed(): void;
}

export interface DeviceOptions {
  readonly path: string;
  readonly isEmulated: boolean;
  /** Wanted device timeout (WDIOC_SETTIMEOUT), seconds. */
  readonly timeoutS: number;
  readonly log: (line: string) => void;
  /** The ioctls; the addon by default (tests pass a stub to reach driver answers no machine here gives). */
  readonly ioctl?: WatchdogIoctl;
}

/** The shortest device timeout the 1 s keepalive period tolerates with margin. */
export const DEVICE_TIMEOUT_MIN_S = 2;
const KEEPALIVE_BYTE = Buffer.from('k');
const MAGIC = Buffer.from('V');

export function openWatchdogDevice(options: DeviceOptions): WatchdogDevice {
  checkKind(options.path, options.isEmulated);
  if (options.isEmulated) return openEmulated(options);
  const fd = openOrExplain(options.path, constants.O_WRONLY);
  let timeoutS: number;
  try {
    timeoutS = configureTimeout(fd, options);
  } catch (error) {
    if (!(error instanceof WatchdogDeviceError && error.message.includes('ENOTTY'))) writeSync(fd, MAGIC);
    closeSync(fd);
    throw error;
  }
  options.log(`Watchdog device ${options.path} opened, timeout ${timeoutS} s`);
  return deviceOnFd(options.path, fd, { isEmulated: false, timeoutS, release: () => {} });
}

function checkKind(path: string, isEmulated: boolean): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && isEmulated) throw new WatchdogDeviceError(`Emulated watchdog device ${path} does not exist (start ha-watchdog-emulator --device ${path} first)`);
    if (code === 'ENOENT') throw new WatchdogDeviceError(`Watchdog device ${path} does not exist (no watchdog driver loaded? e.g. modprobe softdog, or pass --device PATH)`);
    throw new WatchdogDeviceError(`Watchdog device ${path} cannot be examined: ${code ?? (error as Error).message}`);
  }
  if (isEmulated && !stats.isFIFO()) throw new WatchdogDeviceError(`Emulated watchdog device ${path} is not a FIFO (the emulator creates one; a real device needs no --emulated)`);
  if (!isEmulated && !stats.isCharacterDevice()) {
    const hint = stats.isFIFO() ? 'a FIFO from ha-watchdog-emulator needs --emulated' : 'pass the watchdog device, e.g. /dev/watchdog';
    throw new WatchdogDeviceError(`Watchdog device ${path} is not a character device (${hint})`);
  }
}

function openOrExplain(path: string, flags: number): number {
  try {
    return openSync(path, flags);
  } catch (error) {
    throw new WatchdogDeviceError(describeOpenError(path, (error as NodeJS.ErrnoException).code));
  }
}

/** One-line explanation of a failed open of the device. */
export function describeOpenError(path: string, code: string | undefined): string {
  switch (code) {
    case 'EBUSY':
      return `Watchdog device ${path} is held by another process (EBUSY): is another ha-watchdog-mux or a watchdog daemon running?`;
    case 'ENOENT':
      return `Watchdog device ${path} does not exist (ENOENT)`;
    case 'EACCES':
    case 'EPERM':
      return `Watchdog device ${path} cannot be opened for writing (${code}): the mux must run as root`;
    case 'ENXIO':
      return `Emulated watchdog device ${path} has no emulator reading it (ENXIO): start ha-watchdog-emulator --device ${path}`;
    default:
      return `Watchdog device ${path} cannot be opened: ${code ?? 'unknown error'}`;
  }
}

/** Sets the wanted timeout where the driver allows it and returns the one in force. */
function configureTimeout(fd: number, options: DeviceOptions): number {
  const ioctl = options.ioctl ?? loadWatchdogIoctlOrExplain(options.path);
  const path = options.path;
  try {
    ioctl.setTimeout(fd, options.timeoutS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTTY') throw new WatchdogDeviceError(`Watchdog device ${path} refused WDIOC_SETTIMEOUT with ENOTTY: it is not a watchdog device (an emulated one needs --emulated)`);
    if (code !== 'EOPNOTSUPP' && code !== 'EINVAL') throw new WatchdogDeviceError(`Watchdog device ${path} refused WDIOC_SETTIMEOUT ${options.timeoutS} s: ${code ?? (error as Error).message}`);
    options.log(`WARNING: watchdog device ${path} does not allow a timeout of ${options.timeoutS} s (${code}); keeping the driver's own`);
  }
  let timeoutS: number;
  try {
    timeoutS = ioctl.getTimeout(fd);
  } catch (error) {
    throw new WatchdogDeviceError(`Watchdog device ${path} refused WDIOC_GETTIMEOUT: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (timeoutS > options.timeoutS) {
    throw new WatchdogDeviceError(`Watchdog device ${path} timeout is ${timeoutS} s, above the wanted ${options.timeoutS} s: the lease timing would not hold (choose --device-timeout ${timeoutS} and longer leases, or another driver)`);
  }
  if (timeoutS < DEVICE_TIMEOUT_MIN_S) throw new WatchdogDeviceError(`Watchdog device ${path} timeout is ${timeoutS} s, below the minimum ${DEVICE_TIMEOUT_MIN_S} s for 1 s keepalives`);
  if (timeoutS !== options.timeoutS) options.log(`WARNING: watchdog device ${path} runs with timeout ${timeoutS} s instead of ${options.timeoutS} s`);
  return timeoutS;
}

function loadWatchdogIoctlOrExplain(path: string): WatchdogIoctl {
  try {
    return loadWatchdogIoctl();
  } catch (error) {
    throw new WatchdogDeviceError(`Watchdog device ${path} cannot be configured: ${(error as Error).message}`);
  }
}

function openEmulated(options: DeviceOptions): WatchdogDevice {
  const holderPath = `${options.path}.holder`;
  takeHolder(options.path, holderPath);
  let fd: number;
  try {
    fd = openOrExplain(options.path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    rmSync(holderPath, { force: true });
    throw error;
  }
  options.log(`WARNING: EMULATED watchdog device ${options.path}: nothing resets this machine if it hangs, only the emulator's node. For tests and demos only; no ioctl, the emulator's timeout applies`);
  return deviceOnFd(options.path, fd, { isEmulated: true, timeoutS: undefined, release: () => rmSync(holderPath, { force: true }) });
}

function takeHolder(devicePath: string, holderPath: string): void {
  // Written aside and hard-linked into place: the holder file never exists without its content.
  const temporaryPath = `${holderPath}.${process.pid}`;
  writeFileSync(temporaryPath, `${process.pid} ${processStartTime(process.pid) ?? ''}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        linkSync(temporaryPath, holderPath);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new WatchdogDeviceError(`Emulated watchdog device ${devicePath}: cannot create ${holderPath}: ${(error as NodeJS.ErrnoException).code}`);
      }
      const holderPid = liveHolder(holderPath);
      if (holderPid !== undefined) throw new WatchdogDeviceError(`${describeOpenError(devicePath, 'EBUSY')} (pid ${holderPid}, ${holderPath})`);
      rmSync(holderPath, { force: true });
    }
  } finally {
    rmSync(temporaryPath, { force: true });
  }
  throw new WatchdogDeviceError(`Emulated watchdog device ${devicePath}: ${holderPath} keeps coming back, another mux is starting`);
}

/** Pid of the live process named in the holder file, or undefined when it is gone. */
function liveHolder(holderPath: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(holderPath, 'utf8');
  } catch {
    return undefined;
  }
  const [pidText, startTime] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const liveStartTime = processStartTime(pid);
  return liveStartTime !== undefined && liveStartTime === startTime ? pid : undefined;
}

function deviceOnFd(path: string, fd: number, facts: { isEmulated: boolean; timeoutS: number | undefined; release: () => void }): WatchdogDevice {
  let isOpen = true;
  const close = (bytes: Buffer | undefined) => {
    if (!isOpen) throw new Error(`Watchdog device ${path} closed twice`);
    isOpen = false;
    try {
      if (bytes !== undefined) writeSync(fd, bytes);
    } finally {
      closeSync(fd);
      facts.release();
    }
  };
  return {
    path,
    isEmulated: facts.isEmulated,
    timeoutS: facts.timeoutS,
    keepalive: () => {
      if (!isOpen) throw new Error(`Watchdog device ${path} is closed`);
      writeSync(fd, KEEPALIVE_BYTE);
    },
    magicClose: () => close(MAGIC),
    closeArmed: () => close(undefined),
  };
}
