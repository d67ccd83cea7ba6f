import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { processStartTime } from '../../resources/process-identity.ts';
import { BIN_DIR } from '../cluster-process.ts';
import type { LocalCluster } from '../local-cluster.ts';
import { signalProcess, type HostProcess } from '../host-processes.ts';
import type { NodeSupervisor } from './node-supervisor.ts';
import { pauseNode, rebootNode, resetNode, resumeProcesses } from './node-power.ts';
import { runEtcdFault } from './etcd-fault.ts';
import { describeFault, isEtcdFault, type EtcdFault, type NodeFault, type SwarmFault } from './swarm-plan.ts';

/** What became of one planned fault. */
export interface FaultOutcome {
  readonly index: number;
  readonly fault: SwarmFault;
  /** Since the start of the fault phase. */
  readonly atMs: number;
  readonly isApplied: boolean;
  readonly note: string;
}

/** An LRM asked to restart has this long to exit (it settles moves under way first) before it is killed. */
const RESTART_EXIT_WAIT_MS = 30_000;
/** A CLI request is a short process; one taking this long is killed (and reported). */
const CLI_TIMEOUT_MS = 60_000;
/**
 * CLI requests under way at once at most: each is a node process loading tsx on a shared 2-core
 * machine, and one may wait up to 30 s for a config lock left by a node that was cut off. An undo is
 * never skipped (it puts back a requested state or ends a maintenance).
 */
const CLI_RUNNING_MAX = 6;

interface ActiveFault {
  readonly node: string;
  readonly timer: NodeJS.Timeout | undefined;
  readonly end: () => string;
}

/**
 * Applies the planned faults to a running cluster. A node fault applies only to a node that is up
 * (mux, LRM and CRM running) and under no other fault, and only while fewer than the quorum limit of
 * the other nodes are disturbed — what really happened (a reset after a kill, a slow boot) can differ
 * from what the plan assumed; such a fault is skipped and said so. Faults with a length end by timer;
 * `endAll` ends the ones still on.
 */
export class FaultRunner {
  private readonly active = new Map<number, ActiveFault>();
  private readonly pending = new Set<Promise<void>>();
  private readonly cliRuns = new Set<ReturnType<typeof spawn>>();
  /** The etcd fault under way (one at a time): aborted when the faults stop, which ends it early. */
  private etcdFault: AbortController | undefined;
  readonly outcomes: FaultOutcome[] = [];

  constructor(
    private readonly cluster: LocalCluster,
    private readonly supervisor: NodeSupervisor,
    private readonly options: {
      readonly disturbedMax: number;
      readonly log: (line: string) => void;
      readonly phaseStartMs: number;
      /** Runs a timer's work; a failure there ends the run (cleanly) instead of the process. */
      readonly guard: (what: string, work: () => void) => void;
    },
  ) {}

  /** Applies fault `index` now; work that takes time (a reboot, an LRM restart) goes on in the background. */
  apply(index: number, fault: SwarmFault): FaultOutcome {
    const skip = fault.kind === 'cli' ? this.cliSkipReason(fault.isUndo) : isEtcdFault(fault) ? this.etcdSkipReason() : this.skipReason(fault);
    const atMs = Date.now() - this.options.phaseStartMs;
    const outcome: FaultOutcome = { index, fault, atMs, isApplied: skip === undefined, note: skip ?? '' };
    this.outcomes.push(outcome);
    const label = `fault ${index + 1}: ${describeFault(fault)}`;
    if (skip !== undefined) {
      this.options.log(`${label} — skipped: ${skip}`);
      return outcome;
    }
    this.options.log(label);
    const work = fault.kind === 'cli' ? this.runCli(index, fault.args) : isEtcdFault(fault) ? this.applyEtcdFault(index, fault) : this.applyNodeFault(index, fault);
    if (work !== undefined) this.track(work.catch((error: unknown) => this.options.log(`fault ${index + 1} failed: ${(error as Error).message}`)));
    return outcome;
  }

  /** Nodes that are not up, or under a fault now. */
  disturbedNodes(): Set<string> {
    const nodes = new Set([...this.active.values()].map((fault) => fault.node));
    for (const node of this.cluster.spec.nodes) if (!this.supervisor.isUp(node)) nodes.add(node);
    return nodes;
  }

  /**
   * Waits for work under way (reboots, LRM restarts, CLI requests) to finish. Called once faults stop,
   * when nothing adds work any more; each piece is bounded (a stop grace, the CLI timeout).
   */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Ends every fault still on (heal, SIGCONT) now; an etcd fault ends in the background (settle waits for it). */
  endAll(): void {
    for (const [index, fault] of [...this.active]) this.end(index, fault);
    this.etcdFault?.abort();
  }

  /** Kills CLI requests still running (an interrupted run). */
  killCli(): void {
    for (const child of this.cliRuns) child.kill('SIGKILL');
  }

  private skipReason(fault: NodeFault): string | undefined {
    const { node } = fault;
    if (!this.supervisor.isUp(node)) return `${node} is not up (${this.supervisor.phaseOf(node)})`;
    const disturbed = this.disturbedNodes();
    if (disturbed.has(node)) return `${node} is under another fault`;
    const isBeyondQuorum = fault.kind === 'pause' && fault.isBeyondQuorum;
    if (!isBeyondQuorum && disturbed.size >= this.options.disturbedMax) return `${[...disturbed].join(', ')} already disturbed (limit ${this.options.disturbedMax})`;
    const needsHandlers = fault.kind === 'restart-cut' || fault.kind === 'reboot';
    if (needsHandlers && !(this.cluster.hasRunFirstRound(node, 'lrm') && this.cluster.hasRunFirstRound(node, 'crm'))) return `the daemons of ${node} are still starting`;
    return undefined;
  }

