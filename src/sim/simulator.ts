import { assert } from '../common/assert.ts';
import { Prng } from '../common/prng.ts';
import { REFERENCE_TIMING, type Timing } from '../common/timing.ts';
import { iterationMsFor, roundMsFor, roundsPerCommandSlot } from './sim-rounds.ts';
import { traceEventAt, type ResetReason, type TraceBody, type TraceEvent } from '../common/trace.ts';
import { crmRound, requestCrmStop, startCrm } from '../crm/crm-daemon.ts';
import { lrmRound, requestLrmShutdown, startLrm } from '../lrm/lrm-daemon.ts';
import type { Scenario } from './scenario.ts';
import type { SimCommand } from './sim-commands.ts';
import { SimCluster, type SimNode } from './sim-cluster.ts';
import { applyCommand } from './apply-command.ts';
import { SimCrmEnv, SimLrmEnv } from './sim-env.ts';
import type { CrmEnv, LrmEnv } from '../env/env.ts';
import { TimedCommands } from './timed-commands.ts';
import { SimDaemonDied } from './sim-watchdogs.ts';
import type { SimFenceJobs } from './sim-fence-jobs.ts';
import { hasWatchdogDevice, simFenceJobs } from './sim-fence-world.ts';
import { CommandSlots, listedBatches, type BatchSource } from './command-slots.ts';

export { COMMAND_SLOT_MS_MIN, ITERATION_MS, isReferenceTiming, iterationMsFor, REFERENCE_NODES_MAX, roundMsFor, roundsPerCommandSlot } from './sim-rounds.ts';

/** Fence calls ending in the idle rest of one round: every job ends one or more calls per step. */
const FENCE_STEPS_PER_ROUND_MAX = 100_000;
/** The reference simulator gives up past this much simulated time. */
export const SIM_TIME_MS_MAX = 10_000_000;

export interface SimulationOptions {
  readonly seed: number;
  readonly timing?: Timing;
  /** Where the batches come from; default: the scenario's `cmdlist`. */
  readonly batches?: BatchSource;
  /** Receives every event as it happens (the trace, the readable log, invariant checks). */
  readonly onEvent?: (event: TraceEvent) => void;
  /** Called after every round with the cluster (benchmarks, invariant checks). */
  readonly onRound?: (cluster: SimCluster, roundStartMs: number) => void;
  /** Wraps each CRM iteration, e.g. to time manager rounds. */
  readonly onCrmIteration?: (node: string, isMaster: boolean, run: () => void) => void;
  /** Hooks of chaos runs: invariant checks after every step, and adapters with planted bugs. */
  readonly chaos?: SimChaosHooks;
}

/** What a chaos run plugs into the simulator; none of it changes a run without faults. */
export interface SimChaosHooks {
  /** After every daemon iteration, command and watchdog reset. */
  readonly onStep?: (kind: 'crm' | 'lrm' | 'command' | 'reset', node: string | null) => void;
  /**
   * A watchdog reset, with its cause (called just before the node goes off): the daemon whose
   * registration ran out (`crm`, `lrm`; `-orphan` when no process was attached to it), or `mux`.
   */
  readonly onWatchdogReset?: (node: string, client: string) => void;
  readonly wrapCrmEnv?: (env: SimCrmEnv) => CrmEnv;
  readonly wrapLrmEnv?: (env: SimLrmEnv) => LrmEnv;
}

export interface SimulationResult {
  readonly endMs: number;
  readonly result: 'done' | 'time-limit';
}

interface NodeDaemons {
  /** What the daemons run with (a chaos run may wrap the simulated environments). */
  crmEnv: CrmEnv;
  lrmEnv: LrmEnv;
  /** The simulated environments themselves, whose watchdog ports the simulator registers per process. */
  simCrm: SimCrmEnv;
  simLrm: SimLrmEnv;
}

/**
 * Runs a scenario in virtual time with the reference model's rounds: nodes in name order, each
 * running one CRM then one LRM iteration (a second each), watchdogs checked after every node, a
 * round lasting at least max(20 s, 2 s per node), and a batch of scenario commands every fifth round.
 * A timing other than Proxmox's (a scenario's ha.cfg, the chaos swarm's default profile) runs rounds
 * of its `roundMs` instead, and batches at least 100 s apart.
 */
export class Simulator {
  readonly cluster: SimCluster;
  readonly timing: Timing;
  private readonly daemons = new Map<string, NodeDaemons>();
  private readonly prng: Prng;
  private readonly timed = new TimedCommands();
  private readonly slots: CommandSlots;
  private result: SimulationResult | undefined;
  /** Fence jobs the nodes' LRMs run as proxies (sim-fence-jobs.ts). */
  readonly fenceJobs: SimFenceJobs;

