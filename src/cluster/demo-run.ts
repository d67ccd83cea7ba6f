import type { FencedRecord } from '../store/fenced-record.ts';
import type { Timing } from '../common/timing.ts';
import { failoverBoundMs, fencingTiming, TIMING_PROFILES, type FencingMode, type TimingProfileName } from './cluster-config.ts';
import { BMC_POWER_OFF_CAUSE, ClusterBmcs } from './cluster-bmcs.ts';
import { pollUntil } from './cluster-process.ts';
import { renderSnapshot, snapshotOf } from './cluster-view.ts';
import { DemoObserver } from './demo-observer.ts';
import { failoverSentence, formatSeconds, storyLine, storySentence, timingSentence, type StoryEvent } from './demo-story.ts';
import { FenceLogReader } from './fence-log-events.ts';
import { fencingFigures, type FencingFigures } from './fence-parts.ts';
import { waitForMaster, waitForPlacement, waitForRecoveries, waitForReset, type Recovery } from './failover.ts';
import { LocalCluster } from './local-cluster.ts';
import type { LocalStoreKind } from './local-store.ts';

/** What `ha-manager demo` reports at the end (and prints as JSON with --json). */
export interface DemoSummary {
  readonly ok: boolean;
  /** Where the cluster kept its leases, status and config: the shared directory, or its own 3-member etcd. */
  readonly store: LocalStoreKind;
  readonly nodes: readonly string[];
  readonly master: string;
  readonly cutNode: string;
  readonly profile: TimingProfileName;
  readonly timing: Timing;
  /** From the cut to the watchdog reset of the cut node. */
  readonly fencedAfterMs: number;
  /** From the cut to the master's take of the cut node's agent lease (-1: not seen). */
  readonly leaseTakenAfterMs: number;
  /** From the cut to the last of its services running elsewhere. */
  readonly failoverMs: number;
  readonly failoverBoundMs: number;
  readonly recoveries: readonly Recovery[];
  readonly overlaps: number;
  /** What the cut node published about itself after it came back (its fenced record's reason). */
  readonly fencedRecord: string | null;
  /** What happened from the cut on, in the order it happened, each with its time after the cut. */
  readonly story: ReadonlyArray<{ readonly afterCutMs: number; readonly text: string }>;
  readonly leftoverProcesses: number;
  readonly durationMs: number;
  readonly error?: string;
  /** With `--fencing ipmi`: how the BMC fenced the cut node, and the failover's parts. */
  readonly fencing?: DemoFencingSummary;
}

/**
 * Issue 14's acceptance for a failover through IPMI at the default fence_timeout of 60 s. With 1 s
 * rounds it is about 10 s (docs/fencing.md "Timing with fence devices"); the rest is room for a
 * loaded 2-core machine.
 */
export const IPMI_FAILOVER_MS_MAX = 20_000;

export interface DemoFencingSummary extends FencingFigures {
  readonly mode: 'ipmi';
  readonly agent: 'fence_ipmilan';
  readonly failoverMsMax: number;
}

export interface DemoOptions {
  /** Default: fast, or default (fence_timeout 60 s) when fencing through a BMC. */
  readonly profile?: TimingProfileName;
  readonly fencing?: FencingMode;
  /** dir (default): a shared directory; etcd: the demo's own 3-member etcd on loopback ports. */
  readonly store?: LocalStoreKind;
  /**
   * Shows the cluster elsewhere while the demo runs (`demo --web`: the web console over its shared
   * directory): started once the cluster exists, it returns its closer. After the story the demo
   * waits for `held` (the CLI: Ctrl-C), so the page can still be looked at, then closes it and stops.
   */
  readonly watch?: { readonly start: (cluster: LocalCluster) => Promise<() => Promise<void>>; readonly held: () => Promise<void> };
}

/** What the steps find out, kept when a later step fails. */
interface DemoFindings {
  master: string;
  cutNode: string;
  cutWallMs: number;
  fencedAfterMs: number;
  leaseTakenAfterMs: number;
  recoveries: Recovery[];
  fencedRecord: string | null;
  story: StoryEvent[];
  /** Every event noticed, told or not (the fencing figures read it). */
  noticed: StoryEvent[];
}

