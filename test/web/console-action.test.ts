import { strict as assert } from 'node:assert';
import { parseConsoleAction } from '../../src/web/console-action.ts';

describe('web: action bodies', () => {
  it('takes every kind of action in its shape', () => {
    const actions = [
      { kind: 'migrate', sid: 'vm:100', node: 'node2' },
      { kind: 'relocate', sid: 'ct:200', node: 'node3' },
      { kind: 'stop', sid: 'vm:100', timeoutS: 60 },
      { kind: 'set-state', sid: 'vm:100', state: 'disabled' },
      { kind: 'maintenance', node: 'node2', action: 'enable' },
      { kind: 'disarm', mode: 'freeze' },
      { kind: 'arm' },
      { kind: 'fence-ack', node: 'node3' },
    ];
    for (const action of actions) assert.deepEqual(parseConsoleAction(action), { ok: true, action });
  });

  it('refuses a wrong shape with one line naming the field', () => {
    const problem = (body: unknown) => {
      const parsed = parseConsoleAction(body);
      assert.equal(parsed.ok, false);
      return (parsed as { problem: string }).problem;
    };
    assert.equal(problem([]), 'Bad action: expected a JSON object with a "kind"');
    assert.equal(problem({ kind: 'reboot' }), 'Bad action kind "reboot": expected migrate, relocate, stop, set-state, maintenance, disarm, arm or fence-ack');
    assert.equal(problem({ kind: 'migrate', sid: 'vm:100' }), 'Bad action migrate: "node" is missing or empty');
    assert.equal(problem({ kind: 'stop', sid: 'vm:100', timeoutS: '60' }), 'Bad action stop: "timeoutS" must be a whole number of seconds');
    assert.match(problem({ kind: 'set-state', sid: 'vm:100', state: 'on' }), /"state" must be started, stopped, disabled or ignored, got "on"/);
    assert.match(problem({ kind: 'disarm', mode: 'off' }), /"mode" must be freeze or ignore/);
  });
});
