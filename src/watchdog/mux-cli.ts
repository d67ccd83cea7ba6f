/**
 * ha-watchdog-mux command line.
 *
 *   ha-watchdog-mux [--device PATH] [--socket PATH] [--device-timeout S] [--client-timeout S]
 *                   [--client-warning S] [--keepalive-interval S] [--emulated [--node-dir DIR]]
 *
 *   --device              watchdog device (default /dev/watchdog)
 *   --socket              client socket, mode 0600 (default /run/ha-manager/watchdog-mux.sock)
 *   --device-timeout      device timeout set with WDIOC_SETTIMEOUT, whole seconds (default 10)
 *   --client-timeout      a client silent this long stops the keepalives, seconds (default 60)
 *   --client-warning      a client silent this long is warned about, seconds (default 5/6 of the timeout)
 *   --keepalive-interval  period of the device keepalives, seconds (default 1)
 *   --emulated            the device is ha-watchdog-emulator's FIFO: no ioctl, loud warning
 *   --node-dir            with --emulated: register this process in DIR/pids so an emulated reset kills it
 *
 * Exit codes: 0 after a clean stop (SIGTERM/SIGINT), 1 when the device or socket cannot be set up, 2 on
 * bad flags. Log lines go to stderr (the journal under systemd).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MUX_LIMITS } from './core/mux-state.ts';
import { positiveInteger, secondsToMs, UsageError, WatchdogExit } from './cli-args.ts';
import { registerProcess, unregisterProcess } from './emulator/node-dir.ts';
import { openWatchdogDevice, type WatchdogDevice } from './watchdog-device.ts';
import { WatchdogMux } from './watchdog-mux.ts';

const DEFAULT_DEVICE = '/dev/watchdog';
const DEFAULT_SOCKET = '/run/ha-manager/watchdog-mux.sock';
/** Proxmox's device timeout: keepalives every second leave ten periods of slack. */
const DEFAULT_DEVICE_TIMEOUT_S = 10;
const PROCESS_NAME = 'ha-watchdog-mux';

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: 'string', default: DEFAULT_DEVICE },
      socket: { type: 'string', default: DEFAULT_SOCKET },
      'device-timeout': { type: 'string' },
      'client-timeout': { type: 'string' },
      'client-warning': { type: 'string' },
      'keepalive-interval': { type: 'string' },
      emulated: { type: 'boolean', default: false },
      'node-dir': { type: 'string' },
    },
    strict: true,
  });
  const clientTimeoutMs = secondsToMs('client-timeout', values['client-timeout'], DEFAULT_MUX_LIMITS.clientTimeoutMs / 1000);
  const clientWarningMs = secondsToMs('client-warning', values['client-warning'], Math.round((clientTimeoutMs * 5) / 6) / 1000);
  if (clientWarningMs >= clientTimeoutMs) throw new UsageError(`--client-warning ${clientWarningMs / 1000} must be below --client-timeout ${clientTimeoutMs / 1000}`);
  if (values['node-dir'] !== undefined && !values.emulated) throw new UsageError('--node-dir is for the emulated device only (a real reset needs no pid list)');
  return {
    devicePath: values.device,
    socketPath: values.socket,
    deviceTimeoutS: positiveInteger('device-timeout', values['device-timeout'], DEFAULT_DEVICE_TIMEOUT_S),
    limits: { clientTimeoutMs, clientWarningMs, clientsMax: DEFAULT_MUX_LIMITS.clientsMax },
    keepaliveIntervalMs: secondsToMs('keepalive-interval', values['keepalive-interval'], 1),
    isEmulated: values.emulated,
    nodeDir: values['node-dir'],
  };
}

function log(line: string): void {
  process.stderr.write(`ha-watchdog-mux: ${line}\n`);
}

/** Opens the device, registers this process (emulated), then serves; undoes what it did on failure. */
async function startMux(options: ReturnType<typeof parse>): Promise<WatchdogMux> {
  const device: WatchdogDevice = openWatchdogDevice({ path: options.devicePath, isEmulated: options.isEmulated, timeoutS: options.deviceTimeoutS, log });
  const nodeDir = options.nodeDir;
  // Listed only once the device is ours (a second mux failing with EBUSY must not touch the first's
  // pid file) and before any keepalive is expected of it.
  try {
    if (nodeDir !== undefined) registerProcess(nodeDir, PROCESS_NAME);
  } catch (error) {
    device.magicClose();
    throw error;
  }
  try {
    return await WatchdogMux.start(device, { socketPath: options.socketPath, limits: options.limits, keepaliveIntervalMs: options.keepaliveIntervalMs, log });
  } catch (error) {
    if (nodeDir !== undefined) unregisterProcess(nodeDir, PROCESS_NAME);
    throw error;
  }
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    log((error as Error).message);
    process.exit(WatchdogExit.usage);
  }
  const nodeDir = options.nodeDir;
  let mux: WatchdogMux;
  try {
    mux = await startMux(options);
  } catch (error) {
    log((error as Error).message);
    process.exit(WatchdogExit.startFailed);
  }
  const stop = async () => {
    await mux.stop();
    if (nodeDir !== undefined) unregisterProcess(nodeDir, PROCESS_NAME);
    process.exitCode = WatchdogExit.ok;
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main();