/** How the steps print: a line, the live table as it is now (`note` heads it), or a table when it changed. */
interface DemoOutput {
  readonly print: (text: string) => void;
  readonly table: (note: string) => string;
  readonly showTable: (text: string) => void;
  readonly startedWallMs: number;
  /** With --fencing ipmi: the BMCs that power the nodes off and on. */
  readonly bmcs: ClusterBmcs | undefined;
}

const NODES = ['node1', 'node2', 'node3'];
const PLACEMENT: Readonly<Record<string, string>> = { 'vm:101': 'node1', 'vm:102': 'node2', 'vm:103': 'node3' };
/**
 * Budgets of the steps: startup of the processes on a loaded 2-core host plus a few rounds; the
 * failover bound of the timing plus that startup allowance again (a late step is a failure, not a
 * figure); the cut node's return. With the fast profile together well inside the 90 s the demo
 * promises.
 */
const STARTUP_MS = 20_000;
const startMsMax = (timing: Timing) => STARTUP_MS + 5 * timing.roundMs;
const recoveryMsMax = (timing: Timing) => failoverBoundMs(timing) + STARTUP_MS;
const comebackMsMax = (timing: Timing) => STARTUP_MS + 3 * timing.roundMs;
/** The story and the live table are brought up to date about once a second while the demo waits. */
const TELL_EVERY_MS = 1_000;

/**
 * The demo: a 3-node cluster on this machine (real processes, emulated watchdogs, `sim` services, the
 * fast timing profile unless another is asked for), one node cut from the shared storage, its fence
 * and the recovery of its service, the node's return (it publishes why it was fenced), then
 * everything stopped and checked. From the cut on it tells what happens as a story, in the order it
 * happened (demo-story.ts). With `fencing: 'ipmi'` every node has an emulated BMC and fence.cfg an
 * IPMI level for it (cluster-bmcs.ts): the master's proxy powers the cut node off with the real
 * fence_ipmilan, and on again once its services run elsewhere; rounds of 1 s, fence_timeout 60 s.
 */
