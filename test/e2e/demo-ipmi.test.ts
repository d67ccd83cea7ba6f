import { strict as assert } from 'node:assert';
import { IPMI_FAILOVER_MS_MAX, runDemo } from '../../src/cluster/demo-run.ts';
import { LOCAL_STORE_KINDS } from '../../src/cluster/local-store.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';

/**
 * Parts of sentences of the story, in the order the failover through the BMC must tell them; after the
 * proof, the service's start and the master's `on` race (both follow the same save), and the node is
 * back after its power-on.
 */
function inOrder(cut: string): string[][] {
  return [[
    `now sees ${cut} as unknown`,
    `to power ${cut} off through fence level 1`,
    `runs the fence agents of level 1 to power ${cut} off`,
    `${cut} is powered off by its BMC`,
    `level 1 powered ${cut} off, and its status reads off`,
    `result: level 1 off of ${cut} succeeded`,
    `counts ${cut} as fenced on the agent proof`,
    ' starts on ', // the service on its new node
  ], [
    `counts ${cut} as fenced on the agent proof`,
    `the BMC of ${cut} powers it on`,
    `${cut} is back and publishes why it was fenced: `,
  ]];
}

for (const store of LOCAL_STORE_KINDS) {
  describe(`e2e: ha-manager demo --fencing ipmi --store ${store} (real processes, emulated BMCs, the real fence_ipmilan)`, function () {
    this.timeout(300_000);

    it('fences the cut node through its BMC at fence_timeout 60 s: failover within 20 s, the agent proof, no overlap', async function () {
      if (store === 'etcd') skipWithoutEtcd(this, 'demo --fencing ipmi --store etcd');
      const lines: string[] = [];
      const summary = await runDemo((text) => lines.push(...text.split('\n')), { fencing: 'ipmi', store });
      assert.equal(summary.store, store);
      const told = `${lines.join('\n')}\n${JSON.stringify(summary, null, 1)}`;
      assert.equal(summary.ok, true, `demo failed: ${summary.error ?? ''}\n${told}`);
      assert.equal(summary.timing.leaseTimeoutMs, 60_000, 'the default fence_timeout');
      assert.equal(summary.timing.roundMs, 1_000);
      assert.equal(summary.overlaps, 0);
      const fencing = summary.fencing;
      assert.ok(fencing !== undefined, told);
      assert.equal(fencing.proof, 'agent', told);
      assert.equal(fencing.isComplete, true, told);
      const partsMs = fencing.parts.reduce((sum, part) => sum + part.durationMs, 0);
      console.log(`      failover ${summary.failoverMs} ms: ${fencing.parts.map((part) => `${part.part} ${part.durationMs}`).join(', ')}; powered off ${fencing.poweredOffAfterMs}, on ${fencing.poweredOnAfterMs}`);
      assert.equal(partsMs, summary.failoverMs, 'the parts add up to the failover');
      assert.ok(summary.failoverMs > 0 && summary.failoverMs <= IPMI_FAILOVER_MS_MAX, `failover ${summary.failoverMs} ms, over ${IPMI_FAILOVER_MS_MAX} ms:\n${told}`);
      assert.ok(fencing.poweredOffAfterMs > 0 && fencing.poweredOffAfterMs < summary.failoverMs, 'powered off before the service ran elsewhere');
      assert.ok(fencing.poweredOnAfterMs > fencing.poweredOffAfterMs, 'the master\'s on came after the off');
      const story = summary.story.map((entry) => entry.text);
      for (const sequence of inOrder(summary.cutNode)) {
        let from = 0;
        for (const expected of sequence) {
          const index = story.findIndex((text, position) => position >= from && text.includes(expected));
          assert.ok(index >= 0, `'${expected}' not told after line ${from}:\n${story.join('\n')}`);
          from = index + 1;
        }
      }
      assert.match(summary.fencedRecord ?? '', /was fenced: powered off by its BMC \(emulated\)/);
      assert.doesNotMatch(told, /Bmc-[0-9a-f]{12}/, 'the BMC password appears nowhere');
      assert.doesNotMatch(story.join('\n'), /reset by its watchdog/, 'the BMC fenced the node, not its watchdog');
    });
  });
}
