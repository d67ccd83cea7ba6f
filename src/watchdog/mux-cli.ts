/**
 * ha-watchdog-mux command line.
 *
 *   ha-watchdog-mux [--device PATH] [--socket PATH] [--device-timeout S] [--client-timeout-max S]
 *                   [--keepalive-interval S] [--emulated [--node-dir DIR]] [--log-format text|json]
 *
 *   --device              watchdog device (default /dev/watchdog)
 *   --socket              client socket, mode 0600 (default /run/ha-manager/watchdog-mux.sock)
 *   --device-timeout      device timeout set with WDIOC_SETTIMEOUT, whole seconds (default 10); the
 *                         one in force (WDIOC_GETTIMEOUT; emulated: this flag) is told to every client
 *   --client-timeout-max  the longest timeout a client may announce in its hello, seconds (default 300)
 *   --keepalive-interval  period of the device keepalives, seconds (default 1)
 *
 * Each client announces its own timeout (from ha.cfg) when it registers: no client timeout is set here.
 *   --emulated            the device is ha-watchdog-emulator's FIFO: no ioctl, loud warning
 *   --node-dir            with --emulated: register this process in DIR/pids so an emulated reset kills it
 *   --log-format          text (default) or json, as ha-crm and ha-lrm (src/common/log-sink.ts)
 *   --help, -h            the usage on stdout, exit 0
 *
 * Exit codes: 0 after a clean stop (SIGTERM/SIGINT), 1 when the device or socket cannot be set up, 2 on
 * bad flags. Log lines go to stderr (the journal under systemd).
 */
import { parseArgs } from 'node:util';
import type { LogLevel } from '../common/trace.ts';
import { createLogSink, isJournalStream, logFormatProblem, type LogFormat, type LogSink } from '../common/log-sink.ts';
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
const USAGE = `usage: ha-watchdog-mux [--device PATH] [--socket PATH] [--device-timeout S] [--client-timeout-max S]
                       [--keepalive-interval S] [--emulated [--node-dir DIR]] [--log-format text|json]

  --device              watchdog device (default ${DEFAULT_DEVICE})
  --socket              client socket, mode 0600 (default ${DEFAULT_SOCKET})
  --device-timeout      device timeout, whole seconds (default ${DEFAULT_DEVICE_TIMEOUT_S}); told to every client
  --client-timeout-max  the longest timeout a client may announce, seconds (default ${DEFAULT_MUX_LIMITS.clientTimeoutMsMax / 1000})
  --keepalive-interval  period of the device keepalives, seconds (default 1)
  --emulated            the device is ha-watchdog-emulator's FIFO (tests, demo only)
  --node-dir            with --emulated: register in DIR/pids so an emulated reset kills this process
  --log-format          text: one human line per message (default); json: one JSON object per line
  --help, -h            this text

Exit codes: 0 after SIGTERM/SIGINT, 1 when the device or socket cannot be set up, 2 on bad flags.`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: 'string', default: DEFAULT_DEVICE },
      socket: { type: 'string', default: DEFAULT_SOCKET },
      'device-timeout': { type: 'string' },
      'client-timeout-max': { type: 'string' },
      'keepalive-interval': { type: 'string' },
      emulated: { type: 'boolean', default: false },
      'node-dir': { type: 'string' },
      'log-format': { type: 'string', default: 'text' },
    },
    strict: true,
  });
  const logFormatError = logFormatProblem(values['log-format']);
  if (logFormatError !== undefined) throw new UsageError(logFormatError);
  const clientTimeoutMsMax = secondsToMs('client-timeout-max', values['client-timeout-max'], DEFAULT_MUX_LIMITS.clientTimeoutMsMax / 1000);
  if (values['node-dir'] !== undefined && !values.emulated) throw new UsageError('--node-dir is for the emulated device only (a real reset needs no pid list)');
  return {
    devicePath: values.device,
    socketPath: values.socket,
    deviceTimeoutS: positiveInteger('device-timeout', values['device-timeout'], DEFAULT_DEVICE_TIMEOUT_S),
    clientTimeoutMsMax,
    keepaliveIntervalMs: secondsToMs('keepalive-interval', values['keepalive-interval'], 1),
    isEmulated: values.emulated,
    nodeDir: values['node-dir'],
    logFormat: values['log-format'] as LogFormat,
  };
}

/** Plain until the flags are parsed (a usage error is for the person at the terminal), then --log-format's. */
let sink: LogSink | undefined;

/** The mux's lines carry no level of their own: its warnings and its stop say so in their first words. */
function levelOfMuxLine(line: string): LogLevel {
  if (line.startsWith('WATCHDOG KEEPALIVES STOPPED')) return 'err';
  return line.startsWith('WARNING') ? 'warn' : 'info';
}

function log(line: string, level: LogLevel = levelOfMuxLine(line)): void {
  if (sink === undefined) process.stderr.write(`ha-watchdog-mux: ${line}\n`);
  else sink.message(level, line);
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
    // The device's actual timeout: what the driver reports after setting it; the emulated one cannot be
    // asked, and its emulator is started with the same value by whoever starts both.
    const deviceTimeoutMs = (device.timeoutS ?? options.deviceTimeoutS) * 1000;
    const limits = { clientsMax: DEFAULT_MUX_LIMITS.clientsMax, clientTimeoutMsMax: options.clientTimeoutMsMax, deviceTimeoutMs };
    return await WatchdogMux.start(device, { socketPath: options.socketPath, limits, keepaliveIntervalMs: options.keepaliveIntervalMs, log });
  } catch (error) {
    if (nodeDir !== undefined) unregisterProcess(nodeDir, PROCESS_NAME);
    throw error;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(WatchdogExit.ok);
  }
  let options: ReturnType<typeof parse>;
  try {
    options = parse(argv);
  } catch (error) {
    log(`${(error as Error).message}\n${USAGE}`);
    process.exit(WatchdogExit.usage);
  }
  sink = createLogSink({ format: options.logFormat, node: null, daemon: 'watchdog-mux', isJournal: isJournalStream(process.env), write: (text) => process.stderr.write(text), wallMs: () => Date.now() });
  const nodeDir = options.nodeDir;
  let mux: WatchdogMux;
  try {
    mux = await startMux(options);
  } catch (error) {
    log((error as Error).message, 'err');
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
