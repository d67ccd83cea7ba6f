import { strict as assert } from 'node:assert';
import { runDemo } from '../../src/cluster/demo-run.ts';

/** A story line: `t+12.4 s  <sentence>`. */
const STORY_LINE = /^t\+(\d+\.\d) s {2}(.+)$/;
/** A table heading: `--- t+12.4 s  <note>`. */
const TABLE_HEADING = /^--- t\+(\d+\.\d) s {2}/;

describe('e2e: ha-manager demo tells a story (real processes, fast timing)', function () {
  this.timeout(240_000);

  it('runs the failover and tells it in the order it happened, in seconds and sentences', async () => {
    const lines: string[] = [];
    const summary = await runDemo((text) => lines.push(...text.split('\n')), { profile: 'fast' });
    assert.equal(summary.ok, true, `demo failed: ${summary.error ?? ''}\n${lines.join('\n')}`);
    const output = lines.join('\n');
    const stamps = lines.flatMap((line) => {
      const match = STORY_LINE.exec(line) ?? TABLE_HEADING.exec(line);
      return match ? [Number(match[1])] : [];
    });
    assert.ok(stamps.length >= 5, output);
    for (let index = 1; index < stamps.length; index++) {
      assert.ok(stamps[index]! >= stamps[index - 1]!, `line ${index} goes back in time (${stamps[index - 1]} s, then ${stamps[index]} s):\n${output}`);
    }
    const story = lines.filter((line) => STORY_LINE.test(line)).join('\n');
    const reset = story.indexOf(`${summary.cutNode} is reset by its watchdog`);
    const take = story.indexOf(`takes the agent lease of ${summary.cutNode}`);
    const start = story.indexOf(`${summary.recoveries[0]!.sid} starts on ${summary.recoveries[0]!.to}`);
    assert.ok(reset >= 0 && take > reset && start > take, `reset, lease take, start in this order:\n${story}`);
    assert.match(story, new RegExp(`the master ${summary.master} now sees ${summary.cutNode} as fence`));
    assert.doesNotMatch(output, /[{}]/, 'no raw JSON in text mode');
    assert.doesNotMatch(output, /\d{10,}/, 'no epoch milliseconds in text mode');
    assert.ok(summary.leaseTakenAfterMs > summary.fencedAfterMs, `the lease is taken after the reset: ${JSON.stringify(summary)}`);
    assert.deepEqual(summary.story.map((entry) => entry.afterCutMs), [...summary.story.map((entry) => entry.afterCutMs)].sort((a, b) => a - b));
  });
});
