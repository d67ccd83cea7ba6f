import type { SimCluster } from './sim-cluster.ts';
import type { SimCommand } from './sim-commands.ts';
import { ScenarioError } from './scenario.ts';

type ManualMigrate = Extract<SimCommand, { kind: 'service-manual-migrate' }>;

/**
 * `service <sid> manual-migrate <node>`: an operator moves a guest by hand, behind HA, and its config
 * moves with it. That is only sound while HA leaves the service alone: its requested state is
 * `ignored`, or the stack is disarmed in `ignore` mode (as the master last saved it); otherwise the
 * run stops, as Proxmox's simulator does. Unlike Proxmox's simulator, the guest moves too (a live
 * migration): it runs where its config says, so the invariant that it never runs on two nodes keeps
 * its meaning after the master picks the new node up.
 */
export function applyManualMigrate(cluster: SimCluster, command: ManualMigrate): void {
  const { sid, node, text } = command;
  const resource = cluster.resources[sid];
  if (!resource) throw new ScenarioError(`'${text}': ${sid} is not configured`);
  const isLeftAlone = resource.state === 'ignored' || cluster.managerStatus?.disarm?.mode === 'ignore';
  if (!isLeftAlone) throw new ScenarioError(`'${text}': ${sid} is under HA (not ignored, and HA is not disarmed in ignore mode): a move by hand would go behind the master`);
  const from = resource.node;
  cluster.setResource(sid, { ...resource, node });
  if (from !== undefined && from !== node && cluster.isRunning(from, sid)) {
    cluster.setRunning(from, sid, false);
    cluster.setRunning(node, sid, true);
  }
}
