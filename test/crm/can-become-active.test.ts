import { strict as assert } from 'node:assert';
import { emptyManagerStatus, newServiceStatus, type ManagerStatus } from '../../src/common/manager-status.ts';
import { canBecomeActive } from '../../src/crm/can-become-active.ts';
import { config, membership, NODES, vm } from './manager-harness.ts';

const EMPTY = config({});

function saved(change: (status: ManagerStatus) => void): ManagerStatus {
  const status = emptyManagerStatus();
  status.masterNode = 'node1';
  status.nodeStatus = { node1: 'unknown', node2: 'online', node3: 'online' };
  change(status);
  return status;
}

function activatable(managerStatus: ManagerStatus, nodeName = 'node2'): boolean {
  return canBecomeActive({ nodeName, membership: membership(NODES), managerStatus, config: EMPTY, hasCrmCommands: () => false });
}

describe('canBecomeActive with nothing configured (README-5.2 §4.1)', () => {
  it('is work for a master: stale services in the saved status, or a disarm request (only a master can end it)', () => {
    assert.equal(activatable(saved(() => {})), false, 'nothing to do');
    assert.equal(activatable(saved((status) => status.serviceStatus.set('vm:101', newServiceStatus('started', 'node2', 'u1')))), true);
    assert.equal(activatable(saved((status) => (status.disarm = { mode: 'freeze', state: 'disarmed' }))), true);
  });

  it('but not while the saved master is online and another node', () => {
    const withLiveMaster = saved((status) => {
      status.nodeStatus.node1 = 'online';
      status.disarm = { mode: 'ignore', state: 'disarming' };
    });
    assert.equal(activatable(withLiveMaster), false);
    assert.equal(activatable(withLiveMaster, 'node1'), true);
    assert.equal(canBecomeActive({ nodeName: 'node2', membership: membership(NODES), managerStatus: withLiveMaster, config: config({ 'vm:101': vm('node2') }), hasCrmCommands: () => false }), true, 'configured services are work anyway');
  });
});

describe('canBecomeActive for a node without a watchdog', () => {
  it('never lets it be master, whatever work there is', () => {
    const fence = { devices: [], connects: [], nodes: { node2: { watchdog: 'none' as const, line: 1 } }, proxyOrder: [] };
    const withServices = { ...config({ 'vm:101': vm('node2') }), fence };
    const input = { membership: membership(NODES), managerStatus: undefined, config: withServices, hasCrmCommands: () => true };
    assert.equal(canBecomeActive({ ...input, nodeName: 'node2' }), false);
    assert.equal(canBecomeActive({ ...input, nodeName: 'node3' }), true);
  });
});
