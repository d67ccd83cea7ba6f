import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { addConnect, addDevice, editFenceConfig } from '../config/fence-edit.ts';
import { agentParameters, unknownOptions } from '../fence/fence-metadata.ts';
import { EmulatedBmc, freeLoopbackUdpPort } from './emulated-bmc.ts';
import type { LocalCluster } from './local-cluster.ts';
import { killNode } from './node-kill.ts';

/**
 * An emulated BMC for each node of a local cluster, and fence.cfg with one IPMI level per node, for
 * `ha-manager demo --fencing ipmi` and the fencing benchmark: the master's proxy runs the real
 * `fence_ipmilan`, which talks IPMI over LAN to the node's `ipmi_sim` (emulated-bmc.ts). A power-off
 * kills every process of the node (killNode, recorded as a reset with the cause `powered off by its
 * BMC`); a power-on starts the node's daemons, as a server boots when its power comes back.
 *
 * fence.cfg is written through the same edits as `ha-manager fence device add` / `fence connect`
 * (src/config/fence-edit.ts, under the config lock, mode 0600), after the options are checked against
 * fence_ipmilan's own metadata as those commands check them: one device `ipmi` with what every BMC
 * shares, and a `connect` per node with its BMC's port.
 */

export const BMC_POWER_OFF_CAUSE = 'powered off by its BMC';
const FENCE_AGENT = 'fence_ipmilan';
const DEVICE_ID = 'ipmi';
const USERNAME = 'admin';

export class ClusterBmcs {
  private readonly powerOns: Array<{ readonly node: string; readonly wallMs: number }> = [];

  private constructor(
    private readonly cluster: LocalCluster,
    readonly bmcs: ReadonlyMap<string, EmulatedBmc>,
  ) {}

  /**
   * Checks fence_ipmilan, starts a BMC per node of `fencedNodes` (default every node; the nodes not yet
   * running) and writes fence.cfg, where the other nodes have no level: only their watchdog fences them.
   */
  static async start(cluster: LocalCluster, options: { readonly onError: (error: Error) => void; readonly fencedNodes?: readonly string[] }): Promise<ClusterBmcs> {
    const { onError } = options;
    const parameters = agentParameters(FENCE_AGENT);
    if (parameters.kind === 'unavailable') throw new Error(`${parameters.reason} (Debian: apt-get install fence-agents ipmitool openipmi)`);
    // A fresh password per cluster: nothing outside this run can fence its nodes, and a leak in the story would show.
    const password = `Bmc-${randomBytes(6).toString('hex')}`;
    const bmcs = new Map<string, EmulatedBmc>();
    const owner = new ClusterBmcs(cluster, bmcs);
    try {
      for (const node of options.fencedNodes ?? cluster.spec.nodes) {
        if (!cluster.spec.nodes.includes(node)) throw new Error(`No node ${node} in the cluster to give a BMC`);
        const port = await freeLoopbackUdpPort();
        const dir = join(cluster.root, 'bmc', node); // beside the node run directories, never inside one
        bmcs.set(node, await EmulatedBmc.start({ node, dir, port, username: USERNAME, password, onPower: (state) => owner.power(node, state), onError }));
      }
      owner.writeFenceConfig(parameters.names);
    } catch (error) {
      await owner.stop();
      throw error;
    }
    return owner;
  }

  /** When the master's `on` reached each node's BMC, in order. */
  poweredOn(): ReadonlyArray<{ readonly node: string; readonly wallMs: number }> {
    return this.powerOns;
  }

  /** BMCs still running (after stop: none). */
  get runningCount(): number {
    return [...this.bmcs.values()].filter((bmc) => bmc.isRunning).length;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.bmcs.values()].map((bmc) => bmc.stop()));
  }

  private async power(node: string, state: 'off' | 'on'): Promise<void> {
    if (state === 'off') {
      await killNode(this.cluster, node, { isGraceful: false, reason: BMC_POWER_OFF_CAUSE, isAlwaysRecorded: true });
      return;
    }
    this.powerOns.push({ node, wallMs: Date.now() });
    // Its daemons wait for the shared directory when the node is still cut off: a booting server does not wait for them.
    await this.cluster.startNode(node, { waitForRounds: false });
  }

  private writeFenceConfig(known: ReadonlySet<string>): void {
    const [first, ...others] = [...this.bmcs.values()];
    if (first === undefined) throw new Error('A cluster without nodes has no BMC');
    const { ipport: _port, ...shared } = first.fenceOptions();
    const perNode = (bmc: EmulatedBmc) => ({ ipport: bmc.fenceOptions().ipport ?? '' });
    for (const bmc of others) {
      const { ipport: _other, ...options } = bmc.fenceOptions();
      if (JSON.stringify(options) !== JSON.stringify(shared)) throw new Error(`The BMC of ${bmc.spec.node} differs from the others in more than its port`);
    }
    const unknown = unknownOptions([...Object.keys(shared), 'ipport'], known);
    if (unknown.length > 0) throw new Error(`${FENCE_AGENT} does not know the options ${unknown.map((option) => option.key).join(', ')}`);
    editFenceConfig(this.cluster.store, (document) => {
      addDevice(document, { id: DEVICE_ID, agent: FENCE_AGENT, options: shared });
      for (const [node, bmc] of this.bmcs) addConnect(document, { deviceId: DEVICE_ID, node, options: perNode(bmc) });
    });
  }
}
