import { strict as assert } from 'node:assert';
import { parseSwarmArgs } from '../../../src/cluster/swarm/swarm-args.ts';
import { SWARM_ETCD_FAULT_KINDS, SWARM_FAULT_KINDS } from '../../../src/cluster/swarm/swarm-plan.ts';

describe('chaos:cluster arguments', () => {
  it('defaults: 3 nodes, two services a node, 5 minutes, every fault kind, the given seed', () => {
    assert.deepEqual(parseSwarmArgs([], 42), {
      seed: 42,
      faultPhaseMs: 300_000,
      nodes: 3,
      services: 6,
      kinds: [...SWARM_FAULT_KINDS],
      plant: undefined,
      isFailFast: false,
      store: 'dir',
    });
  });

  it('--store etcd: `all` takes in the faults of etcd itself, which the dir store refuses', () => {
    assert.deepEqual(parseSwarmArgs(['--store', 'etcd'], 1).kinds, [...SWARM_FAULT_KINDS, ...SWARM_ETCD_FAULT_KINDS]);
    assert.deepEqual(parseSwarmArgs(['--store', 'etcd', '--faults', 'cut,etcd-majority,etcd-leader'], 1).kinds, ['cut', 'etcd-leader', 'etcd-majority']);
    assert.deepEqual(parseSwarmArgs(['--store', 'etcd', '--faults', 'all,-etcd-pause'], 1).kinds, [...SWARM_FAULT_KINDS, 'etcd-kill', 'etcd-leader', 'etcd-majority']);
    assert.throws(() => parseSwarmArgs(['--faults', 'etcd-kill'], 1), { message: /^Bad --faults entry "etcd-kill": a fault of etcd needs --store etcd$/ });
    assert.throws(() => parseSwarmArgs(['--store', 'nfs'], 1), { message: /^Bad --store "nfs": use dir or etcd$/ });
  });

  it('reads every option; a leading - leaves a fault kind out', () => {
    const options = parseSwarmArgs(['--seed', '7', '--minutes', '0.5', '--nodes', '5', '--services', '3', '--faults', 'all,-restart-cut,-cli', '--plant', 'silent-watchdog', '--fail-fast'], 1);
    assert.deepEqual(options, { seed: 7, faultPhaseMs: 30_000, nodes: 5, services: 3, kinds: ['kill', 'pause', 'cut', 'reboot', 'reset'], plant: 'silent-watchdog', isFailFast: true, store: 'dir' });
    assert.deepEqual(parseSwarmArgs(['--faults', 'cut,kill'], 1).kinds, ['kill', 'cut']);
  });

  it('refuses bad input with one line naming the argument and the value', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--seed=-1'], /^Bad --seed "-1": an integer from 0 to/],
      [['--seed', '-1'], /^Option '--seed' argument is ambiguous\.$/],
      [['--seed', '1.5'], /^Bad --seed "1\.5"/],
      [['--minutes', '0'], /^Bad --minutes "0": a number of minutes above 0 and at most 1440$/],
      [['--minutes', 'ten'], /^Bad --minutes "ten"/],
      [['--nodes', '6'], /^Bad --nodes "6": an integer from 3 to 5$/],
      [['--services', '0'], /^Bad --services "0": an integer from 1 to 40$/],
      [['--faults', 'power'], /^Bad --faults entry "power": use all or kill, pause/],
      [['--faults=-cut'], /^Bad --faults "-cut": no fault kind left$/],
      [['--plant', 'nothing'], /^Bad --plant "nothing": use silent-watchdog$/],
      [['--speed', '2'], /Unknown option '--speed'/],
    ];
    for (const [argv, pattern] of cases) assert.throws(() => parseSwarmArgs(argv, 1), { message: pattern }, argv.join(' '));
  });
});
