import { mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { isValidSid } from '../common/sid.ts';
import { writeFileAtomic } from '../store/atomic-write.ts';
import { parsePidFile, pidFileLine } from './process-identity.ts';
import { appendLedger, type LedgerEntry } from './sim-ledger.ts';

/** What a simulated service process prints on stdout once it is registered and recorded. */
export const SIM_SERVICE_READY = 'ready';
/** The process only waits for signals; a long interval keeps the event loop alive cheaply. */
const IDLE_TICK_MS = 3_600_000;

export interface SimServiceArgs {
  readonly sid: string;
  readonly node: string;
  readonly ledgerDir: string;
  readonly pidFile: string;
}

/** `--sid S --node N --ledger-dir D --pid-file F`; throws a one-line error naming a bad argument. */
export function parseSimServiceArgs(argv: readonly string[]): SimServiceArgs {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 2) {
    const name = argv[index]!;
    const value = argv[index + 1];
    if (!['--sid', '--node', '--ledger-dir', '--pid-file'].includes(name)) throw new Error(`Unknown argument: ${JSON.stringify(name)}`);
    if (value === undefined || value === '') throw new Error(`Missing value of ${name}`);
    values.set(name, value);
  }
  const sid = values.get('--sid') ?? '';
  if (!isValidSid(sid)) throw new Error(`Bad argument --sid: ${JSON.stringify(sid)}`);
  const node = values.get('--node') ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(node)) throw new Error(`Bad argument --node: ${JSON.stringify(node)}`);
  const ledgerDir = values.get('--ledger-dir');
  if (ledgerDir === undefined) throw new Error('Missing argument --ledger-dir');
  const pidFile = values.get('--pid-file');
  if (pidFile === undefined) throw new Error('Missing argument --pid-file');
  return { sid, node, ledgerDir, pidFile };
}

/**
 * The body of one simulated service (bin/ha-sim-service): registers its pid where the node's emulated
 * watchdog finds it, records `start` in the ledger, prints `ready`, then idles until SIGTERM (or
 * SIGINT), when it records `stop`, removes its pid file and exits 0. SIGKILL records nothing: that is
 * what a node reset looks like in the ledger. The pid file is written before the `start` line, so a
 * recorded run is always one the watchdog can kill.
 */
export function runSimService(args: SimServiceArgs): void {
  const record = (event: LedgerEntry['event']) =>
    appendLedger(args.ledgerDir, {
      wallMs: Date.now(),
      monoNs: Number(process.hrtime.bigint()),
      node: args.node,
      sid: args.sid,
      event,
      pid: process.pid,
    });
  const onTerminate = () => {
    record('stop');
    removeOwnPidFile(args.pidFile);
    process.exit(0);
  };
  process.on('SIGTERM', onTerminate);
  process.on('SIGINT', onTerminate);
  process.stdout.on('error', () => {}); // the starter may be gone: nothing to report to
  mkdirSync(dirname(args.pidFile), { recursive: true });
  writeFileAtomic(args.pidFile, pidFileLine(process.pid));
  record('start');
  process.stdout.write(`${SIM_SERVICE_READY}\n`);
  setInterval(() => {}, IDLE_TICK_MS);
}

function removeOwnPidFile(pidFile: string): void {
  try {
    if (parsePidFile(readFileSync(pidFile, 'utf8'))?.pid === process.pid) unlinkSync(pidFile);
  } catch {
    // already gone
  }
}
