import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { TraceEvent } from '../../common/trace.ts';
import { ChaosUsageError, parseBug, runChaos, type ChaosArgs } from '../../chaos/chaos-cli.ts';
import { FAULT_KINDS } from '../../chaos/chaos-config.ts';
import { runScenarioChecked } from '../../chaos/run-plan.ts';
import { formatEvent } from '../../sim/log-format.ts';
import { loadScenario, ScenarioError, type Scenario } from '../../sim/scenario.ts';
import { Simulator } from '../../sim/simulator.ts';
import { UsageError } from '../exit-codes.ts';

interface SimulateArgs extends ChaosArgs {
  dir?: string;
  trace?: string;
  seed?: number;
  quiet: boolean;
  chaos: boolean;
  check: boolean;
  web: boolean;
  listen: string;
  'save-dir': string;
  'token-file'?: string;
  paused: boolean;
}

export const simulateCommand = {
  builder: (yargs: Argv) =>
    yargs
      .positional('dir', { type: 'string', describe: 'scenario directory (conformance format)' })
      .option('trace', { type: 'string', describe: 'write the JSON-lines trace to this file' })
      .option('seed', { type: 'number', describe: 'seed of the run (request ids; with --chaos: the one seed to run); default 1' })
      .option('quiet', { type: 'boolean', default: false, describe: 'do not print the log' })
      .option('check', { type: 'boolean', default: false, describe: 'check the safety and liveness invariants after every step (exit 1 on a violation)' })
      .option('chaos', { type: 'boolean', default: false, describe: 'run seeded random fault schedules with invariant checks instead of a scenario' })
      .option('seeds', { type: 'string', describe: 'with --chaos: a range of seeds A..B (default 1..100)' })
      .option('nodes', { type: 'number', describe: 'with --chaos: cluster size (default 5)' })
      .option('timing', { type: 'string', describe: "with --chaos: 'default' (fence_timeout 60 s, as an ha.cfg that sets nothing) or 'reference' (Proxmox's timings); default: default" })
      .option('services', { type: 'number', describe: 'with --chaos: number of services (default 20)' })
      .option('duration', { type: 'number', describe: 'with --chaos: seconds of faults before they stop (default 1000)' })
      .option('faults', { type: 'string', describe: `with --chaos: 'all' or a comma list (no spaces) of ${FAULT_KINDS.join(', ')}` })
      .option('rate', { type: 'number', describe: 'with --chaos: mean fault events per 100 s (default 3)' })
      .option('workers', { type: 'number', describe: 'with --chaos: child processes (default: one per CPU)' })
      .option('out', { type: 'string', describe: 'with --chaos: where shrunk failing scenarios go (default chaos-failures)' })
      .option('shrink', { type: 'number', describe: 'with --chaos: how many failing seeds to shrink and write (default 3)' })
      .option('web', { type: 'boolean', default: false, describe: 'run the scenario (default: a 3-node cluster) behind the web console: power, network and storage per node, service commands, run/pause/step/speed, save as a scenario' })
      .option('listen', { type: 'string', default: '127.0.0.1:8006', describe: 'with --web: HOST:PORT to serve on' })
      .option('save-dir', { type: 'string', default: 'sim-sessions', describe: 'with --web: where saved sessions go, one scenario directory each' })
      .option('token-file', { type: 'string', describe: 'with --web: the token that actions need (default ~/.ha-manager/sim-web.token, created mode 0600)' })
      .option('paused', { type: 'boolean', default: false, describe: 'with --web: start with the clock paused' })
      .option('plant', { type: 'string', hidden: true, describe: 'with --chaos or --check: plant a known bug in the simulated adapters (tests)' })
      .example('$0 simulate fixtures/scenarios/failover-basic', 'show how a lost node is fenced and its services recovered')
      .example('$0 simulate DIR --trace /tmp/trace.jsonl --seed 7', 'write the trace, reproducibly')
      .example('$0 simulate --chaos --seeds 1..10000', 'swarm-test the safety promise over 10,000 seeds')
      .example('$0 simulate --web', 'the simulator in the browser at http://127.0.0.1:8006/'),
  handler: (args: SimulateArgs) => (args.web ? runWeb(args) : args.chaos ? runChaosCommand(args) : runSimulate(args)),
};

async function runWeb(args: SimulateArgs): Promise<void> {
  const other = args.chaos ? '--chaos' : args.check ? '--check' : args.trace !== undefined ? '--trace' : undefined;
  if (other !== undefined) throw new UsageError(`--web runs the simulator behind the web console: drop ${other} (save the session, then replay it with --trace or --check)`);
  const seed = args.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer, got ${seed}`);
  const { runSimConsole } = await import('../../web/sim-command.ts');
  await runSimConsole({ dir: args.dir, listen: args.listen, seed, saveRoot: args['save-dir'], tokenFile: args['token-file'], isPaused: args.paused });
}

async function runChaosCommand(args: SimulateArgs): Promise<void> {
  if (args.dir !== undefined) throw new UsageError(`--chaos generates its own scenarios: drop '${args.dir}', or drop --chaos to replay it`);
  let report;
  try {
    report = await runChaos(args, { out: process.stdout, err: process.stderr });
  } catch (error) {
    if (error instanceof ChaosUsageError) throw new UsageError(error.message);
    throw error;
  }
  if (report.violations > 0) throw new Error(`${report.violations} of ${report.seeds} seeds broke an invariant`);
}

export function runSimulate(args: SimulateArgs): void {
  const seed = args.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer, got ${seed}`);
  if (args.dir === undefined) throw new UsageError('Name a scenario directory, or give --chaos');
  const scenario = load(args.dir);
  const lines: string[] = [];
  const out: string[] = [];
  const onEvent = (event: TraceEvent) => {
    if (args.trace !== undefined) lines.push(JSON.stringify(event));
    if (!args.quiet && event.ev !== 'log') out.push(formatEvent(event));
    if (out.length >= 1000) flush(out);
  };
  if (!args.quiet) process.stdout.write(`simulating ${scenario.name} (seed ${seed})\n`);
  const violation = args.check ? runScenarioChecked(scenario, { seed, onEvent, bug: plantedBug(args.plant) }).violation : runPlain(scenario, seed, onEvent);
  flush(out);
  if (args.trace !== undefined) writeFileSync(args.trace, lines.length ? `${lines.join('\n')}\n` : '');
  if (!args.check) return;
  if (violation) throw new Error(`VIOLATION ${violation.invariant} at t=${violation.t}: ${violation.message}`);
  process.stdout.write('invariants: no violation\n');
}

function plantedBug(text: string | undefined) {
  try {
    return parseBug(text);
  } catch (error) {
    if (error instanceof ChaosUsageError) throw new UsageError(error.message);
    throw error;
  }
}

function runPlain(scenario: Scenario, seed: number, onEvent: (event: TraceEvent) => void): undefined {
  try {
    new Simulator(scenario, { seed, onEvent }).run();
  } catch (error) {
    // A command the scenario may not give at that moment (a manual-migrate of a managed service).
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
  return undefined;
}

function load(dir: string): Scenario {
  try {
    return loadScenario(dir);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}

function flush(out: string[]): void {
  if (out.length === 0) return;
  process.stdout.write(`${out.join('\n')}\n`);
  out.length = 0;
}
