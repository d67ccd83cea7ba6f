import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';

describe("CI runs the README's test command", () => {
  it('the last line of .ci/run is the command of the README line "# set up and test"', () => {
    const readmeLine = readFileSync('README.md', 'utf8').split('\n').find((line) => line.endsWith('# set up and test'));
    assert.ok(readmeLine, 'README.md has a line ending "# set up and test"');
    const command = readmeLine.replace(/#.*$/, '').trim();
    const ciLines = readFileSync('.ci/run', 'utf8').trim().split('\n');
    assert.equal(ciLines.at(-1), command);
    assert.match(command, /^build\/test-tools\.sh && npm ci && npm test$/);
  });
});
