import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { EmulatedBmc } from '../../src/cluster/emulated-bmc.ts';
import { freeUdpPort } from '../e2e/fence-e2e.ts';

/** A power action of the supervisor: killing a node's processes or starting its daemons takes this long on a loaded machine. */
const POWER_ACTION_MS = 1_000;

describe('EmulatedBmc: stop', function () {
  this.timeout(60_000);

  it('waits for a power action under way (a boot finishing after its cluster stopped would leave daemons running)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bmc-'));
    const log: string[] = [];
    const bmc = await EmulatedBmc.start({
      node: 'node2',
      dir,
      port: await freeUdpPort(),
      username: 'admin',
      password: 'Stop-Test-Pw',
      onPower: async (state) => {
        log.push(`${state} begins`);
        await new Promise((resolve) => setTimeout(resolve, POWER_ACTION_MS));
        log.push(`${state} done`);
      },
    });
    try {
      // What the chassis hook appends when fence_ipmilan asks for power off.
      appendFileSync(join(dir, 'requests'), 'off\n');
      await pollUntil('the power-off to begin', 10_000, () => log.includes('off begins'), 10);
      await bmc.stop();
      assert.deepEqual(log, ['off begins', 'off done'], 'stop returned before the power-off had ended');
      assert.equal(bmc.power, 'off');
    } finally {
      await bmc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