  constructor(
    scenario: Scenario,
    private readonly options: SimulationOptions,
  ) {
    this.timing = options.timing ?? scenario.timing ?? REFERENCE_TIMING;
    this.prng = new Prng(options.seed);
    this.cluster = new SimCluster(scenario, this.timing, (node, body) => this.emit(node, body));
    const uids = this.prng.stream('uid');
    this.fenceJobs = simFenceJobs(this);
    const roundsPerSlot = roundsPerCommandSlot(this.cluster.nodeNames.length, this.timing);
    this.slots = new CommandSlots(options.batches ?? listedBatches(scenario.batches), roundsPerSlot);
    for (const name of this.cluster.nodeNames) {
      const simCrm = new SimCrmEnv(this.cluster, name, this.timing, uids);
      const simLrm = new SimLrmEnv(this.cluster, name, this.timing, this.fenceJobs);
      this.daemons.set(name, { crmEnv: this.wrapCrm(simCrm), lrmEnv: this.wrapLrm(simLrm), simCrm, simLrm });
    }
  }

  private wrapCrm(env: SimCrmEnv): CrmEnv {
    return this.options.chaos?.wrapCrmEnv?.(env) ?? env;
  }

  private wrapLrm(env: SimLrmEnv): LrmEnv {
    return this.options.chaos?.wrapLrmEnv?.(env) ?? env;
  }

  emit(node: string | null, body: TraceBody): void {
    this.options.onEvent?.(traceEventAt(this.cluster.timeMs, node, body));
  }

  /** Runs the scenario to its end: round after round, as `step` runs them. */
  run(): SimulationResult {
    for (;;) {
      const result = this.step();
      if (result) return result;
    }
  }

  /**
   * One round, then the command slot after it (a batch runs when one is due); the result once the run
   * has ended, at the time limit or at the first free slot long after the last batch. Runs and
   * sessions (sim-session.ts) both go round by round through here.
   */
  step(): SimulationResult | undefined {
    assert(this.result === undefined, `The run has ended (${this.result?.result}) at ${this.result?.endMs} ms`);
    const roundStartMs = this.cluster.timeMs;
    this.runRound();
    this.options.onRound?.(this.cluster, roundStartMs);
    if (this.cluster.timeMs > SIM_TIME_MS_MAX) return this.end('time-limit');
    const batch = this.slots.afterRound(this.cluster.timeMs);
    if (batch === 'end') return this.end('done');
    for (const command of batch) this.runBatchCommand(command);
    return undefined;
  }

  /** One command of a batch, now: logged, then carried out (`delay`, `skip-round`, `after` steer the run). */
  runBatchCommand(command: SimCommand): void {
    this.slots.commandRan(this.cluster.timeMs);
    this.emit(null, { ev: 'cmd', cmd: command.text });
    if (command.kind === 'delay') this.slots.holdUntil(this.cluster.timeMs + command.seconds * 1000);
    else if (command.kind === 'skip-round') this.slots.skip(command.daemon, command.rounds);
    else if (command.kind === 'after') this.timed.add(this.cluster.timeMs + command.seconds * 1000, command.command);
    else this.runCommand(command);
  }

  /**
   * What an `after` appended to the batch that ran at `batchMs` (the last one) does, done now (a
   * session's action between slots): due by now, it runs as the replay's end of this round runs it.
   * Its own `cmd` line belongs in the trace at `batchMs`: the session puts it there.
   */
  scheduleAfterBatch(batchMs: number, command: Extract<SimCommand, { kind: 'after' }>): void {
    assert(batchMs <= this.cluster.timeMs, `A batch at ${batchMs} ms is after now, ${this.cluster.timeMs} ms`);
    this.slots.commandRan(batchMs);
    this.timed.add(batchMs + command.seconds * 1000, command.command);
    this.runDueCommands();
  }

  /** Runs one command now (a batch's, or a timed one that came due). */
  runCommand(command: SimCommand): void {
    applyCommand(this, command);
    this.options.chaos?.onStep?.('command', null);
  }

  /** Runs the timed commands that are due; they happen between daemon iterations. */
  private runDueCommands(): void {
    for (const command of this.timed.takeDue(this.cluster.timeMs)) {
      this.emit(null, { ev: 'cmd', cmd: command.text });
      this.runCommand(command);
    }
  }

  /** Timed commands, fence jobs and config watch reports that are due; all happen between daemon iterations. */
  private runDue(): void {
    if (this.timed.size > 0) this.runDueCommands();
    this.fenceJobs.advance();
    this.cluster.configTexts.deliverWatches();
  }