  private cliSkipReason(isUndo: boolean): string | undefined {
    return !isUndo && this.cliRuns.size >= CLI_RUNNING_MAX ? `${this.cliRuns.size} requests still running` : undefined;
  }

  private etcdSkipReason(): string | undefined {
    if (this.cluster.local.kind !== 'etcd') return `the cluster runs on the ${this.cluster.local.kind} store, not on etcd`;
    return this.etcdFault !== undefined ? 'another etcd fault is under way' : undefined;
  }

  /** Injects an etcd fault and undoes it after its length (or when the faults stop). */
  private async applyEtcdFault(index: number, fault: EtcdFault): Promise<void> {
    const ending = new AbortController();
    this.etcdFault = ending;
    const held = (durationMs: number) => new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationMs);
      ending.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    try {
      this.options.log(`end of fault ${index + 1}: ${await runEtcdFault(this.cluster.etcd, fault, held)}`);
    } finally {
      this.etcdFault = undefined;
    }
  }

  private applyNodeFault(index: number, fault: NodeFault): Promise<void> | undefined {
    const { cluster, supervisor } = this;
    const { node } = fault;
    switch (fault.kind) {
      case 'kill':
        cluster.process(node, fault.daemon)!.signal('SIGKILL');
        return undefined;
      case 'pause':
        this.pause(index, fault);
        return undefined;
      case 'cut':
        cluster.cut(node);
        this.activate(index, node, fault.durationMs, () => (cluster.heal(node), `${node} healed`));
        return undefined;
      case 'restart-cut':
        return this.restartThenCut(index, fault);
      case 'reboot':
      case 'reset':
        supervisor.markStopping(node);
        return (fault.kind === 'reboot' ? rebootNode(cluster, node) : resetNode(cluster, node)).then((killed) => {
          supervisor.markDown(node, fault.delayMs);
          const how = fault.kind === 'reboot' ? 'rebooting' : 'reset';
          this.options.log(`${node} ${how}: down for ${(fault.delayMs / 1000).toFixed(1)} s${killed.length > 0 ? `; killed ${killed.join(', ')}` : ''}`);
        });
    }
  }

  private pause(index: number, fault: Extract<NodeFault, { kind: 'pause' }>): void {
    const { node, target } = fault;
    let paused: HostProcess[];
    if (target === 'node') {
      paused = pauseNode(this.cluster, node);
    } else {
      const pid = this.cluster.process(node, target)!.pid!;
      const found: HostProcess = { pid, startTime: processStartTime(pid) ?? '', args: [] };
      paused = signalProcess(found, 'SIGSTOP') ? [found] : [];
    }
    this.activate(index, node, fault.durationMs, () => `SIGCONT to ${resumeProcesses(paused)} of ${paused.length} paused processes of ${node}`);
  }

  private async restartThenCut(index: number, fault: Extract<NodeFault, { kind: 'restart-cut' }>): Promise<void> {
    const { cluster, supervisor } = this;
    const { node } = fault;
    const lrm = cluster.process(node, 'lrm')!;
    let isCut = false;
    // Holds the node from the start: no other fault on it while its LRM restarts.
    this.activate(index, node, undefined, () => (isCut ? (cluster.heal(node), `${node} healed`) : `${node} was not cut`));
    supervisor.expectExit(node, 'lrm');
    cluster.requestShutdownKind(node, 'restart');
    lrm.signal('SIGTERM');
    const exit = await Promise.race([lrm.exited, sleep(RESTART_EXIT_WAIT_MS).then(() => undefined)]);
    if (exit === undefined) {
      this.options.log(`${node}: the lrm did not exit within ${RESTART_EXIT_WAIT_MS} ms of its restart request: killed`);
      lrm.signal('SIGKILL');
      await lrm.exited;
    }
    if (supervisor.phaseOf(node) !== 'up' || !this.active.has(index)) {
      this.options.log(`${node}: went down or the faults ended during the lrm restart: no cut`);
    } else {
      cluster.cut(node);
      isCut = true;
      this.options.log(`${node}: the lrm exited (${JSON.stringify(lrm.exit)}), ${node} cut, a new lrm starts`);
      cluster.startDaemon(node, 'lrm');
    }
    const entry = this.active.get(index);
    if (entry !== undefined) this.active.set(index, { ...entry, timer: this.endLater(index, fault.durationMs) });
  }

  private runCli(index: number, args: readonly string[]): Promise<void> {
    const command = this.cluster.cliCommand(args);
    const child = spawn(process.execPath, [join(BIN_DIR, 'ha-manager'), ...command.argv], { stdio: ['ignore', 'ignore', 'pipe'], env: command.env });
    this.cliRuns.add(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    return new Promise((resolve) => {
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        this.cliRuns.delete(child);
        if (code !== 0) this.options.log(`fault ${index + 1}: ha-manager ${args.join(' ')} ended ${signal ?? `with status ${code}`}: ${stderr.trim().split('\n')[0] ?? ''}`);
        resolve();
      });
    });
  }

  private activate(index: number, node: string, durationMs: number | undefined, end: () => string): void {
    this.active.set(index, { node, timer: durationMs === undefined ? undefined : this.endLater(index, durationMs), end });
  }

  private endLater(index: number, durationMs: number): NodeJS.Timeout {
    return setTimeout(() => {
      const fault = this.active.get(index);
      if (fault !== undefined) this.options.guard(`end of fault ${index + 1}`, () => this.end(index, fault));
    }, durationMs);
  }

  private end(index: number, fault: ActiveFault): void {
    clearTimeout(fault.timer);
    this.active.delete(index);
    this.options.log(`end of fault ${index + 1}: ${fault.end()}`);
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
