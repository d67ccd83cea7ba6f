import { strict as assert } from 'node:assert';
import { rulesFromSections } from '../../src/config/rules.ts';
import { parseSectionConfig } from '../../src/config/section-config.ts';

const parse = (text: string) => rulesFromSections(parseSectionConfig(text, 'rules.cfg'), 'rules.cfg');

describe('rules.cfg', () => {
  it('reads both rule types as Proxmox VE 9 writes them, defaults included', () => {
    const text = 'node-affinity: keep-web\n\tresources vm:101,vm:102\n\tnodes node1:2,node2\n\tstrict 1\n\tcomment web\n\nresource-affinity: apart\n\tresources vm:101,ct:200\n\taffinity negative\n';
    assert.deepEqual(parse(text), [
      { type: 'node-affinity', id: 'keep-web', resources: ['vm:101', 'vm:102'], nodes: { node1: 2, node2: 0 }, strict: true, isDisabled: false, comment: 'web' },
      { type: 'resource-affinity', id: 'apart', resources: ['vm:101', 'ct:200'], affinity: 'negative', isDisabled: false },
    ]);
  });

  it('takes any disable line as disabled, `disable 0` and a bare `disable` included', () => {
    for (const line of ['disable 0', 'disable 1', 'disable']) {
      assert.equal(parse(`resource-affinity: r\n\tresources vm:1,vm:2\n\taffinity positive\n\t${line}\n`)[0]!.isDisabled, true, line);
    }
  });

  it('refuses what Proxmox would not write, naming the file and line', () => {
    const refused: Array<[string, RegExp]> = [
      ['group: g\n\tnodes node1\n', /rules\.cfg:1: Unknown rule type 'group'/],
      ['node-affinity: 1bad\n\tresources vm:1\n\tnodes node1\n', /rules\.cfg:1: Bad rule id '1bad'/],
      ['node-affinity: r\n\tresources vm:1\n\taffinity positive\n\tnodes node1\n', /rules\.cfg:3: Unknown option 'affinity' of a node-affinity rule/],
      ['resource-affinity: r\n\tresources vm:1,nonsense\n\taffinity positive\n', /rules\.cfg:2: Option 'resources': Bad service id 'nonsense'/],
      ['resource-affinity: r\n\tresources vm:1,vm:2\n\taffinity sideways\n', /rules\.cfg:3: .*expected positive or negative/],
      ['node-affinity: r\n\tresources vm:1\n', /rules\.cfg:1: Rule 'r' has no 'nodes'/],
      ['node-affinity: r\n\tresources vm:1\n\tnodes node1\n\nresource-affinity: r\n\tresources vm:1,vm:2\n\taffinity positive\n', /rules\.cfg:5: Duplicate rule id 'r' \(first at line 1\)/],
    ];
    for (const [text, message] of refused) assert.throws(() => parse(text), message);
  });
});
