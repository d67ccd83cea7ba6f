import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BIN_DIR } from '../../src/cluster/cluster-process.ts';
import { EmulatedBmc } from '../../src/cluster/emulated-bmc.ts';
import { EmulatedPdus } from '../../src/cluster/emulated-pdu.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { killNode } from '../../src/cluster/swarm/node-power.ts';
import type { FenceOptions } from '../../src/fence/fence-config.ts';

/** Helpers of the external-fencing end-to-end tests: emulated fence devices wired to a local cluster, fence.cfg, the master's trace. */

export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** fence.cfg, mode 0600 as ha-manager writes it. */
export function writeFenceCfg(cluster: LocalCluster, lines: readonly string[]): void {
  writeFileSync(join(cluster.sharedDir, 'fence.cfg'), `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** Options as fence.cfg words: `key=value`, a flag alone. */
export function optionWords(options: FenceOptions): string {
  return Object.entries(options).map(([key, value]) => (value === '' ? key : `${key}=${value}`)).join(' ');
}

/** What a node's power-off does: every process killed at once and recorded as its reset (the ledger's end of its services). */
export function powerOff(cluster: LocalCluster, node: string, reason: string): Promise<string[]> {
  return killNode(cluster, node, { isGraceful: false, reason, isAlwaysRecorded: true });
}

/** The node boots: its daemons start (while it is cut off they wait for the shared directory). */
export function powerOn(cluster: LocalCluster, node: string): Promise<void> {
  return cluster.startNode(node, { waitForRounds: false });
}

/** `node`'s BMC (ipmi_sim), wired to the cluster: off kills the node, on boots it; each request logged. */
export async function startBmc(cluster: LocalCluster, node: string, password: string, powerLog: string[]): Promise<EmulatedBmc> {
  return EmulatedBmc.start({
    node,
    dir: join(cluster.root, 'bmc', node),
    port: await freeUdpPort(),
    username: 'admin',
    password,
    onPower: async (state) => {
      powerLog.push(`bmc ${state} ${Date.now()}`);
      if (state === 'off') await powerOff(cluster, node, 'powered off by its BMC');
      else await powerOn(cluster, node);
    },
  });
}

/** The PDU outlets feeding `node`, wired to the cluster as the BMC is. */
export function startPdus(cluster: LocalCluster, node: string, outlets: readonly string[], powerLog: string[]): EmulatedPdus {
  return EmulatedPdus.start({
    node,
    dir: join(cluster.root, 'pdu', node),
    outlets,
    onPower: async (state) => {
      powerLog.push(`pdu ${state} ${Date.now()}`);
      if (state === 'off') await powerOff(cluster, node, 'powered off by its PDUs');
      else await powerOn(cluster, node);
    },
  });
}

export interface TraceLine {
  readonly t: number;
  readonly node: string;
  readonly ev: string;
  readonly [key: string]: unknown;
}

/** The trace events of kind `ev` in a node's CRM log (JSON lines), in order. */
export function crmEvents(cluster: LocalCluster, node: string, ev: string): TraceLine[] {
  return readFileSync(join(cluster.localDir(node), 'crm.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes(`"ev":"${ev}"`))
    .map((line) => JSON.parse(line) as TraceLine);
}

/** `fence-result` events as `level action result` (levels counted from 1, as status shows them). */
export function fenceResults(cluster: LocalCluster, master: string, target: string): string[] {
  return crmEvents(cluster, master, 'fence-result')
    .filter((event) => event.target === target)
    .map((event) => `${Number(event.level) + 1} ${String(event.action)} ${String(event.result)}`);
}

/** `fence-ack` events for `target` as `proof` or `proof by who`. */
export function fenceAcks(cluster: LocalCluster, master: string, target: string): string[] {
  return crmEvents(cluster, master, 'fence-ack')
    .filter((event) => event.target === target)
    .map((event) => (event.by === undefined ? String(event.proof) : `${String(event.proof)} by ${String(event.by)}`));
}

/** Files under the cluster's folder (logs, journals, status, leases) that contain `secret`, but those in `except`. */
export function filesContaining(cluster: LocalCluster, secret: string, except: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    // The cluster's folders are a few levels deep; a deeper one would be a loop.
    if (depth > 12) throw new Error(`filesContaining: ${dir} is deeper than 12 levels`);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.isFile() && !except.includes(relative(cluster.root, path)) && statSync(path).size < 64 << 20 && readFileSync(path, 'latin1').includes(secret)) found.push(relative(cluster.root, path));
    }
  };
  walk(cluster.root, 0);
  return found;
}

/** Runs `ha-manager <args> --dir <shared>`: exit code and output. */
export function haManager(cluster: LocalCluster, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(BIN_DIR, 'ha-manager'), ...args, '--dir', cluster.sharedDir], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
