import type { FenceJobResult, LrmStatus } from '../common/lrm-status.ts';
import { dropNodeEntry, type FenceAction, type FenceAttempt, type ManagerStatus } from '../common/manager-status.ts';
import type { EmitEvent } from '../common/trace.ts';
import { fenceLevelsFor, nodeFenceSettings, type FenceConfig, type FenceLevel } from '../fence/fence-config.ts';
import type { NodeStatusTable } from './node-status.ts';

/**
 * The master's side of external fencing (DESIGN.md "External fencing"): for a lost node with fence
 * levels in fence.cfg, it asks a proxy — an online node other than the target — to run the levels in
 * order, one job at a time, and reads each job's result from the proxy's LRM status. A level that
 * succeeded is a proof (`agent`, or `kdump` for a fence_kdump level); a failure moves to the next
 * level, and after the last one starts over, raised in status: it never counts as a proof. The lease
 * path runs beside it (fence-coordinator.ts): the first proof wins.
 *
 * A job lives in the manager status (`fencing`, by target) so that a new master picks it up: the
 * proxy runs each uid once and reports under it. After an `off` proved the node fenced, an `on` of the
 * same level powers it back (a fence is a reboot, as Pacemaker's and oVirt's are) — but only once this
 * master holds the node's agent lease (`powerOnGates`): the node then boots as after a watchdog reset,
 * its LRM waiting for a lease that is not its own, and by the time it may act, no read it makes can be
 * older than the save that moved its services away (chaos seeds 4044 and 4832: a node powered on at
 * once acted on a status read from before its fence). A kdump level powers nothing: the node reboots
 * itself once its dump is written.
 *
 * Soft fencing: a node that went silent but is not yet fenced, with a soft fence configured, gets one
 * `soft` job per loss (its LRM restarted); it has the soft grace to come back before its hard fence.
 * A soft fence that found the host not answering ends the grace at once.
 */

export interface FencingView {
  readonly fence: FenceConfig | undefined;
  readonly lrmStatuses: ReadonlyMap<string, LrmStatus>;
  readonly nodes: NodeStatusTable;
}

export interface FencingPorts {
  readonly emit: EmitEvent;
  readonly newUid: () => string;
}

/** The proof a fence level gave. */
export type LevelProof = 'agent' | 'kdump';

export class ExternalFencing {
  /** Nodes whose soft fence ran in their current loss (asked once per loss), and those it could not reach. */
  private readonly softAsked = new Set<string>();
  private readonly softFailed = new Set<string>();

  constructor(
    private readonly status: ManagerStatus,
    private readonly ports: FencingPorts,
  ) {}

  /** True when fence.cfg gives `node` at least one complete level. */
  static hasLevels(fence: FenceConfig | undefined, node: string): boolean {
    return fence !== undefined && fenceLevelsFor(fence, node).length > 0;
  }

  /**
   * How long a lost node with fence levels stays unknown before it is fenced: its soft grace when a
   * soft fence is configured (none once the soft fence found the host not answering), else one round.
   */
  offlineDelayMs(fence: FenceConfig, node: string, roundMs: number): number {
    const soft = nodeFenceSettings(fence, node);
    if (soft?.softFence === undefined || this.softFailed.has(node)) return roundMs;
    return Math.max(roundMs, (soft.softGraceS ?? 0) * 1000);
  }

  /**
   * Start of a round: ends soft-fence episodes of nodes back online, asks for the soft fence of nodes
   * newly lost, and settles `on` jobs and jobs of nodes no longer lost.
   */
  beginRound(view: FencingView): void {
    for (const node of view.nodes.knownNodes()) {
      if (view.nodes.isOperational(node)) {
        this.softAsked.delete(node);
        this.softFailed.delete(node);
      }
    }
    for (const [target, attempt] of Object.entries(this.status.fencing ?? {})) {
      const result = this.resultOf(view, attempt);
      // Back already (powered on by someone else): nothing to power on.
      if (attempt.action === 'on' && attempt.uid === '' && view.nodes.isOperational(target)) {
        this.drop(target);
        continue;
      }
      if (attempt.action === 'on' && attempt.uid === '') continue; // waits for its gate (powerOnGates)
      if (attempt.action === 'on' || attempt.action === 'soft') {
        if (result) this.report(target, attempt, result);
        if (attempt.action === 'soft' && result && !result.ok) this.softFailed.add(target);
        if (result || !view.nodes.isOnline(attempt.proxy)) this.drop(target);
        continue;
      }
      // An `off` for a node no longer in fence: proved by the lease path, or back and not fenced.
      if (view.nodes.stateOf(target) !== 'fence') this.drop(target);
    }
    if (view.fence === undefined) return;
    for (const node of view.nodes.knownNodes()) {
      if (view.nodes.stateOf(node) !== 'unknown' || this.softAsked.has(node) || this.status.fencing?.[node]) continue;
      if (nodeFenceSettings(view.fence, node)?.softFence === undefined) continue;
      this.softAsked.add(node);
      this.ask(view, node, 'soft', 0, 0, undefined);
    }
  }