  /** The idle rest of a round: fence calls that end meanwhile act at their own time. */
  private advanceTimeTo(endMs: number): void {
    let steps = 0;
    for (let dueMs = this.fenceJobs.nextDueMs(); dueMs !== undefined && dueMs <= endMs; dueMs = this.fenceJobs.nextDueMs()) {
      assert(++steps <= FENCE_STEPS_PER_ROUND_MAX, `${steps} fence calls ended in one round, the limit is ${FENCE_STEPS_PER_ROUND_MAX}`);
      this.cluster.timeMs = Math.max(this.cluster.timeMs, dueMs);
      this.fenceJobs.advance();
    }
    this.cluster.timeMs = Math.max(this.cluster.timeMs, endMs);
  }

  private end(result: SimulationResult['result']): SimulationResult {
    this.emit(null, { ev: 'sim-end', result });
    this.result = { endMs: this.cluster.timeMs, result };
    return this.result;
  }

  private runRound(): void {
    const startMs = this.cluster.timeMs;
    const iterationMs = iterationMsFor(this.cluster.nodeNames.length, this.timing);
    for (const name of this.cluster.nodeNames) {
      const node = this.cluster.node(name);
      this.runDue();
      if (node.crm && !this.slots.isSkipping('crm') && !this.cluster.faults.isPaused(name, 'crm', this.cluster.timeMs)) {
        this.crmIteration(node);
        this.cluster.timeMs += iterationMs;
        this.options.chaos?.onStep?.('crm', name);
      }
      this.runDue();
      if (node.lrm && !this.slots.isSkipping('lrm') && !this.cluster.faults.isPaused(name, 'lrm', this.cluster.timeMs)) {
        this.lrmIteration(node);
        this.cluster.timeMs += iterationMs;
        this.options.chaos?.onStep?.('lrm', name);
      }
      this.checkWatchdogs();
    }
    const roundMs = roundMsFor(this.cluster.nodeNames.length, this.timing);
    this.advanceTimeTo(startMs + roundMs);
    // A slow store slows every daemon alike; the nodes' daemons run in parallel, so a round waits once.
    this.cluster.timeMs += this.cluster.faults.storeLatencyMs;
    if (this.timed.size > 0) this.runDueCommands();
    this.slots.roundEnded();
  }

  private crmIteration(node: SimNode): void {
    const crm = node.crm!;
    const env = this.daemons.get(node.name)!.crmEnv;
    const outcome = { verdict: 'continue' as 'continue' | 'exit' };
    const run = () => {
      outcome.verdict = crmRound(env, crm);
    };
    try {
      if (this.options.onCrmIteration) this.options.onCrmIteration(node.name, crm.state === 'master', run);
      else run();
    } catch (error) {
      if (!(error instanceof SimDaemonDied)) throw error;
      return this.daemonDied(node, 'crm');
    }
    if (outcome.verdict === 'exit') this.crmExited(node);
  }

  private lrmIteration(node: SimNode): void {
    const env = this.daemons.get(node.name)!.lrmEnv;
    let verdict;
    try {
      verdict = lrmRound(env, node.lrm!);
    } catch (error) {
      if (!(error instanceof SimDaemonDied)) throw error;
      return this.daemonDied(node, 'lrm');
    }
    if (verdict === 'exit') this.lrmExited(node);
  }

  /**
   * A daemon whose watchdog port lost the mux ends on the spot (a real one exits with 'mux-gone'). It
   * is not restarted: without a mux a daemon refuses to start, and the device resets the node soon.
   */
  private daemonDied(node: SimNode, daemon: 'crm' | 'lrm'): void {
    this.emit(node.name, { ev: 'daemon-exit', daemon });
    this.portOf(node, daemon).processEnded();
    if (daemon === 'crm') node.crm = undefined;
    else node.lrm = undefined;
  }

  private portOf(node: SimNode, daemon: 'crm' | 'lrm') {
    const daemons = this.daemons.get(node.name)!;
    return daemon === 'crm' ? daemons.simCrm.watchdog : daemons.simLrm.watchdog;
  }

  /**
   * Starts a process of `daemon` on `node` as node-daemon.ts does: it registers with the node's mux
   * first (the LRM claiming what its predecessor left armed); a refused hello (a crashed master's
   * registration still armed, no mux) means it does not start — the node is to be reset.
   */
  private startProcess(node: SimNode, daemon: 'crm' | 'lrm'): void {
    const refusal = this.portOf(node, daemon).register();
    if (refusal !== undefined) {
      this.emit(node.name, { ev: 'log', level: 'err', msg: `ha-${daemon} cannot start: ${refusal}` });
      return;
    }
    const daemons = this.daemons.get(node.name)!;
    if (daemon === 'crm') node.crm = startCrm(daemons.crmEnv);
    else node.lrm = startLrm(daemons.lrmEnv);
  }

