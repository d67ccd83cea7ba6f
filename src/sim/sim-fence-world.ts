import { isWithoutWatchdog } from '../fence/fence-config.ts';
import { SimFenceJobs, type SimFenceWorld } from './sim-fence-jobs.ts';
import type { Simulator } from './simulator.ts';

/** The fence jobs of a simulated cluster, acting on it through the simulator's own power and daemon switches. */
export function simFenceJobs(simulator: Simulator): SimFenceJobs {
  const cluster = simulator.cluster;
  const world: SimFenceWorld = {
    devices: cluster.fenceDevices,
    nowMs: () => cluster.timeMs,
    fenceConfig: () => cluster.config.fence,
    isPoweredOn: (node) => cluster.node(node).isPoweredOn,
    isOnline: (node) => cluster.isOnline(node),
    isDumping: (node) => cluster.node(node).isDumping,
    bootsOf: (node) => cluster.node(node).boots,
    lrmProcessOf: (node) => cluster.node(node).lrm,
    powerOff: (node) => powerOff(simulator, node),
    powerOn: (node) => powerOn(simulator, node),
    restartLrm: (node) => restartLrm(simulator, node),
    emit: (node, body) => cluster.emitAs(node, body),
  };
  return new SimFenceJobs(world);
}

/** Power cut by a fence device: a node writing its kernel dump stops writing it too. */
function powerOff(simulator: Simulator, name: string): void {
  const node = simulator.cluster.node(name);
  node.isDumping = false;
  simulator.powerOff(node, 'fence');
}

/** Power switched on by a fence device: a node already on stays as it is, network cut included. */
function powerOn(simulator: Simulator, name: string): void {
  const node = simulator.cluster.node(name);
  if (!node.isPoweredOn) simulator.powerOn(node, 'fence');
}

/**
 * What a soft fence's command does (`systemctl restart ha-lrm` over SSH): a hung LRM is killed (its
 * SIGSTOP ends with it) and a new one starts; a stopped one is started.
 */
function restartLrm(simulator: Simulator, name: string): boolean {
  const cluster = simulator.cluster;
  const node = cluster.node(name);
  const faults = cluster.faults.of(name);
  if (cluster.faults.isPaused(name, 'lrm', cluster.timeMs)) {
    if (faults.pausedDaemons === 'all') faults.pausedDaemons = 'crm';
    else faults.pausedUntilMs = 0;
  }
  if (node.lrm) simulator.crashDaemon(node, 'lrm');
  else simulator.startLrmOn(node);
  return node.lrm !== undefined;
}

/** A node without a watchdog (`watchdog none` in fence.cfg) has no device that could reset it. */
export function hasWatchdogDevice(simulator: Simulator, node: string): boolean {
  return !isWithoutWatchdog(simulator.cluster.config.fence, node);
}
