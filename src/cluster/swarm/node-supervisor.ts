import { readFileSync } from 'node:fs';
import type { Prng } from '../../common/prng.ts';
import type { Timing } from '../../common/timing.ts';
import { resetsFileOf } from '../../resources/sim-ledger.ts';
import type { LocalCluster } from '../local-cluster.ts';
import { killNode } from '../node-kill.ts';
import { REBOOT_DELAY_MS_MAX, REBOOT_DELAY_MS_MIN } from './swarm-plan.ts';
import {
  bootEnded,
  downNode,
  expectExit,
  initialSupervision,
  stoppingNode,
  superviseNode,
  type DaemonObservation,
  type NodeSupervision,
  type SupervisedDaemon,
  type SupervisorAction,
  type SupervisorLimits,
} from './supervisor-core.ts';

/** How often the supervisor looks at every node: a fifth of the fast profile's round. */
const SUPERVISE_POLL_MS = 200;
/** systemd's defaults: RestartSec=5 (our units), StartLimitBurst=5 within StartLimitIntervalSec=10. */
const SYSTEMD_RESTART_SEC_MS = 5_000;
const SYSTEMD_START_LIMIT_BURST = 5;
/** Proxmox's round, against which systemd's RestartSec is scaled to a timing profile. */
const REFERENCE_ROUND_MS = 10_000;
/** Boots that fail in a row (the mux or the emulator does not start) before a node is left down. */
const BOOT_FAILURES_MAX = 3;

/**
 * The limits of a node's init system, scaled to `timing`: systemd restarts a failed daemon 5 s later
 * against Proxmox's 10 s rounds, half a round; with the fast profile (1 s rounds) 500 ms. The start
 * limit interval keeps its proportion to the restart delay (10 s : 5 s). A mux dead for longer than the
 * device timeout plus two rounds without a reset means its watchdog did not fire.
 */
export function supervisorLimits(timing: Timing): SupervisorLimits {
  const restartDelayMs = Math.round((SYSTEMD_RESTART_SEC_MS * timing.roundMs) / REFERENCE_ROUND_MS);
  return {
    restartDelayMs,
    startLimitBurst: SYSTEMD_START_LIMIT_BURST,
    // Restarts count against the limit only when they come faster than the delay allows plus slack.
    startLimitIntervalMs: 2 * SYSTEMD_START_LIMIT_BURST * restartDelayMs,
    muxResetWaitMs: timing.watchdogDeviceTimeoutMs + 2 * timing.roundMs,
    bootFailuresMax: BOOT_FAILURES_MAX,
  };
}

export interface SupervisorOptions {
  readonly timing: Timing;
  /** Seeded: the reboot delay of each node reset by its watchdog, in the order they happen. */
  readonly rebootDelays: Prng;
  readonly log: (line: string) => void;
  /** A finding of the supervisor itself (a watchdog that did not fire). */
  readonly onViolation: (message: string) => void;
  /** Aborted (an interrupted run): the supervisor stops acting at once, whatever it sees. */
  readonly signal?: AbortSignal | undefined;
  /** The supervisor itself failed (a bug, or its folder gone): it stops, and the run ends and cleans up. */
  readonly onError: (error: Error) => void;
}

/** Supervises every node of a local cluster as systemd and a rebooting machine would (./supervisor-core.ts). */
export class NodeSupervisor {
  private readonly states = new Map<string, NodeSupervision>();
  /** Nodes with a sweep or a boot under way: not looked at until it ends. */
  private readonly busy = new Map<string, Promise<void>>();
  private readonly limits: SupervisorLimits;
  private timer: NodeJS.Timeout | undefined;
  private isHalted = false;

