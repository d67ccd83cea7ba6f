import { daemonOfEvent, eventLine } from '../common/event-words.ts';
import type { TraceEvent } from '../common/trace.ts';
import type { FencedRecord } from '../cli/status-files.ts';
import type { StatusReport } from '../cli/status-report.ts';
import { NO_MASTER_WARNING } from '../cli/crm-requests.ts';
import type { Scenario } from '../sim/scenario.ts';
import type { ScenarioFiles } from '../sim/session-files.ts';
import { SimSession, type SessionActResult } from '../sim/sim-session.ts';
import { roundMsFor } from '../sim/sim-rounds.ts';
import type { ActionResult, ConsoleAction, ConsoleEvent, ConsoleSource } from './console-source.ts';
import { consoleEventOf } from './journal-events.ts';
import { simActionCommand } from './sim-actions.ts';
import { simStatusReport } from './sim-status.ts';

/** Events kept for pages that connect later or fall behind (the hub keeps its own last 500). */
const EVENTS_KEPT_MAX = 5000;
/** Rounds one tick runs at most: a speed the machine cannot keep up with slows down instead of freezing the server. */
const ROUNDS_PER_TICK_MAX = 50;
/** Virtual seconds per wall second: from real time to a fast-forward that still shows each round. */
export const SPEED_MIN = 1;
export const SPEED_MAX = 1000;

export interface SimSourceOptions {
  readonly scenario: Scenario;
  /** The files the scenario was read from (saved with the session). */
  readonly files: ScenarioFiles;
  readonly seed: number;
  /** Virtual seconds per wall second while running (default 20: a round of a small cluster per second). */
  readonly speed?: number;
  /** How often the running clock looks at the wall clock (default 100 ms). */
  readonly tickMs?: number;
}

/**
 * The console's source for the simulator (`ha-manager simulate --web`): a SimSession behind the
 * page. Status is the simulated cluster's, reported as `status` reports a shared directory's;
 * events are the trace in the daemons' words; actions are checked as the CLI checks them and then
 * recorded as scenario commands. The clock (run, pause, one round, speed) paces the session on the
 * wall clock; every round tells the listeners.
 */
export class SimSource implements ConsoleSource {
  readonly kind = 'simulator';
  readonly session: SimSession;
  private readonly listeners = new Set<() => void>();
  private readonly kept: ConsoleEvent[] = [];
  private nextEventId = 1;
  private readonly fenced = new Map<string, FencedRecord>();
  private speedValue: number;
  private timer: NodeJS.Timeout | undefined;
  /** Where the clock stood when it was last started: the virtual time to reach is counted from here. */
  private anchor = { wallMs: 0, simMs: 0 };

  constructor(readonly options: SimSourceOptions) {
    this.speedValue = options.speed ?? 20;
    this.session = new SimSession(options.scenario, { seed: options.seed, onEvent: (event) => this.record(event) });
  }

  get isRunning(): boolean {
    return this.timer !== undefined;
  }

  get speed(): number {
    return this.speedValue;
  }

  status(): StatusReport {
    return simStatusReport(this.session.simulator.cluster, { leaseTimeoutMs: this.session.simulator.timing.leaseTimeoutMs, fenced: this.fenced });
  }

  events(afterId?: number): readonly ConsoleEvent[] {
    return afterId === undefined ? [...this.kept] : this.kept.filter((event) => event.id > afterId);
  }

  act(action: ConsoleAction, actor: string): ActionResult {
    const master = this.status().master;
    const command = simActionCommand(this.session.simulator.cluster, { action, actor, masterNode: master?.node ?? null });
    if (command.kind === 'refused') return command;
    const result = this.actText(command.text);
    if (result.kind === 'refused') return result;
    const warnings = [command.note, master === null || master.isExpired ? NO_MASTER_WARNING : undefined, whenOf(result)].filter((text) => text !== undefined);
    return { kind: 'done', message: `${command.message} (recorded as '${result.recorded}')`, warning: warnings.length > 0 ? warnings.join('; ') : null };
  }

