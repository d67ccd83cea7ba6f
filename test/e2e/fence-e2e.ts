import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

/** The cluster's folders are a few levels deep (local/<node>/state/...); deeper would be a loop. */
const FOLDER_DEPTH_MAX = 12;

/** Files under the cluster's folder (logs, journals, status, leases) that contain `secret`, but those in `except`. */
export function filesContaining(cluster: LocalCluster, secret: string, except: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > FOLDER_DEPTH_MAX) throw new Error(`filesContaining: ${dir} is deeper than ${FOLDER_DEPTH_MAX} levels`);
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

/** The soft-fence script waits this long for the harness to restart the LRM (100 polls of 0.1 s). */
const RESTART_WAIT_POLLS_MAX = 100;
/** The harness looks for restart requests this often. */
const RESTART_POLL_MS = 100;

/**
 * `systemctl restart ha-lrm` for the local cluster, as a command a proxy runs under `sh -c` (a soft
 * fence): `sh <script> <node>` appends a request id to `<node>.requests` and waits until the harness
 * (this process, which owns the cluster's processes) has killed the node's LRM — stopped or hung, it
 * gets SIGKILL — and started a new one; it exits 0 then, 1 if that did not happen within 10 s.
 */
export class LrmRestarter {
  readonly script: string;
  readonly restarts: Array<{ node: string; wallMs: number; oldPid: number | undefined; newPid: number | undefined }> = [];
  private readonly dir: string;
  private readonly done = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private acting: Promise<void> | undefined;

  constructor(private readonly cluster: LocalCluster) {
    this.dir = join(cluster.root, 'soft-fence');
    mkdirSync(this.dir, { recursive: true });
    this.script = join(this.dir, 'restart-lrm');
    writeFileSync(this.script, restartScript(this.dir), { mode: 0o755 });
    this.timer = setInterval(() => {
      this.acting ??= this.serve().finally(() => {
        this.acting = undefined;
      });
    }, RESTART_POLL_MS);
  }

  /** The soft_fence command for `node`. */
  command(node: string): string {
    return `sh ${this.script} ${node}`;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.acting;
  }

  private async serve(): Promise<void> {
    for (const node of this.cluster.spec.nodes) {
      const file = join(this.dir, `${node}.requests`);
      if (!existsSync(file)) continue;
      for (const id of readFileSync(file, 'utf8').split('\n').filter((line) => /^\d+$/.test(line))) {
        if (this.done.has(`${node} ${id}`)) continue;
        this.done.add(`${node} ${id}`);
        const old = this.cluster.process(node, 'lrm');
        await old?.stop(1_000, 'SIGKILL');
        const fresh = this.cluster.startDaemon(node, 'lrm');
        this.restarts.push({ node, wallMs: Date.now(), oldPid: old?.pid, newPid: fresh.pid });
        writeFileSync(join(this.dir, `${node}.done.${id}`), '');
      }
    }
  }
}

function restartScript(dir: string): string {
  return [
    '#!/bin/sh',
    '# soft fence of a local-cluster node (test/e2e/fence-e2e.ts LrmRestarter): $1 the node',
    `dir='${dir}'`,
    'id=$$',
    'echo "$id" >> "$dir/$1.requests"',
    'i=0',
    `while [ $i -lt ${RESTART_WAIT_POLLS_MAX} ]; do`,
    '  [ -e "$dir/$1.done.$id" ] && exit 0',
    '  i=$((i + 1)); sleep 0.1',
    'done',
    'echo "the LRM of $1 was not restarted" >&2',
    'exit 1',
    '',
  ].join('\n');
}
