import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { TraceEvent } from '../../common/trace.ts';
import { formatEvent } from '../../sim/log-format.ts';
import { loadScenario, ScenarioError } from '../../sim/scenario.ts';
import { Simulator } from '../../sim/simulator.ts';
import { UsageError } from '../exit-codes.ts';

interface SimulateArgs {
  dir: string;
  trace?: string;
  seed: number;
  quiet: boolean;
}

export const simulateCommand = {
  command: 'simulate <dir>',
  describe: 'Run a scenario directory in the deterministic simulator and print its log',
  builder: (yargs: Argv) =>
    yargs
      .positional('dir', { type: 'string', describe: 'scenario directory (conformance format)', demandOption: true })
      .option('trace', { type: 'string', describe: 'write the JSON-lines trace to this file' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the run (request ids)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'do not print the log' })
      .example('$0 simulate fixtures/scenarios/failover-basic', 'show how a lost node is fenced and its services recovered')
      .example('$0 simulate DIR --trace /tmp/trace.jsonl --seed 7', 'write the trace, reproducibly'),
  handler: (args: SimulateArgs) => runSimulate(args),
};

export function runSimulate(args: SimulateArgs): void {
  if (!Number.isSafeInteger(args.seed)) throw new UsageError(`--seed: expected an integer, got ${args.seed}`);
  let scenario;
  try {
    scenario = loadScenario(args.dir);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
  const lines: string[] = [];
  const out: string[] = [];
  const onEvent = (event: TraceEvent) => {
    if (args.trace !== undefined) lines.push(JSON.stringify(event));
    if (!args.quiet && event.ev !== 'log') out.push(formatEvent(event));
    if (out.length >= 1000) flush(out);
  };
  if (!args.quiet) process.stdout.write(`simulating ${scenario.name} (seed ${args.seed})\n`);
  new Simulator(scenario, { seed: args.seed, onEvent }).run();
  flush(out);
  if (args.trace !== undefined) writeFileSync(args.trace, lines.length ? `${lines.join('\n')}\n` : '');
}

function flush(out: string[]): void {
  if (out.length === 0) return;
  process.stdout.write(`${out.join('\n')}\n`);
  out.length = 0;
}