  constructor(
    private readonly cluster: LocalCluster,
    private readonly options: SupervisorOptions,
  ) {
    this.limits = supervisorLimits(options.timing);
    for (const node of cluster.spec.nodes) this.states.set(node, initialSupervision(resetCount(cluster, node)));
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), SUPERVISE_POLL_MS);
  }

  /** Stops looking; waits for sweeps and boots under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.busy.values());
  }

  phaseOf(node: string): NodeSupervision['phase']['kind'] {
    return this.state(node).phase.kind;
  }

  /** Up, with its mux, LRM and CRM running. */
  isUp(node: string): boolean {
    if (this.phaseOf(node) !== 'up' || this.busy.has(node)) return false;
    return (['mux', 'lrm', 'crm'] as const).every((daemon) => this.cluster.process(node, daemon)?.isRunning === true);
  }

  /** The swarm takes `node` down itself: nothing is restarted until `markDown`. */
  markStopping(node: string): void {
    this.states.set(node, stoppingNode(this.state(node)));
  }

  markDown(node: string, delayMs: number): void {
    this.states.set(node, downNode(this.state(node), Date.now(), delayMs));
  }

  /** The swarm restarts this daemon itself: its coming exit is not a failure to act on. */
  expectExit(node: string, daemon: SupervisedDaemon): void {
    const pid = this.cluster.process(node, daemon)?.pid;
    if (pid !== undefined) this.states.set(node, expectExit(this.state(node), daemon, pid));
  }

  private state(node: string): NodeSupervision {
    const state = this.states.get(node);
    if (state === undefined) throw new Error(`Unknown node ${node}`);
    return state;
  }

  /** One look at every node; a failure halts the supervisor rather than killing the run uncleaned. */
  private tick(): void {
    if (this.isHalted || this.options.signal?.aborted === true) return;
    try {
      this.superviseAll();
    } catch (error) {
      this.isHalted = true;
      this.options.onError(error as Error);
    }
  }

  private superviseAll(): void {
    for (const node of this.cluster.spec.nodes) {
      if (this.busy.has(node)) continue;
      const observation = {
        resets: resetCount(this.cluster, node),
        isMuxRunning: this.cluster.process(node, 'mux')?.isRunning === true,
        daemons: { crm: this.observe(node, 'crm'), lrm: this.observe(node, 'lrm') },
      };
      const step = superviseNode(this.state(node), observation, this.input());
      this.states.set(node, step.state);
      for (const action of step.actions) this.act(node, action);
    }
  }

  private observe(node: string, daemon: SupervisedDaemon): DaemonObservation {
    const process = this.cluster.process(node, daemon);
    if (process === undefined) return { kind: 'absent' };
    const pid = process.pid ?? -1;
    const exit = process.exit;
    if (exit === undefined) return { kind: 'running', pid };
    const how = exit.signal !== null ? `killed by ${exit.signal}` : `exit status ${exit.code}`;
    return { kind: 'exited', pid, isFailure: exit.code !== 0, how };
  }

  private input() {
    const { rebootDelays } = this.options;
    return {
      nowMs: Date.now(),
      limits: this.limits,
      drawRebootDelayMs: () => REBOOT_DELAY_MS_MIN + rebootDelays.int(REBOOT_DELAY_MS_MAX - REBOOT_DELAY_MS_MIN + 1),
    };
  }

  private act(node: string, action: SupervisorAction): void {
    const { log } = this.options;
    switch (action.kind) {
      case 'restart':
        log(`${node}: restart the ${action.daemon} (Restart=on-failure after ${this.limits.restartDelayMs} ms; it ended: ${action.reason})`);
        this.cluster.startDaemon(node, action.daemon);
        return;
      case 'give-up':
        log(`${node}: the ${action.daemon} is left stopped (start limit: ${action.reason})`);
        return;
      case 'watchdog-silent':
        this.options.onViolation(`${node}: its mux died ${action.silentMs} ms ago and its watchdog did not reset it`);
        return;
      case 'down':
        log(`${node}: down (${action.reason}); it boots again in ${((action.bootAtMs - Date.now()) / 1000).toFixed(1)} s`);
        this.runBusy(node, async () => {
          const killed = await killNode(this.cluster, node, { isGraceful: false, reason: 'rest of the reset' });
          if (killed.length > 0) log(`${node}: the reset also ended ${killed.join(', ')}`);
        });
        return;
      case 'boot':
        this.runBusy(node, () => this.boot(node));
        return;
    }
  }

  private async boot(node: string): Promise<void> {
    let isBooted = true;
    try {
      await this.cluster.startNode(node, { waitForRounds: false });
      this.options.log(`${node}: booted (emulated watchdog, mux, lrm and crm started)`);
    } catch (error) {
      isBooted = false;
      this.options.log(`${node}: boot failed: ${(error as Error).message}`);
    }
    this.states.set(node, bootEnded(this.state(node), isBooted, this.input()));
  }

  private runBusy(node: string, work: () => Promise<void>): void {
    const done = work()
      .catch((error: unknown) => this.options.log(`${node}: supervisor error: ${(error as Error).message}`))
      .finally(() => this.busy.delete(node));
    this.busy.set(node, done);
  }
}

function resetCount(cluster: LocalCluster, node: string): number {
  try {
    return readFileSync(resetsFileOf(cluster.nodeDir(node)), 'utf8').split('\n').filter((line) => line.trim() !== '').length;
  } catch {
    return 0;
  }
}
