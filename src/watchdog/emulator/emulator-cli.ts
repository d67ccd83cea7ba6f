/**
 * ha-watchdog-emulator: an emulated watchdog device for tests and the demo (see ./watchdog-emulator.ts).
 *
 *   ha-watchdog-emulator --device PATH --node-dir DIR [--timeout SECONDS] [--poll-ms MS]
 *
 * Prints `ready <path>` on stdout once the FIFO exists and is read; on SIGTERM or SIGINT it removes the
 * FIFO and prints its figures as one JSON line (`{"keepaliveCount", "largestGapMs", "resetCount",
 * "pollMs"}`). Log lines go to stderr.
 */
import { parseArgs } from 'node:util';
import { positiveInteger, secondsToMs, UsageError, WatchdogExit } from '../cli-args.ts';
import { WatchdogEmulator } from './watchdog-emulator.ts';

/** Default poll period: 10 ms resolution on keepalive times for about 1 % of a core. */
const DEFAULT_POLL_MS = 10;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: 'string' },
      'node-dir': { type: 'string' },
      timeout: { type: 'string' },
      'poll-ms': { type: 'string' },
    },
    strict: true,
  });
  if (values.device === undefined) throw new UsageError('--device PATH is required (the FIFO to create)');
  if (values['node-dir'] === undefined) throw new UsageError('--node-dir DIR is required (the node run directory)');
  return {
    devicePath: values.device,
    nodeDir: values['node-dir'],
    timeoutMs: secondsToMs('timeout', values.timeout, 10),
    pollMs: positiveInteger('poll-ms', values['poll-ms'], DEFAULT_POLL_MS),
  };
}

function main(): void {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`ha-watchdog-emulator: ${(error as Error).message}\n`);
    process.exit(WatchdogExit.usage);
  }
  let emulator: WatchdogEmulator;
  try {
    emulator = WatchdogEmulator.start({ ...options, log: (line) => process.stderr.write(`ha-watchdog-emulator: ${line}\n`) });
  } catch (error) {
    process.stderr.write(`ha-watchdog-emulator: ${(error as Error).message}\n`);
    process.exit(WatchdogExit.startFailed);
  }
  process.stdout.write(`ready ${options.devicePath}\n`);
  const stop = () => {
    emulator.stop();
    process.stdout.write(`${JSON.stringify(emulator.figures())}\n`);
    process.exitCode = WatchdogExit.ok;
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
