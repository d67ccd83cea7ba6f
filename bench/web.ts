/**
 * Web console benchmark (issue 13, "Scale"): the time from a state change to a real browser (Debian's
 * chromium, headless) showing it, with 100 nodes × 10,000 services. A source in this file holds the
 * status in memory and says "changed" as a live source does when a file changes; the server diffs and
 * pushes as always; the page marks, in its own clock (the same machine's), the moment its DOM shows the
 * new state of the chip. Measured: change → shown (median, p95 over RUNS changes), the server's diff
 * per change, the patch's size, and the snapshot's.
 *
 *   npm run bench:web
 */
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import type { NodeReport, ServiceReport, StatusReport } from '../src/cli/status-report.ts';
import type { ActionResult, ConsoleEvent, ConsoleSource } from '../src/web/console-source.ts';
import { diffBaseOf, diffStatus } from '../src/web/status-diff.ts';
import { startConsoleServer } from '../src/web/server.ts';

const NODES = 100;
const SERVICES = 10_000;
/** Changes measured; each waits for the page before the next. */
const RUNS = 40;
/** A change not shown within this is a failure of the console, not a slow figure. */
const SHOWN_MS_MAX = 10_000;

class MemorySource implements ConsoleSource {
  readonly kind = 'cluster';
  private readonly listeners = new Set<() => void>();
  constructor(public report: StatusReport) {}
  status(): StatusReport {
    return { ...this.report, wallMs: Date.now() };
  }
  events(): readonly ConsoleEvent[] {
    return [];
  }
  act(): ActionResult {
    return { kind: 'refused', message: 'the bench takes no actions' };
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  changed(): void {
    for (const listener of this.listeners) listener();
  }
  async close(): Promise<void> {}
}

function bigReport(): StatusReport {
  const nodes: NodeReport[] = Array.from({ length: NODES }, (_, index) => ({
    node: `node${String(index + 1).padStart(3, '0')}`,
    declared: true,
    state: 'online',
    lrmState: 'active',
    lrmMode: 'active',
    heartbeatAgeMs: 300,
    maintenance: 'no',
    fenced: null,
    fence: { attempt: null, ackBy: null, lastProof: null },
  }));
  const services: ServiceReport[] = Array.from({ length: SERVICES }, (_, index) => ({
    sid: `vm:${10_000 + index}`,
    state: 'started',
    node: nodes[index % NODES]!.node,
    target: null,
    requestedState: 'started',
    error: null,
    lastFailure: null,
    waitsFor: null,
    comment: null,
  }));
  return { wallMs: Date.now(), master: { node: 'node001', leaseGeneration: 1, leaseAgeMs: 100, isExpired: false }, nodes, services, leases: [], fenceTimeoutMs: 60_000, quorum: { isOk: true, reason: null }, queuedRequests: [], disarm: null };
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

const source = new MemorySource(bigReport());
const server = await startConsoleServer({ source, listen: { host: '127.0.0.1', port: 0 }, token: 'bench-token-0123456789abcdef', debounceMs: 0 });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const loadStartMs = performance.now();
  await page.goto(server.url);
  await page.waitForFunction((count) => document.getElementById('service-count')?.textContent === `${count} of ${count}`, SERVICES, { timeout: 60_000 });
  const firstPaintMs = performance.now() - loadStartMs;
  // The page notes the wall time at which a chip's label changes; the bench reads it back.
  await page.evaluate(() => {
    const shown: Record<string, number> = {};
    (window as unknown as { __shown: Record<string, number> }).__shown = shown;
    new MutationObserver(() => {
      for (const label of document.querySelectorAll('#nodes .chip[data-sid] .label')) {
        const key = `${(label.parentElement as HTMLElement).dataset.sid} ${label.textContent}`;
        shown[key] ??= Date.now();
      }
    }).observe(document.getElementById('nodes')!, { childList: true, subtree: true });
  });
  const shownMs: number[] = [];
  const diffMs: number[] = [];
  let patchBytes = 0;
  for (let run = 0; run < RUNS; run++) {
    // A service among the first chips of its node (drawn ones), its state flipped by this run.
    const index = (run * 7919) % (NODES * 10);
    const state = run % 2 === 0 ? 'fence' : 'recovery';
    const before = diffBaseOf(source.status());
    const services = source.report.services.map((service, at) => (at === index ? { ...service, state: state as ServiceReport['state'] } : service));
    source.report = { ...source.report, services };
    const diffStartMs = performance.now();
    const patch = diffStatus(before, diffBaseOf(source.status()));
    diffMs.push(performance.now() - diffStartMs);
    patchBytes = JSON.stringify(patch).length;
    const key = `${services[index]!.sid} ${state}`;
    const changedWallMs = Date.now();
    source.changed();
    await page.waitForFunction((wanted) => (window as unknown as { __shown: Record<string, number> }).__shown[wanted] !== undefined, key, { timeout: SHOWN_MS_MAX, polling: 10 });
    shownMs.push((await page.evaluate((wanted) => (window as unknown as { __shown: Record<string, number> }).__shown[wanted]!, key)) - changedWallMs);
  }
  const snapshotBytes = JSON.stringify(source.report).length;
  console.log(`web console, ${NODES} nodes × ${SERVICES} services, ${RUNS} changes (one service each), chromium headless:`);
  console.log(`  change → shown in the browser: median ${percentile(shownMs, 0.5).toFixed(0)} ms, p95 ${percentile(shownMs, 0.95).toFixed(0)} ms, worst ${Math.max(...shownMs).toFixed(0)} ms`);
  console.log(`  server diff per change (the hub keeps the last report's JSON by key): median ${percentile(diffMs, 0.5).toFixed(1)} ms, p95 ${percentile(diffMs, 0.95).toFixed(1)} ms; one patch ${patchBytes} bytes vs a snapshot of ${(snapshotBytes / 1024).toFixed(0)} KiB`);
  console.log(`  page load to the whole table drawn: ${firstPaintMs.toFixed(0)} ms`);
} finally {
  await browser.close();
  await server.close();
}