export async function runDemo(print: (text: string) => void, options: DemoOptions = {}): Promise<DemoSummary> {
  const startedWallMs = Date.now();
  const isIpmi = options.fencing === 'ipmi';
  const profile = options.profile ?? (isIpmi ? 'default' : 'fast');
  const timing = isIpmi ? fencingTiming(TIMING_PROFILES[profile]) : TIMING_PROFILES[profile];
  const store = options.store ?? 'dir';
  const cluster = await LocalCluster.open({ nodes: NODES, timing, resources: Object.entries(PLACEMENT).map(([sid, node]) => ({ sid, node })), store });
  const sids = Object.keys(PLACEMENT);
  const findings: DemoFindings = {
    master: '-', cutNode: '-', cutWallMs: 0, fencedAfterMs: -1, leaseTakenAfterMs: -1, recoveries: [], fencedRecord: null, story: [], noticed: [],
  };
  let error: string | undefined;
  let bmcs: ClusterBmcs | undefined;
  // Ctrl-C reaches the daemons too (same process group), but not the detached service processes: stop
  // what is left and remove the folder before exiting.
  const interrupt = () => {
    print('Interrupted: stopping every process the demo started...');
    void Promise.resolve(bmcs?.stop()).then(() => cluster.stop()).then(() => {
      cluster.remove();
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  print(`Demo cluster in ${cluster.root}: ${NODES.join(', ')}; ${timingSentence(profile, timing)}`);
  print(`Store: ${cluster.local.description}`);
  let closeWatch: (() => Promise<void>) | undefined;
  try {
    closeWatch = await options.watch?.start(cluster);
    if (isIpmi) bmcs = await startBmcs(cluster, print);
    await runSteps(cluster, sids, findings, { print, ...liveTable(cluster, sids, print, startedWallMs), startedWallMs, bmcs });
  } catch (caught) {
    error = (caught as Error).message;
    print(`Demo failed: ${error}`);
  }
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  if (closeWatch !== undefined) await options.watch?.held();
  await closeWatch?.();
  print('Stopping every process the demo started...');
  await bmcs?.stop();
  await cluster.stop();
  const leftoverProcesses = cluster.allProcesses().filter((process) => process.isRunning).length + cluster.registeredAlive().length + (bmcs?.runningCount ?? 0);
  const overlaps = cluster.overlaps().length;
  cluster.remove();
  const failoverMs = Math.max(-1, ...findings.recoveries.map((recovery) => recovery.afterMs));
  const fencing = isIpmi ? fencingSummary(findings) : undefined;
  const isFenced = fencing === undefined || fencing.proof === 'agent';
  if (error === undefined && !isFenced) error = `the master recovered ${findings.cutNode}'s services on the ${fencing?.proof ?? 'no'} proof, not through its BMC: see the story`;
  const ok = error === undefined && findings.recoveries.length > 0 && overlaps === 0 && leftoverProcesses === 0;
  const { cutWallMs, story, noticed: _noticed, ...figures } = findings;
  return {
    ok, store, nodes: NODES, ...figures, profile, timing, failoverMs, failoverBoundMs: failoverBoundMs(timing), overlaps, leftoverProcesses,
    story: story.map((event) => ({ afterCutMs: event.wallMs - cutWallMs, text: storySentence(event) })),
    durationMs: Date.now() - startedWallMs, ...(error !== undefined ? { error } : {}), ...(fencing !== undefined ? { fencing } : {}),
  };
}

async function startBmcs(cluster: LocalCluster, print: (text: string) => void): Promise<ClusterBmcs> {
  const bmcs = await ClusterBmcs.start(cluster, { onError: (error) => print(`BMC: ${error.message}`) });
  print(`An emulated BMC (ipmi_sim) per node; fence.cfg fences each through fence_ipmilan (fence level 1: ipmi)`);
  return bmcs;
}

/** The live table: as it is now (`note` heads it), printed only when it changed. */
function liveTable(cluster: LocalCluster, sids: string[], print: (text: string) => void, startedWallMs: number): Pick<DemoOutput, 'table' | 'showTable'> {
  let lastTable = '';
  return {
    table: (note) => renderSnapshot(snapshotOf(cluster, sids), Date.now() - startedWallMs, note),
    showTable: (text) => {
      const body = text.slice(text.indexOf('\n'));
      if (body !== lastTable) print(text);
      lastTable = body;
    },
  };
}

function fencingSummary(findings: DemoFindings): DemoFencingSummary {
  const sids = Object.keys(PLACEMENT).filter((sid) => PLACEMENT[sid] === findings.cutNode);
  const figures = fencingFigures(findings.noticed, { node: findings.cutNode, wallMs: findings.cutWallMs, sids });
  return { mode: 'ipmi', agent: 'fence_ipmilan', failoverMsMax: IPMI_FAILOVER_MS_MAX, ...figures };
}

async function runSteps(cluster: LocalCluster, sids: string[], findings: DemoFindings, output: DemoOutput): Promise<void> {
  await cluster.startAll();
  findings.master = await waitForMaster(cluster, startMsMax(cluster.spec.timing));
  await waitForPlacement(cluster, PLACEMENT, startMsMax(cluster.spec.timing));
  output.showTable(output.table('all services running'));
  const cutNode = NODES.find((node) => node !== findings.master)!;
  findings.cutNode = cutNode;
  const lost = sids.filter((sid) => PLACEMENT[sid] === cutNode);
  const cutWallMs = Date.now();
  findings.cutWallMs = cutWallMs;
  cluster.cut(cutNode);
  const observer = new DemoObserver(cluster, sids, cutWallMs);
  if (output.bmcs !== undefined) watchFencing(observer, cluster, output.bmcs, cutNode);
  observer.add({ kind: 'cut', wallMs: cutWallMs, node: cutNode, sids: lost, ...(cluster.local.kind === 'etcd' ? { from: 'etcd (its proxies refuse)' } : {}) });
  const teller = storyTeller(observer, output);
  const tell = (note: string, isEnd = false) => {
    teller(note, isEnd);
    findings.story = observer.story();
    findings.noticed = observer.noticed();
  };
  tell(`${cutNode} cut`, true);
  try {
    const resetPromise = waitForReset(cluster, cutNode, cutWallMs, recoveryMsMax(cluster.spec.timing));
    findings.recoveries = await waitForRecoveries(cluster, { sids: lost, from: cutNode, sinceWallMs: cutWallMs, timeoutMs: recoveryMsMax(cluster.spec.timing), onTick: () => tell(`${cutNode} cut`) });
    findings.fencedAfterMs = (await resetPromise) - cutWallMs;
    observer.observe();
    findings.leaseTakenAfterMs = leaseTakenAfterMs(observer.noticed(), cutNode, cutWallMs);
    tell('recovered', true);
    const resetCause = output.bmcs !== undefined ? BMC_POWER_OFF_CAUSE : undefined;
    output.print(`${failoverSentence({ cutNode, resetAfterMs: findings.fencedAfterMs, leaseTakenAfterMs: findings.leaseTakenAfterMs, recoveries: findings.recoveries, ...(resetCause ? { resetCause } : {}) })}.`);
    await bringBack(cluster, cutNode, findings, { ...output, tell: () => tell(`${cutNode} back`) }, observer);
  } finally {
    tell(`${cutNode} back`, true);
  }
}

/** Reads the fence events of the logs and the BMCs' power-ons into the story. */
function watchFencing(observer: DemoObserver, cluster: LocalCluster, bmcs: ClusterBmcs, cutNode: string): void {
  const logs = new FenceLogReader((node) => cluster.localDir(node), NODES);
  observer.addSource(() => logs.read(cutNode), { nodeViewsOf: cutNode });
  observer.addSource(() => bmcs.poweredOn().map((on) => ({ key: `power-on:${on.node}:${on.wallMs}`, event: { kind: 'power-on', wallMs: on.wallMs, node: on.node } })));
}

/**
 * The cut node's return: its link to the shared storage healed, and the node started — by the demo,
 * or, fenced through its BMC, by the master's `on` through the BMC — until it publishes why it was
 * fenced and the master counts it online again.
 */
async function bringBack(cluster: LocalCluster, cutNode: string, findings: DemoFindings, output: DemoOutput & { tell: () => void }, observer: DemoObserver): Promise<void> {
  const bmcs = output.bmcs;
  if (bmcs === undefined) {
    output.print(`Reconnecting ${cutNode} to ${storeName(cluster)} and starting it again...`);
    cluster.heal(cutNode);
    await cluster.startNode(cutNode);
  } else {
    // The master powers a fenced node back only once it holds its agent lease: fence_timeout after the node's last renewal (docs/fencing.md).
    output.print(`Reconnecting ${cutNode} to ${storeName(cluster)}; the master's 'on' through its BMC starts it again once the master holds its agent lease (fence_timeout after its last renewal)...`);
    cluster.heal(cutNode);
    await pollTelling(`the master's 'on' to reach the BMC of ${cutNode}`, cluster.spec.timing.leaseTimeoutMs + comebackMsMax(cluster.spec.timing), output.tell, () =>
      bmcs.poweredOn().some((on) => on.node === cutNode && on.wallMs >= findings.cutWallMs),
    );
  }
  const record = await waitForFencedRecord(cluster, cutNode, findings.cutWallMs, output.tell);
  findings.fencedRecord = record.reason;
  observer.add({ kind: 'back', wallMs: record.wallMs, node: cutNode, reason: record.reason });
  await waitForOnline(cluster, cutNode, output.tell);
}

/**
 * Brings the story and the live table up to date, in time order: a look at the cluster at T gives the
 * table as of T, which is printed at the next look, after the events up to T — by then every source
 * has written what happened before T (each writes within milliseconds). `isEnd` tells everything now.
 */
function storyTeller(observer: DemoObserver, output: DemoOutput): (note: string, isEnd: boolean) => void {
  let held: { wallMs: number; table: string } | undefined;
  const tellUpTo = (uptoWallMs: number) => {
    for (const event of observer.takeTold(uptoWallMs)) output.print(storyLine(event, output.startedWallMs));
  };
  return (note, isEnd) => {
    const wallMs = Date.now();
    const table = output.table(note);
    observer.observe();
    if (held !== undefined) {
      tellUpTo(held.wallMs);
      output.showTable(held.table);
    }
    held = { wallMs, table };
    if (!isEnd) return;
    tellUpTo(Number.MAX_SAFE_INTEGER);
    output.showTable(table);
    held = undefined;
  };
}

function storeName(cluster: LocalCluster): string {
  return cluster.local.kind === 'etcd' ? 'etcd' : 'the shared storage';
}

/** When another node took the cut node's agent lease, from the cut; -1 when the story has no such take. */
function leaseTakenAfterMs(story: readonly StoryEvent[], cutNode: string, cutWallMs: number): number {
  const take = story.find((event) => event.kind === 'lease-taken' && event.leaseOf === cutNode && event.by !== cutNode);
  return take === undefined ? -1 : take.wallMs - cutWallMs;
}

async function waitForFencedRecord(cluster: LocalCluster, node: string, sinceWallMs: number, onTick: () => void): Promise<FencedRecord> {
  const status = cluster.store.status;
  let record: FencedRecord | undefined;
  await pollTelling(`${node} to publish status/fenced/${node}.json`, comebackMsMax(cluster.spec.timing), onTick, () => {
    const read = status.readFencedRecord(node);
    record = read.kind === 'ok' && read.value.wallMs >= sinceWallMs ? read.value : undefined;
    return record !== undefined;
  });
  return record!;
}

/** Waits until the master counts the returned node as online again: the end of the story. */
async function waitForOnline(cluster: LocalCluster, node: string, onTick: () => void): Promise<void> {
  const status = cluster.store.status;
  await pollTelling(`the master to see ${node} online`, comebackMsMax(cluster.spec.timing), onTick, () => {
    const read = status.readManagerStatus();
    return read.kind === 'ok' && read.value.nodeStatus[node] === 'online';
  });
}

/** pollUntil that brings the story and the table up to date about once a second. */
async function pollTelling(what: string, timeoutMs: number, onTick: () => void, isDone: () => boolean): Promise<void> {
  let lastTickMs = Date.now();
  await pollUntil(what, timeoutMs, () => {
    if (Date.now() - lastTickMs >= TELL_EVERY_MS) {
      lastTickMs = Date.now();
      onTick();
    }
    return isDone();
  }, 200);
}

/** The summary as text, for the end of the demo. */
export function renderSummary(summary: DemoSummary): string {
  const failover = failoverSentence({
    cutNode: summary.cutNode, resetAfterMs: summary.fencedAfterMs, leaseTakenAfterMs: summary.leaseTakenAfterMs, recoveries: summary.recoveries,
    ...(summary.fencing !== undefined ? { resetCause: BMC_POWER_OFF_CAUSE } : {}),
  });
  const lines = [
    `Summary: ${summary.ok ? 'OK' : 'FAILED'}${summary.error !== undefined ? ` (${summary.error})` : ''}; store ${summary.store === 'etcd' ? 'etcd (3 members on loopback)' : 'a shared directory'}`,
    `  master ${summary.master}; cut ${summary.cutNode}: ${failover}`,
    `  failover time ${formatSeconds(summary.failoverMs)} (bound of the timing rule and rounds: ${formatSeconds(summary.failoverBoundMs)})`,
    ...(summary.fencing !== undefined ? fencingLines(summary.fencing, summary.failoverMs) : []),
    `  recoveries ${summary.recoveries.length}: ${summary.recoveries.map((recovery) => `${recovery.sid} ${recovery.from}->${recovery.to}`).join(', ') || 'none'}`,
    `  overlaps in the ledger (a service on two nodes at once): ${summary.overlaps}`,
    `  processes left behind: ${summary.leftoverProcesses}; demo took ${formatSeconds(summary.durationMs)}`,
  ];
  return lines.join('\n');
}

function fencingLines(fencing: DemoFencingSummary, failoverMs: number): string[] {
  const isWithin = failoverMs >= 0 && failoverMs <= fencing.failoverMsMax;
  return [
    `  fenced through its BMC (${fencing.agent}): proof ${fencing.proof ?? 'none seen'}${fencing.proxy !== null ? `, run by ${fencing.proxy}` : ''}; ` +
      `powered off ${formatSeconds(fencing.poweredOffAfterMs)} after the cut, on again ${formatSeconds(fencing.poweredOnAfterMs)} after`,
    `  its parts: ${fencing.parts.map((part) => `${part.part} ${formatSeconds(part.durationMs)}`).join(', ') || 'none seen'}${fencing.isComplete ? '' : ' (incomplete)'}`,
    `  failover through the BMC ${formatSeconds(failoverMs)}: ${isWithin ? 'within' : 'OVER'} the ${formatSeconds(fencing.failoverMsMax)} a fence device promises`,
  ];
}
