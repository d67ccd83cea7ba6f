import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FenceOptions } from '../fence/fence-config.ts';

/**
 * Emulated switched PDUs feeding one emulated node, fenced by the real `fence_dummy`: each outlet is a
 * status file (`status_file=` of its fence_dummy device) holding `on` or `off`, and the node has power
 * while at least one outlet that feeds it is on (two power supplies on two PDUs: fence.cfg's
 * `power:1`, `power:2`, one level that must switch both off).
 *
 * fence_dummy is no power switch: its `off` writes `off` into the file and then reads the file back,
 * so by itself it would report the node off while the node runs on. The supervisor (a test) polls the
 * files; when an outlet's `off` leaves the node without power, it puts `on` back into that outlet's
 * file at once (the outlet is switched, the node is still running), powers the node off through
 * `onPower` (every process killed, the reset recorded), and only then writes `off`. So the file of the
 * outlet that cut the power reads `off` before the node is dead only between fence_dummy's write and
 * the next poll (POLL_MS). Nothing reads it then: the writing agent sleeps its `power_wait` (1 s, from
 * fenceOptions) before it reads, and the level's `status` calls run only after that agent has exited.
 * An `on` written into an outlet of a node without power boots the node.
 *
 * fence_dummy writes its file in place (truncate, then write): a poll that finds it empty or with
 * anything but `on`/`off` keeps the outlet's last state.
 */

/** Far below fence_dummy's power_wait (POWER_WAIT_S): the window in which the cutting outlet reads off too early. */
const POLL_MS = 20;
/** fence_dummy sleeps this long after switching an outlet before it reads the outlet back. */
const POWER_WAIT_S = 1;

export interface EmulatedPduSpec {
  readonly node: string;
  /** The PDUs' folder (one status file per outlet); never inside the node's run directory. */
  readonly dir: string;
  /** The fence devices feeding the node, e.g. `power:1`, `power:2`. */
  readonly outlets: readonly string[];
  /** Powers the node off (every process killed, the reset recorded) or on (its daemons started). */
  readonly onPower: (state: 'off' | 'on') => Promise<void>;
  /** Called when onPower throws: the outlets that would have cut the power read `on` (their fence fails). */
  readonly onError?: (error: Error) => void;
}

type OutletState = 'on' | 'off';

export class EmulatedPdus {
  private readonly states = new Map<string, OutletState>();
  /** For each outlet that cut the power: how long its file read `off` (fence_dummy's write) before it was held `on`. */
  readonly holdDelaysMs: number[] = [];
  private isPowered = true;
  /** The poll under way: a power-off or boot in progress ends before stop() returns. */
  private acting: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  private constructor(readonly spec: EmulatedPduSpec) {
    mkdirSync(spec.dir, { recursive: true });
    for (const outlet of spec.outlets) {
      this.states.set(outlet, 'on');
      this.writeOutlet(outlet, 'on');
    }
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  /** Every outlet on, the node powered; polling starts. */
  static start(spec: EmulatedPduSpec): EmulatedPdus {
    if (spec.outlets.length === 0) throw new Error(`EmulatedPdus for ${spec.node}: no outlet`);
    return new EmulatedPdus(spec);
  }

  /** The status file of one outlet. */
  statusFile(outlet: string): string {
    if (!this.states.has(outlet)) throw new Error(`EmulatedPdus for ${this.spec.node}: no outlet '${outlet}' (has ${this.spec.outlets.join(', ')})`);
    return join(this.spec.dir, `${outlet.replace(/[^A-Za-z0-9_-]/g, '_')}.status`);
  }

  /** What fence.cfg gives fence_dummy for one outlet. */
  fenceOptions(outlet: string): FenceOptions {
    return { status_file: this.statusFile(outlet), power_wait: String(POWER_WAIT_S) };
  }

  /** The node's power as this supervisor last acted on it. */
  get power(): 'on' | 'off' {
    return this.isPowered ? 'on' : 'off';
  }

  /** Stops polling; resolves once a power-off or boot under way has finished (none starts after). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.acting;
  }

  private poll(): void {
    if (this.acting !== undefined) return;
    this.acting = this.act().finally(() => {
      this.acting = undefined;
    });
  }

  private async act(): Promise<void> {
    try {
      const switchedOff: string[] = [];
      for (const outlet of this.spec.outlets) {
        const read = this.readOutlet(outlet);
        if (read === undefined || read === this.states.get(outlet)) continue;
        if (read === 'off') switchedOff.push(outlet);
        this.states.set(outlet, read);
      }
      const isFed = [...this.states.values()].includes('on');
      if (this.isPowered && !isFed) await this.powerOff(switchedOff);
      else if (!this.isPowered && isFed) await this.powerOn();
    } catch (error) {
      this.spec.onError?.(error as Error);
    }
  }

  /** The outlets that cut the power read `on` again until the node is dead. */
  private async powerOff(cutting: readonly string[]): Promise<void> {
    for (const outlet of cutting) {
      this.holdDelaysMs.push(Math.round(Date.now() - statSync(this.statusFile(outlet)).mtimeMs));
      this.writeOutlet(outlet, 'on');
    }
    await this.spec.onPower('off');
    this.isPowered = false;
    for (const outlet of cutting) this.writeOutlet(outlet, 'off');
  }

  private async powerOn(): Promise<void> {
    this.isPowered = true;
    await this.spec.onPower('on');
  }

  private readOutlet(outlet: string): OutletState | undefined {
    const file = this.statusFile(outlet);
    if (!existsSync(file)) return undefined;
    const text = readFileSync(file, 'utf8').trim();
    return text === 'on' || text === 'off' ? text : undefined;
  }

  /** Atomically: fence_dummy reads the whole word or the previous one. fence_dummy wants no newline. */
  private writeOutlet(outlet: string, state: OutletState): void {
    const file = this.statusFile(outlet);
    writeFileSync(`${file}.new`, state);
    renameSync(`${file}.new`, file);
  }
}
