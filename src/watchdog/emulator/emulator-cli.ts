/**
 * ha-watchdog-emulator: an emulated watchdog device for tests and the demo (see ./watchdog-emulator.ts).
 *
 *   ha-watchdog-emulator --device PATH --node-dir DIR [--timeout SECONDS] [--poll-ms MS] [--log-format text|json]
 *
 * Prints `ready <path>` on stdout once the FIFO exists and is read; on SIGTERM or SIGINT it removes the
 * FIFO and prints its figures as one JSON line (`{"keepaliveCount", "largestGapMs", "resetCount",
 * "pollMs"}`). Log lines go to stderr.
 */
import { parseArgs } from 'node:util';
import { createLogSink, isJournalStream, logFormatProblem, type LogFormat } from '../../common/log-sink.ts';
import { positiveInteger, secondsToMs, UsageError, WatchdogExit } from '../cli-args.ts';
import { WatchdogEmulator } from './watchdog-emulator.ts';

/** Default poll period: 10 ms resolution on keepalive times for about 1 % of a core. */
const DEFAULT_POLL_MS = 10;
const USAGE = `usage: ha-watchdog-emulator --device PATH --node-dir DIR [--timeout SECONDS] [--poll-ms MS] [--log-format text|json]

An emulated watchdog device for tests and the demo: never in production (a hung node is not reset by hardware).
  --device      the FIFO to create, which ha-watchdog-mux --emulated opens
  --node-dir    the node run directory: pids/ are killed on a reset, which is added to resets.jsonl
  --timeout     seconds without a keepalive before the emulated reset (default 10)
  --poll-ms     poll period of the FIFO in ms (default ${DEFAULT_POLL_MS})
  --log-format  text (default) or json, as the other daemons
  --help, -h    this text

Prints 'ready PATH' on stdout once the FIFO is read; on SIGTERM/SIGINT removes it and prints its figures as JSON.`;

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: 'string' },
      'node-dir': { type: 'string' },
      timeout: { type: 'string' },
      'poll-ms': { type: 'string' },
      'log-format': { type: 'string', default: 'text' },
    },
    strict: true,
  });
  const logFormatError = logFormatProblem(values['log-format']);
  if (logFormatError !== undefined) throw new UsageError(logFormatError);
  if (values.device === undefined) throw new UsageError('--device PATH is required (the FIFO to create)');
  if (values['node-dir'] === undefined) throw new UsageError('--node-dir DIR is required (the node run directory)');
  return {
    devicePath: values.device,
    nodeDir: values['node-dir'],
    timeoutMs: secondsToMs('timeout', values.timeout, 10),
    pollMs: positiveInteger('poll-ms', values['poll-ms'], DEFAULT_POLL_MS),
    logFormat: values['log-format'] as LogFormat,
  };
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(WatchdogExit.ok);
  }
  let options: ReturnType<typeof parse>;
  try {
    options = parse(argv);
  } catch (error) {
    process.stderr.write(`ha-watchdog-emulator: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(WatchdogExit.usage);
  }
  const sink = createLogSink({ format: options.logFormat, node: null, daemon: 'watchdog-emulator', isJournal: isJournalStream(process.env), write: (text) => process.stderr.write(text), wallMs: () => Date.now() });
  let emulator: WatchdogEmulator;
  try {
    emulator = WatchdogEmulator.start({ ...options, log: (line) => sink.message('notice', line) });
  } catch (error) {
    sink.message('err', (error as Error).message);
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