  /**
   * One step for the nodes in `fence` this pass: reads the results of their jobs and asks for the next
   * ones. Returns the targets a level proved fenced; each gets an `on` of that level (not for kdump).
   * Called once per pass of the manager loop: a result is consumed once, since the next job has a new uid.
   */
  advance(targets: readonly string[], view: FencingView): Map<string, LevelProof> {
    const proved = new Map<string, LevelProof>();
    if (view.fence === undefined) return proved;
    for (const target of targets) {
      const levels = fenceLevelsFor(view.fence, target);
      if (levels.length === 0) continue;
      const attempt = this.status.fencing?.[target];
      if (attempt === undefined || attempt.action !== 'off' || attempt.level >= levels.length) {
        this.ask(view, target, 'off', 0, attempt?.action === 'off' ? attempt.failedPasses : 0, attempt?.lastError);
        continue;
      }
      const result = this.resultOf(view, attempt);
      if (result === undefined) {
        // A proxy that left never reports: the same level again, through another node.
        if (!view.nodes.isOnline(attempt.proxy)) this.ask(view, target, 'off', attempt.level, attempt.failedPasses, attempt.lastError);
        continue;
      }
      this.report(target, attempt, result);
      if (result.ok) {
        const level = levels[attempt.level]!;
        proved.set(target, level.isKdump ? 'kdump' : 'agent');
        this.afterProof(view, target, attempt.level, level);
        continue;
      }
      const isLastLevel = attempt.level + 1 >= levels.length;
      const lastError = `level ${attempt.level + 1} (${levels[attempt.level]!.name}): ${result.reason ?? 'failed'}`;
      this.ask(view, target, 'off', isLastLevel ? 0 : attempt.level + 1, attempt.failedPasses + (isLastLevel ? 1 : 0), lastError);
    }
    return proved;
  }

  private afterProof(_view: FencingView, target: string, levelIndex: number, level: FenceLevel): void {
    this.drop(target);
    // Asked once this master holds the node's lease (powerOnGates, openGates).
    if (!level.isKdump) this.set(target, { uid: '', proxy: '', action: 'on', level: levelIndex, failedPasses: 0 });
  }

  /** Nodes whose `on` waits for this master to hold their agent lease: the round takes it for them. */
  powerOnGates(): string[] {
    return Object.entries(this.status.fencing ?? {})
      .filter(([, attempt]) => attempt.action === 'on' && attempt.uid === '')
      .map(([target]) => target)
      .sort();
  }

  /** Asks for the `on` of each gated node whose lease this master now holds. */
  openGates(view: FencingView, held: ReadonlySet<string>): void {
    for (const target of this.powerOnGates()) {
      const attempt = this.status.fencing![target]!;
      if (held.has(target)) this.ask(view, target, 'on', attempt.level, 0, undefined);
    }
  }

  private resultOf(view: FencingView, attempt: FenceAttempt): FenceJobResult | undefined {
    const result = view.lrmStatuses.get(attempt.proxy)?.fenceResults?.get(attempt.uid);
    return result?.uid === attempt.uid ? result : undefined;
  }

  private report(target: string, attempt: FenceAttempt, result: FenceJobResult): void {
    this.ports.emit({
      ev: 'fence-result',
      target,
      action: attempt.action,
      level: attempt.level,
      proxy: attempt.proxy,
      result: result.ok ? 'ok' : 'failed',
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
    });
  }

  /** A new job for `target`, through the first online proxy; none asked while no other node is online. */
  private ask(view: FencingView, target: string, action: FenceAction, level: number, failedPasses: number, lastError: string | undefined): void {
    const proxy = chooseProxy(view, target);
    if (proxy === undefined) {
      if (action === 'off') this.set(target, { uid: '', proxy: '', action, level, failedPasses, lastError: 'no online node to run the fence' });
      return;
    }
    this.set(target, { uid: this.ports.newUid(), proxy, action, level, failedPasses, ...(lastError !== undefined ? { lastError } : {}) });
    this.ports.emit({ ev: 'fence-request', target, action, level, proxy });
  }

  private set(target: string, attempt: FenceAttempt): void {
    this.status.fencing = { ...this.status.fencing, [target]: attempt };
  }

  private drop(target: string): void {
    dropNodeEntry(this.status, 'fencing', target);
  }
}

/** The proxies for fencing `target`: online nodes but the target, fence.cfg's `proxy` order first, then by name. */
export function chooseProxy(view: FencingView, target: string): string | undefined {
  const online = view.nodes.onlineNodes().filter((node) => node !== target);
  const preferred = (view.fence?.proxyOrder ?? []).filter((node) => online.includes(node));
  return preferred[0] ?? online[0];
}