  /** A scenario command (the power, network and storage buttons; the checked actions), recorded by the session. */
  actText(text: string): SessionActResult {
    const result = this.session.act(text);
    if (result.kind === 'done') this.notify();
    return result;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.pause();
    this.listeners.clear();
  }

  /** Runs rounds as the wall clock goes, `speed` virtual seconds per second, until paused or the run ends. */
  run(): void {
    if (this.timer !== undefined || this.session.ended !== undefined) return;
    this.anchor = { wallMs: Date.now(), simMs: this.session.timeMs };
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 100);
  }

  pause(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round now (the clock pauses first). */
  stepOnce(): void {
    this.pause();
    if (this.session.ended === undefined) this.session.step();
    this.notify();
  }

  setSpeed(speed: number): void {
    this.speedValue = Math.min(SPEED_MAX, Math.max(SPEED_MIN, speed));
    if (this.timer !== undefined) this.anchor = { wallMs: Date.now(), simMs: this.session.timeMs };
  }

  /** Runs to the end as the saved scenario's replay does (no more actions). */
  finish(): void {
    this.pause();
    if (this.session.ended === undefined) this.session.finish();
    this.notify();
  }

  private tick(): void {
    const targetMs = this.anchor.simMs + (Date.now() - this.anchor.wallMs) * this.speedValue;
    const cluster = this.session.simulator.cluster;
    const roundMs = roundMsFor(cluster.nodeNames.length, this.session.simulator.timing);
    let rounds = 0;
    while (this.session.ended === undefined && this.session.timeMs + roundMs <= targetMs && rounds < ROUNDS_PER_TICK_MAX) {
      this.session.step();
      rounds++;
      this.notify(); // after every round: the hub coalesces notices into one read
    }
    // Behind by a whole tick's rounds: go on from here rather than run ever longer ticks.
    if (rounds === ROUNDS_PER_TICK_MAX) this.anchor = { wallMs: Date.now(), simMs: this.session.timeMs };
    if (this.session.ended !== undefined) this.pause();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private record(event: TraceEvent): void {
    const wallMs = event.t * 1000;
    if (event.ev === 'reset' && event.reason !== 'power' && event.reason !== 'shutdown' && event.reason !== 'reboot') this.fenced.set(event.target, { reason: event.reason, wallMs });
    const shown = timelineEventOf(event, wallMs);
    if (shown === null) return;
    this.kept.push({ id: this.nextEventId++, ...shown });
    if (this.kept.length > EVENTS_KEPT_MAX) this.kept.splice(0, this.kept.length - EVENTS_KEPT_MAX);
  }
}

/**
 * A trace event on the timeline: the daemons' events as the live console shows their journals'
 * (journal-events.ts), plus the simulator's own: commands (the operator's actions) and boots.
 */
function timelineEventOf(event: TraceEvent, wallMs: number): Omit<ConsoleEvent, 'id'> | null {
  if (event.ev === 'cmd') return { wallMs, node: null, sid: null, kind: 'action', text: eventLine(event) };
  if (event.ev === 'boot') return { wallMs, node: event.target, sid: null, kind: 'node', text: eventLine(event) };
  if (event.node === null) {
    if (event.ev !== 'reset') return null;
    return { wallMs, node: event.target, sid: null, kind: event.reason === 'power' ? 'node' : 'fence', text: eventLine(event) };
  }
  return consoleEventOf({ daemon: daemonOfEvent(event), id: 0, wallMs, table: 'events', event }, event.node);
}

function whenOf(result: Extract<SessionActResult, { kind: 'done' }>): string | undefined {
  if (result.when === 'next-slot') return 'it runs at the next command slot (no slot to record it in before)';
  return result.when === 'next-round' ? 'it runs at the start of the next round' : undefined;
}
