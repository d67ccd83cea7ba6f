/**
 * A simulator session driven step by step (`ha-manager simulate --web`): rounds one at a time, and an
 * operator's actions — any scenario command but those that steer the run — put in at the current
 * round. Every action is recorded in the batches the session hands the simulator, so the session
 * saves as a scenario directory whose `cmdlist` replays, through the same `Simulator.step`, to the
 * same trace, byte for byte (see `act` for how an action between two slots is written).
 */
import { assert } from '../common/assert.ts';
import { traceEventAt, type TraceEvent } from '../common/trace.ts';
import { fenceDeviceProblem, type Scenario } from './scenario.ts';
import { AFTER_S_MAX, parseCommand, type SimCommand } from './sim-commands.ts';
import { Simulator, type SimulationResult } from './simulator.ts';

/** Commands the time controls own, or that need a choice made when the run starts (stale reads keep history from the start). */
const NOT_ACTIONS: ReadonlySet<SimCommand['kind']> = new Set(['delay', 'skip-round', 'after', 'stale']);

/** Rounds `finish` runs at most: the simulator's own time limit ends a run well before. */
const FINISH_ROUNDS_MAX = 1_000_000;

export interface SimSessionOptions {
  readonly seed: number;
  /** Every event as it happens (the console's timeline); the spliced `after` lines of `act` are not among them. */
  readonly onEvent?: (event: TraceEvent) => void;
}

/**
 * What became of an action: run now; at the first iteration of the next round (between slots, when
 * the rounds do not last whole seconds, the `after` is rounded up to the next one); or queued into the
 * next command slot (no slot has run yet, or the last is too far back).
 */
export type SessionActResult =
  | { readonly kind: 'done'; readonly when: 'now' | 'next-round' | 'next-slot'; readonly recorded: string }
  | { readonly kind: 'refused'; readonly message: string };

/** One command slot the session has handed out: its batch as recorded, and where its lines end in the trace. */
interface RecordedSlot {
  readonly atMs: number;
  readonly commands: string[];
  traceEnd: number;
}

export class SimSession {
  readonly simulator: Simulator;
  /** The trace so far, one JSON line per event, as `ha-manager simulate --trace` writes it. */
  readonly traceLines: string[] = [];
  private readonly remaining: (readonly SimCommand[])[];
  private readonly recorded: RecordedSlot[] = [];
  /** Actions for the next slot (before the first slot, or too long after the last). */
  private pending: SimCommand[] = [];
  /** Slots handed nothing while finishing: written before a later batch, never at the end. */
  private emptySlotsOwed = 0;
  /** Until `finish`: a slot with no batch left gets an empty one, so the run goes on (and the replay with it). */
  private isOpenEnded = true;
  private result: SimulationResult | undefined;
  private roundCount = 0;

  constructor(
    readonly scenario: Scenario,
    private readonly options: SimSessionOptions,
  ) {
    this.remaining = [...scenario.batches];
    this.simulator = new Simulator(scenario, {
      seed: options.seed,
      batches: { next: () => this.nextBatch() },
      onEvent: (event) => {
        this.traceLines.push(JSON.stringify(event));
        options.onEvent?.(event);
      },
    });
  }

  get timeMs(): number {
    return this.simulator.cluster.timeMs;
  }

  get rounds(): number {
    return this.roundCount;
  }

  /** The run's result once it has ended (at the time limit, or after `finish`). */
  get ended(): SimulationResult | undefined {
    return this.result;
  }

  get seed(): number {
    return this.options.seed;
  }

  /** One round (and its command slot); the result when the run ended with it. */
  step(): SimulationResult | undefined {
    assert(this.result === undefined, 'The session has ended');
    this.result = this.simulator.step();
    this.roundCount++;
    const last = this.recorded.at(-1);
    if (last !== undefined && last.atMs === this.timeMs) last.traceEnd = this.traceLines.length;
    return this.result;
  }

