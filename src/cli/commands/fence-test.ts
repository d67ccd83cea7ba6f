import type { Argv } from 'yargs';
import { printOutput, withOutputFormat, type ReadingArgs } from '../cli-options.ts';
import { storeOf } from '../cli-store.ts';
import { textTable } from '../text-table.ts';

interface FenceTestArgs extends ReadingArgs {
  readonly node: string;
}

/** One device as `fence-test` reports it (JSON field names; secrets are masked in `reason`). */
export interface DeviceTestView {
  /** 1 for the level tried first. */
  readonly level: number;
  readonly level_name: string;
  readonly device: string;
  readonly agent: string;
  /** What `status` answered; `untested` for an agent without status (fence_kdump). */
  readonly power: 'on' | 'off' | 'failed' | 'untested';
  readonly seconds: number;
  readonly reason: string;
}

export const fenceTestCommand = {
  builder: (yargs: Argv) =>
    withOutputFormat(yargs)
      .positional('node', { type: 'string', describe: 'the node whose fence devices to test' })
      .example('$0 fence-test node2', "ask every fence device of node2's levels for the power status")
      .epilog('Runs the agents here, with the options of fence.cfg on stdin; changes no power state. Exit status 1 when a device failed to answer, or the node has no fence level.'),
  handler: async (args: FenceTestArgs) => {
    const { loadHaConfig } = await import('../../config/load-config.ts');
    const { fenceLevelsFor } = await import('../../fence/fence-config.ts');
    const { FenceRunner } = await import('../../fence/fence-runner.ts');
    const node = String(args.node);
    const config = loadHaConfig(await storeOf(args)).config.fence;
    const levels = config === undefined ? [] : fenceLevelsFor(config, node);
    // An error, not an empty table: a script asking whether node2 can be fenced must not read "yes".
    if (levels.length === 0) throw new Error(`Node '${node}' has no fence level in fence.cfg (see 'ha-manager fence plan'): nothing to test`);
    const tests = await new FenceRunner().testDevices(levels);
    const view: DeviceTestView[] = tests.map((test) => ({
      level: test.levelIndex + 1,
      level_name: test.level,
      device: test.deviceId,
      agent: test.agent,
      power: test.power,
      seconds: Math.round(test.durationMs / 10) / 100,
      reason: test.reason,
    }));
    printOutput(view, { format: args['output-format'], renderText: renderDeviceTests });
    const failed = view.filter((test) => test.power === 'failed').length;
    // Thrown after the report: main() prints it as one line on stderr and exits 1 (ExitCode.failure).
    if (failed > 0) throw new Error(`${failed} of ${view.length} fence device(s) of node '${node}' failed to answer: see the reason of each`);
  },
};

function renderDeviceTests(view: readonly DeviceTestView[]): string {
  const rows = view.map((test) => [`${test.level} ${test.level_name}`, test.device, test.agent, test.power, `${test.seconds.toFixed(2)}s`, test.power === 'on' || test.power === 'off' ? '' : test.reason]);
  return textTable(['LEVEL', 'DEVICE', 'AGENT', 'POWER', 'TIME', 'REASON'], rows);
}