  private crmExited(node: SimNode): void {
    this.emit(node.name, { ev: 'daemon-exit', daemon: 'crm' });
    this.portOf(node, 'crm').processEnded();
    node.crm = undefined;
    const shutdown = node.shutdown;
    if (shutdown === 'shutdown' || shutdown === 'reboot') {
      this.powerOff(node, shutdown);
      if (shutdown === 'reboot') this.powerOn(node, 'reboot');
    }
  }

  private lrmExited(node: SimNode): void {
    this.emit(node.name, { ev: 'daemon-exit', daemon: 'lrm' });
    this.portOf(node, 'lrm').processEnded();
    node.lrm = undefined;
    if (node.shutdown === 'restart-lrm') {
      node.shutdown = undefined;
      this.startProcess(node, 'lrm');
      return;
    }
    if (node.crm) requestCrmStop(node.crm);
    else if (node.shutdown) this.crmExited(node);
  }

  /** The device of every powered node, after its mux ticked: one unfed past its timeout resets its node. */
  private checkWatchdogs(): void {
    for (const name of this.cluster.nodeNames) {
      const node = this.cluster.node(name);
      if (!node.isPoweredOn || !hasWatchdogDevice(this, name)) continue;
      const cause = node.watchdog.resetCause();
      if (cause === undefined) continue;
      this.options.chaos?.onWatchdogReset?.(name, cause);
      this.powerOff(node, 'watchdog');
      this.options.chaos?.onStep?.('reset', name);
    }
  }

  /**
   * A daemon dies without cleanup (its connection closes without `V` or `H`: an armed registration
   * stays) and is restarted at once; a crashed mux stops the feeding and takes the connections along.
   */
  crashDaemon(node: SimNode, daemon: 'crm' | 'lrm' | 'mux'): void {
    if (!node.isPoweredOn) return;
    if (daemon === 'mux') return node.watchdog.crashMux();
    // While the node shuts down, a daemon that dies is not restarted: it counts as exited.
    if (daemon === 'crm' && node.crm) {
      if (node.shutdown === 'shutdown' || node.shutdown === 'reboot') return this.crmExited(node);
      this.emit(node.name, { ev: 'daemon-exit', daemon: 'crm' });
      node.crm = undefined;
      this.startProcess(node, 'crm');
    } else if (daemon === 'lrm' && node.lrm) {
      if (node.shutdown !== undefined) return this.lrmExited(node);
      this.emit(node.name, { ev: 'daemon-exit', daemon: 'lrm' });
      node.lrm = undefined;
      this.startProcess(node, 'lrm');
    }
  }

  powerOn(node: SimNode, reason: string): void {
    if (node.isPoweredOn) {
      node.isNetworkOn = true;
      this.cluster.hardwareChanged();
      return;
    }
    node.isPoweredOn = true;
    node.isNetworkOn = true;
    node.isDumping = false;
    node.boots++;
    node.shutdown = undefined;
    this.cluster.hardwareChanged();
    this.emit(null, { ev: 'boot', target: node.name, reason });
    node.watchdog.boot();
    this.startProcess(node, 'crm');
    this.startProcess(node, 'lrm');
  }

  powerOff(node: SimNode, reason: ResetReason): void {
    if (!node.isPoweredOn) return;
    node.isPoweredOn = false;
    node.isNetworkOn = false;
    node.crm = undefined;
    node.lrm = undefined;
    node.watchdog.powerOff();
    this.portOf(node, 'crm').processEnded();
    this.portOf(node, 'lrm').processEnded();
    this.cluster.running.get(node.name)!.clear();
    this.cluster.loadsVersion++;
    this.cluster.hardwareChanged();
    this.emit(null, { ev: 'reset', target: node.name, reason });
  }

  requestNodeShutdown(node: SimNode, kind: 'shutdown' | 'reboot' | 'restart-lrm'): void {
    if (!node.lrm) return;
    node.shutdown = kind;
    const env = this.daemons.get(node.name)!.lrmEnv;
    requestLrmShutdown(env, node.lrm, kind === 'restart-lrm' ? 'restart' : kind);
  }

  startCrmOn(node: SimNode): void {
    assert(node.isPoweredOn, `Cannot start a CRM on powered-off ${node.name}`);
    if (!node.crm) this.startProcess(node, 'crm');
  }

  startLrmOn(node: SimNode): void {
    assert(node.isPoweredOn, `Cannot start an LRM on powered-off ${node.name}`);
    if (!node.lrm) this.startProcess(node, 'lrm');
  }
}
