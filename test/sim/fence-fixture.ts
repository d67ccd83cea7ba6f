import type { FenceConfig, FenceDevice } from '../../src/fence/fence-config.ts';

/** A fence.cfg for tests of the simulated devices, built directly (the parser has tests of its own). */
const device = (id: string, agent: string, options: Record<string, string> = {}): FenceDevice => ({ id, name: id.split(':')[0]!, agent, options, line: 1 });

/** node2's levels: 0 kdump (30 s), 1 its IPMI (20 s), 2 two PDUs (10 s each). node3 has the PDUs only. */
export const FENCE: FenceConfig = {
  devices: [device('kdump', 'fence_kdump', { timeout: '30' }), device('ipmi2', 'fence_ipmilan', { timeout: '20' }), device('pdu:1', 'fence_apc', { timeout: '10' }), device('pdu:2', 'fence_apc', { timeout: '10' })],
  connects: [
    ...['kdump', 'ipmi2', 'pdu:1', 'pdu:2'].map((deviceId) => ({ deviceId, node: 'node2', options: { plug: '2' }, line: 2 })),
    ...['pdu:1', 'pdu:2'].map((deviceId) => ({ deviceId, node: 'node3', options: { plug: '3' }, line: 3 })),
  ],
  nodes: { node2: { watchdog: 'default', softFence: 'ssh node2 systemctl restart ha-lrm', line: 4 } },
  proxyOrder: [],
};