  /** The simulator asks for the batch of a slot (BatchSource): the scenario's next one, with the actions queued for it. */
  private nextBatch(): readonly SimCommand[] | undefined {
    const original = this.remaining.shift();
    const batch = [...(original ?? []), ...this.pending];
    this.pending = [];
    if (original === undefined && batch.length === 0 && !this.isOpenEnded) {
      this.emptySlotsOwed++;
      return undefined;
    }
    for (; this.emptySlotsOwed > 0; this.emptySlotsOwed--) this.recorded.push({ atMs: -1, commands: [], traceEnd: -1 });
    this.recorded.push({ atMs: this.timeMs, commands: batch.map((command) => command.text), traceEnd: -1 });
    return batch;
  }

  /**
   * An operator's action at the current round, as a scenario command (`power node2 off`). Right after
   * a slot it joins that slot's batch; between slots it is recorded in the last slot's batch as
   * `after <seconds> <command>`, whose command the simulator runs now, and whose own `cmd` line goes
   * into the trace where the replay writes it (at that slot); before the first slot it waits for it.
   */
  act(text: string): SessionActResult {
    const line = text.trim().split(/\s+/).join(' ');
    const command = this.parse(line);
    if (typeof command === 'string') return { kind: 'refused', message: command };
    const last = this.recorded.at(-1);
    const secondsSinceSlot = last === undefined ? undefined : Math.ceil((this.timeMs - last.atMs) / 1000);
    if (last === undefined || secondsSinceSlot === undefined || secondsSinceSlot > AFTER_S_MAX) {
      this.pending.push(command);
      return { kind: 'done', when: 'next-slot', recorded: line };
    }
    if (secondsSinceSlot === 0) {
      last.commands.push(line);
      this.simulator.runBatchCommand(command);
      last.traceEnd = this.traceLines.length;
      return { kind: 'done', when: 'now', recorded: line };
    }
    const after = parseCommand(`after ${secondsSinceSlot} ${line}`, new Set(this.simulator.cluster.nodeNames));
    assert(typeof after !== 'string' && after.kind === 'after', `'${line}' parsed, but not inside an after: ${String(after)}`);
    last.commands.push(after.text);
    this.traceLines.splice(last.traceEnd, 0, JSON.stringify(traceEventAt(last.atMs, null, { ev: 'cmd', cmd: after.text })));
    last.traceEnd++;
    this.simulator.scheduleAfterBatch(last.atMs, after);
    const isDue = last.atMs + secondsSinceSlot * 1000 <= this.timeMs;
    return { kind: 'done', when: isDue ? 'now' : 'next-round', recorded: after.text };
  }

  private parse(line: string): SimCommand | string {
    if (this.result !== undefined) return `The session has ended (${this.result.result}): nothing more runs`;
    if (!this.isOpenEnded) return 'The session runs to its end as its replay would: no more actions';
    const command = parseCommand(line, new Set(this.simulator.cluster.nodeNames));
    if (typeof command === 'string') return command;
    if (NOT_ACTIONS.has(command.kind)) return `'${line}': '${command.kind}' is not an action of a session (the time controls pace it)`;
    return fenceDeviceProblem(command, this.scenario.fence) ?? command;
  }

  /**
   * Runs on as the saved scenario's replay does from here: no more actions, no more empty slots, to
   * the end of the run (500 s after the last batch, or the time limit).
   */
  finish(): SimulationResult {
    this.isOpenEnded = false;
    for (let rounds = 0; this.result === undefined; rounds++) {
      assert(rounds < FINISH_ROUNDS_MAX, `The session ran ${rounds} rounds to its end, the limit is ${FINISH_ROUNDS_MAX}`);
      this.step();
    }
    return this.result;
  }

  /**
   * The session's `cmdlist`: the batches handed out so far (with empty ones for slots that ran idle,
   * so the replay runs at least as long as the session did), then the next batch with the queued
   * actions, then the scenario's batches not reached yet.
   */
  cmdlist(): string[][] {
    const batches = this.recorded.map((slot) => [...slot.commands]);
    const upcoming = this.remaining.map((batch) => batch.map((command) => command.text));
    if (this.pending.length > 0) {
      for (let owed = 0; owed < this.emptySlotsOwed; owed++) batches.push([]);
      upcoming[0] = [...(upcoming[0] ?? []), ...this.pending.map((command) => command.text)];
    }
    return [...batches, ...upcoming];
  }

  /** The trace so far as `ha-manager simulate --trace` writes it. */
  traceText(): string {
    return this.traceLines.length > 0 ? `${this.traceLines.join('\n')}\n` : '';
  }
}
