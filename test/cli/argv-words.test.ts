import { strict as assert } from 'node:assert';
import { hasFlagValues, normalizeFlagValues } from '../../src/cli/argv-words.ts';

describe('argv words before yargs parses (src/cli/argv-words.ts)', () => {
  const booleans = new Set(['verbose', 'restricted', 'quiet']);
  const lines: string[][] = [
    ['status'],
    ['status', '--dir', '/srv/ha'],
    ['status', '--verbose'],
    ['status', '--verbose', 'yes'],
    ['status', '--verbose=0'],
    ['status', '--dir=/srv/ha'],
    ['status', '--dir', 'on'],
    ['groupadd', 'web', '--nodes', 'node1', '--restricted', 'off', '--dir', '/x'],
    ['groupadd', 'web', '--restricted', '--', '--quiet', 'yes'],
    ['set', 'vm:100', '--state', 'started'],
    ['crm-command', 'stop', 'vm:100', '0'],
    ['simulate', 'x', '--quiet', 'TRUE'],
  ];

  it('hasFlagValues is true for every command line normalizeFlagValues rewrites (the probe for booleans is skipped otherwise)', () => {
    for (const argv of lines) {
      const isRewritten = normalizeFlagValues(argv, booleans).join('\0') !== argv.join('\0');
      if (isRewritten) assert.equal(hasFlagValues(argv), true, argv.join(' '));
    }
    assert.equal(lines.filter((argv) => normalizeFlagValues(argv, booleans).join('\0') !== argv.join('\0')).length, 4, 'four of the lines are rewritten');
  });

  it('hasFlagValues is false for plain command lines: status and config do not build a scratch parser', () => {
    assert.equal(hasFlagValues(['status']), false);
    assert.equal(hasFlagValues(['status', '--dir', '/srv/ha', '--verbose']), false);
    assert.equal(hasFlagValues(['set', 'vm:100', '--state', 'started']), false);
    assert.equal(hasFlagValues(['add', 'vm:100', '--', '--x=1']), false, 'nothing after --');
  });
});
