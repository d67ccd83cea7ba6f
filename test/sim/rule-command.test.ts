import { strict as assert } from 'node:assert';
import { parseCommand } from '../../src/sim/sim-commands.ts';
import { rulesAfter, type RuleCommand } from '../../src/sim/rule-command.ts';

const NODES = new Set(['node1', 'node2']);
const parse = (text: string) => parseCommand(text, NODES);

describe('the rule scenario command', () => {
  it('reads node-affinity, resource-affinity and delete, inside after too', () => {
    assert.deepEqual(parse('rule r1 node-affinity vm:1,vm:2 node1:2,node2 strict'), {
      kind: 'rule',
      id: 'r1',
      rule: { type: 'node-affinity', id: 'r1', resources: ['vm:1', 'vm:2'], nodes: { node1: 2, node2: 0 }, strict: true, isDisabled: false },
      text: 'rule r1 node-affinity vm:1,vm:2 node1:2,node2 strict',
    });
    assert.equal((parse('rule r2 resource-affinity vm:1,vm:2 negative') as RuleCommand).rule?.type, 'resource-affinity');
    assert.equal((parse('rule r2 delete') as RuleCommand).rule, undefined);
    assert.equal((parse('after 5 rule r2 delete') as { kind: string }).kind, 'after');
  });

  it('refuses malformed rules with the reason', () => {
    assert.match(parse('rule 9 delete') as string, /expected 'rule <id> node-affinity/);
    assert.match(parse('rule r node-affinity vm:1 node1 loose') as string, /expected 'rule <id>/);
    assert.match(parse('rule r resource-affinity vm:1,junk positive') as string, /Bad service id 'junk'/);
    assert.match(parse('rule r resource-affinity vm:1,vm:2 sideways') as string, /expected 'rule <id>/);
  });

  it('replaces a rule in place, appends a new one, deletes one', () => {
    const a = (parse('rule a resource-affinity vm:1,vm:2 positive') as RuleCommand).rule!;
    const b = (parse('rule b resource-affinity vm:3,vm:4 negative') as RuleCommand).rule!;
    const a2 = parse('rule a resource-affinity vm:1,vm:5 positive') as RuleCommand;
    assert.deepEqual(rulesAfter([a, b], a2).map((rule) => rule.resources), [['vm:1', 'vm:5'], ['vm:3', 'vm:4']]);
    assert.deepEqual(rulesAfter([a], parse('rule b resource-affinity vm:3,vm:4 negative') as RuleCommand), [a, b]);
    assert.deepEqual(rulesAfter([a, b], parse('rule a delete') as RuleCommand), [b]);
  });
});
