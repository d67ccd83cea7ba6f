import { assertNever } from '../common/assert.ts';
import { formatCrmCommand, parseCrmCommand } from '../crm/crm-command.ts';
import type { FaultCommand } from './fault-commands.ts';
import type { Simulator } from './simulator.ts';

/** Carries out one fault command: it only switches the simulated adapters, never the logic. */
export function applyFaultCommand(simulator: Simulator, command: FaultCommand): void {
  const cluster = simulator.cluster;
  const faults = cluster.faults;
  switch (command.kind) {
    case 'storage':
      faults.of(command.node).isStorageCut = !command.isOn;
      return;
    case 'store':
      faults.isStoreDown = command.state === 'down';
      faults.storeLatencyMs = command.latencyS * 1000;
      return;
    case 'stale':
      faults.of(command.node).staleMs = command.seconds * 1000;
      return;
    case 'pause': {
      const nodeFaults = faults.of(command.node);
      nodeFaults.pausedUntilMs = cluster.timeMs + command.seconds * 1000;
      nodeFaults.pausedDaemons = command.daemons;
      return;
    }
    case 'crash':
      simulator.crashDaemon(cluster.node(command.node), command.daemon);
      return;
    case 'kdump':
      crashWithKdump(simulator, command.node);
      return;
    case 'fence-device':
      cluster.fenceDevices.set(command.deviceId, { state: command.state, ...(command.slowS !== undefined ? { slowMs: command.slowS * 1000 } : {}) });
      return;
    case 'drift':
      cluster.node(command.node).clock.setDrift(cluster.timeMs, command.permille);
      return;
    case 'fail':
      cluster.resourcesRunner.inject(command.sid, command.action, command.count);
      return;
    case 'heal':
      heal(simulator);
      return;
    default:
      assertNever(command, 'fault command');
  }
}

/** The kernel crashes and kdump starts: the node halts (its daemons and services end) and announces the dump until powered on. */
function crashWithKdump(simulator: Simulator, name: string): void {
  const node = simulator.cluster.node(name);
  if (!node.isPoweredOn) return;
  simulator.powerOff(node, 'kdump');
  node.isDumping = true;
}

/** Ends the faults (but drift), powers every node on, and asks to end every manual maintenance and a disarm. */
function heal(simulator: Simulator): void {
  const cluster = simulator.cluster;
  cluster.faults.healAll();
  cluster.fenceDevices.healAll();
  cluster.resourcesRunner.clearInjected();
  for (const name of cluster.nodeNames) {
    const node = cluster.node(name);
    if (!node.isPoweredOn || !node.isNetworkOn) simulator.powerOn(node, 'power');
  }
  const requests = cluster.managerStatus?.nodeRequest ?? {};
  const queued = new Set<string>();
  let isDisarmQueued = false;
  for (const { line } of cluster.commandQueue.all()) {
    const parsed = parseCrmCommand(line);
    if (parsed.ok && parsed.value.kind === 'enable-node-maintenance') queued.add(parsed.value.node);
    if (parsed.ok && parsed.value.kind === 'disarm-ha') isDisarmQueued = true;
  }
  for (const name of cluster.nodeNames) {
    if (requests[name]?.maintenance || queued.has(name)) cluster.commandQueue.enqueue(formatCrmCommand({ kind: 'disable-node-maintenance', node: name }), 'heal', cluster.timeMs);
  }
  if (cluster.managerStatus?.disarm !== undefined || isDisarmQueued) cluster.commandQueue.enqueue(formatCrmCommand({ kind: 'arm-ha' }), 'heal', cluster.timeMs);
}
