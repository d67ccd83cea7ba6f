import { assert } from '../common/assert.ts';
import { COMMANDS_PER_TAKE_MAX } from '../store/command-queue.ts';
import { assertCommandLine, type CommandQueue, type StoreUnavailable } from '../store/store-ports.ts';
import type { SimStoreReach } from './sim-store-reach.ts';

/** One queued CRM command: its entry name (as a queue file's, in queue order), the line, when it was queued. */
export interface SimQueuedCommand {
  readonly name: string;
  readonly line: string;
  /** Simulated time of the enqueue (the simulator's stand-in for wall time). */
  readonly queuedMs: number;
}

/** Commands pile up only while no master takes them; a run that queues this many has a bug. */
const QUEUED_COMMANDS_MAX = 100_000;

/**
 * The simulated cluster's CRM command queue (the `commands/` directory of the dir store, the command
 * keys of etcd): oldest first, each command taken once. Scenario commands queue here as `ha-manager`
 * queues; a master takes through its node's face (SimCommandFace), which the simulator's faults reach.
 */
export class SimCommandQueue {
  private entries: SimQueuedCommand[] = [];
  private sequence = 0;

  enqueue(line: string, by: string, nowMs: number): string {
    assertCommandLine(line);
    assert(this.entries.length < QUEUED_COMMANDS_MAX, `The simulated command queue holds ${this.entries.length} commands, limit ${QUEUED_COMMANDS_MAX}`);
    const name = `${String(this.sequence++).padStart(10, '0')}.${by}.cmd`;
    this.entries.push({ name, line, queuedMs: nowMs });
    return name;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Every queued command, oldest first (what `heal` looks through; a take returns fewer). */
  all(): readonly SimQueuedCommand[] {
    return this.entries;
  }

  /** Removes and returns up to COMMANDS_PER_TAKE_MAX lines, oldest first. */
  take(): string[] {
    if (this.entries.length === 0) return [];
    const taken = this.entries.length <= COMMANDS_PER_TAKE_MAX ? this.entries : this.entries.slice(0, COMMANDS_PER_TAKE_MAX);
    this.entries = this.entries.length <= COMMANDS_PER_TAKE_MAX ? [] : this.entries.slice(COMMANDS_PER_TAKE_MAX);
    return taken.map((entry) => entry.line);
  }
}

/** The CommandQueue port of one simulated node: the queue through that node's reach of the store. */
export class SimCommandFace implements CommandQueue {
  constructor(
    private readonly queue: SimCommandQueue,
    private readonly reach: SimStoreReach,
  ) {}

  enqueue(line: string): { readonly kind: 'queued'; readonly name: string } | StoreUnavailable {
    assertCommandLine(line);
    if (!this.reach.isReachable()) return this.unavailable('queue a command');
    return { kind: 'queued', name: this.queue.enqueue(line, this.reach.node, this.reach.simTimeMs()) };
  }

  read(): ReadonlyArray<{ readonly line: string; readonly queuedWallMs: number }> | StoreUnavailable {
    if (!this.reach.isReachable()) return this.unavailable('read the command queue');
    return this.queue
      .all()
      .slice(0, COMMANDS_PER_TAKE_MAX)
      .map((entry) => ({ line: entry.line, queuedWallMs: entry.queuedMs }));
  }

  take(): readonly string[] | StoreUnavailable {
    if (!this.reach.isReachable()) return this.unavailable('take commands');
    return this.queue.take();
  }

  private unavailable(action: string): StoreUnavailable {
    return { kind: 'unavailable', message: `Cannot ${action} (commands/): ${this.reach.whyUnreachable()}` };
  }
}
