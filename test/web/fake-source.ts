import type { StatusReport } from '../../src/cli/status-report.ts';
import type { ActionResult, ConsoleAction, ConsoleEvent, ConsoleSource } from '../../src/web/console-source.ts';

/**
 * A ConsoleSource for the server's own tests: a status the test sets, events it adds, and the actions
 * it was handed (to check that a refused request never reached the source).
 */
export class FakeSource implements ConsoleSource {
  readonly kind = 'cluster';
  readonly acted: Array<{ action: ConsoleAction; actor: string }> = [];
  private readonly listeners = new Set<() => void>();
  private readonly kept: ConsoleEvent[] = [];

  constructor(public report: StatusReport) {}

  status(): StatusReport {
    return this.report;
  }

  events(afterId?: number): readonly ConsoleEvent[] {
    return this.kept.filter((event) => afterId === undefined || event.id > afterId);
  }

  act(action: ConsoleAction, actor: string): ActionResult {
    this.acted.push({ action, actor });
    return action.kind === 'arm' ? { kind: 'refused', message: 'the master last reported the HA stack armed' } : { kind: 'done', message: `queued ${action.kind}`, warning: null };
  }

  /** Changes the status (or adds an event) and says so, as a real source does when files change. */
  change(update: { report?: StatusReport; event?: Omit<ConsoleEvent, 'id'> }): void {
    if (update.report) this.report = update.report;
    if (update.event) this.kept.push({ id: this.kept.length + 1, ...update.event });
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {}
}

export function sampleReport(overrides: Partial<StatusReport> = {}): StatusReport {
  const node = (name: string) => ({
    node: name,
    declared: true,
    state: 'online' as const,
    lrmState: 'active' as const,
    lrmMode: 'active' as const,
    heartbeatAgeMs: 400,
    maintenance: 'no' as const,
    fenced: null,
    fence: { attempt: null, ackBy: null, lastProof: null },
  });
  return {
    wallMs: 1_700_000_000_000,
    master: { node: 'node1', leaseGeneration: 2, leaseAgeMs: 300, isExpired: false },
    nodes: [node('node1'), node('node2')],
    services: [{ sid: 'vm:100', state: 'started', node: 'node1', target: null, requestedState: 'started', error: null, lastFailure: null, waitsFor: null, comment: null }],
    leases: [],
    fenceTimeoutMs: 60_000,
    quorum: { isOk: true, reason: null },
    queuedRequests: [],
    disarm: null,
    ...overrides,
  };
}
