import { assert, assertNever } from '../common/assert.ts';
import type { NodeState } from '../common/states.ts';
import type { EmitEvent } from '../common/trace.ts';
import type { Membership } from '../env/env.ts';

/** A node that was removed from the membership list is forgotten after this long offline. */
export const GONE_NODE_FORGET_MS = 3_600_000;

/**
 * The master's view of the nodes: their states (persisted in the manager status) and when this
 * master last saw each as a member (memory only — a new master starts counting afresh, so it never
 * fences a node earlier than a full fence delay after it took office).
 */
export class NodeStatusTable {
  private readonly lastSeenMs = new Map<string, number>();

  constructor(
    private readonly states: Record<string, NodeState>,
    private readonly emit: EmitEvent,
  ) {}

  /** The state of a node; a node not in the table enters it as `unknown`. */
  stateOf(node: string): NodeState {
    const state = this.states[node];
    if (state !== undefined) return state;
    this.states[node] = 'unknown';
    return 'unknown';
  }

  knownNodes(): string[] {
    return Object.keys(this.states).sort();
  }

  isOnline(node: string): boolean {
    return this.states[node] === 'online';
  }

  /** Online or in maintenance: a master on such a node may work. */
  isOperational(node: string): boolean {
    const state = this.states[node];
    return state === 'online' || state === 'maintenance';
  }

  onlineNodes(): string[] {
    return this.knownNodes().filter((node) => this.states[node] === 'online');
  }

  setState(node: string, next: NodeState): void {
    const previous = this.stateOf(node);
    assert(previous !== next, `Node ${node} is already ${next}`);
    this.states[node] = next;
    this.emit({ ev: 'node-state', target: node, from: previous, to: next });
  }

  /**
   * True when the node is not online and this master has not seen it as a member for `delayMs`.
   * The first question about a node this master never saw starts its clock and answers no.
   */
  isOfflineDelayed(node: string, nowMs: number, delayMs: number): boolean {
    if (this.stateOf(node) === 'online') return false;
    const lastSeen = this.lastSeenMs.get(node);
    if (lastSeen === undefined) {
      this.lastSeenMs.set(node, nowMs);
      return false;
    }
    return nowMs - lastSeen >= delayMs;
  }

  /** One update per manager round from the membership and the LRM modes. */
  update(membership: Membership, lrmModes: ReadonlyMap<string, string>, nowMs: number): void {
    for (const node of membership.nodes) {
      if (!membership.isMember(node)) continue;
      this.lastSeenMs.set(node, nowMs);
      this.updateMember(node, lrmModes.get(node));
    }
    const listed = new Set(membership.nodes);
    for (const node of this.knownNodes()) {
      if (listed.has(node) && membership.isMember(node)) continue;
      this.updateNonMember(node, listed.has(node), lrmModes.get(node), nowMs);
    }
  }

  private updateMember(node: string, lrmMode: string | undefined): void {
    const state = this.stateOf(node);
    switch (state) {
      case 'online':
        if (lrmMode === 'maintenance') this.setState(node, 'maintenance');
        return;
      case 'maintenance':
        if (lrmMode !== 'maintenance') this.setState(node, 'online');
        return;
      case 'unknown':
      case 'gone':
        this.setState(node, 'online');
        return;
      case 'fence':
        return; // stays until the fence is acknowledged
      default:
        assertNever(state, 'node state');
    }
  }

  private updateNonMember(node: string, isListed: boolean, lrmMode: string | undefined, nowMs: number): void {
    const state = this.stateOf(node);
    switch (state) {
      case 'online':
        this.setState(node, 'unknown');
        return;
      case 'maintenance':
        // A node shut down for maintenance stays in maintenance: its services wait for it.
        if (lrmMode !== 'maintenance') this.setState(node, 'unknown');
        return;
      case 'unknown':
        if (!isListed) this.setState(node, 'gone');
        return;
      case 'fence':
        return;
      case 'gone':
        if (this.isOfflineDelayed(node, nowMs, GONE_NODE_FORGET_MS)) this.forget(node);
        return;
      default:
        assertNever(state, 'node state');
    }
  }

  private forget(node: string): void {
    const previous = this.states[node];
    assert(previous === 'gone', `Only gone nodes are forgotten, ${node} is ${previous}`);
    delete this.states[node];
    this.lastSeenMs.delete(node);
    this.emit({ ev: 'node-state', target: node, from: 'gone', to: 'deleted' });
  }
}
