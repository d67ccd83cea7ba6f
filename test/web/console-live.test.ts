import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pollUntil } from '../../src/cluster/cluster-process.ts';
import { waitForPlacement } from '../../src/cluster/failover.ts';
import type { LocalCluster } from '../../src/cluster/local-cluster.ts';
import { setResourceChecked } from '../../src/cli/resource-set.ts';
import { listQueuedCommands } from '../../src/store/command-queue.ts';
import { ClusterSource } from '../../src/web/cluster-source.ts';
import { startConsoleServer, type ConsoleServer } from '../../src/web/server.ts';
import { SCENARIO_MS_MAX, withCluster } from '../e2e/e2e-cluster.ts';
import { DESKTOP_VIEWPORT, PHONE_VIEWPORT, SCREENSHOT_DIR, sharedBrowser } from './browser.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

const TOKEN = 'console-live-test-token-0123456789';
const XSS_COMMENT = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
const RESOURCES = [
  { sid: 'vm:101', node: 'node1' },
  { sid: 'vm:102', node: 'node3' },
];
const BIN = join(process.cwd(), 'bin', 'ha-manager');
/** A page shows a pushed change within this (fast profile: rounds of 1 s; slack for a loaded machine). */
const PUSH_MS_MAX = 20_000;
/** From the cut to the recovery on the fast profile, with slack for load. */
const FAILOVER_MS_MAX = 60_000;

/** The status JSON without what changes from one read to the next (ages, the time), to compare two reads. */
function stable(json: string): unknown {
  return JSON.parse(json, (key, value: unknown) => (key === 'wallMs' || key.endsWith('ageMs') || key.endsWith('AgeMs') ? undefined : value));
}

function badge(page: Page, node: string): Promise<string | null> {
  return page.evaluate((name) => document.querySelector(`#nodes article[data-node="${name}"] .badge`)?.textContent ?? null, node);
}

/** Whether the card of `node` shows a chip of `sid` with state `state`. */
function chipOn(page: Page, node: string, sid: string, state: string) {
  return page.waitForFunction(
    ([name, id, label]) => document.querySelector(`#nodes article[data-node="${name}"] .chip[data-sid="${id}"] .label`)?.textContent === label,
    [node, sid, state] as const,
    { timeout: PUSH_MS_MAX * 2 },
  );
}

async function sendAction(page: Page, action: { kind: string; sid?: string; node?: string }): Promise<string> {
  await page.selectOption('#action-kind', action.kind);
  if (action.sid !== undefined) await page.fill('#action-sid', action.sid);
  if (action.node !== undefined) await page.fill('#action-node', action.node);
  await page.evaluate(() => (document.getElementById('action-result')!.textContent = ''));
  await page.click('#action-submit');
  await page.waitForFunction(() => !['', 'sending…'].includes(document.getElementById('action-result')!.textContent ?? ''));
  return (await page.textContent('#action-result')) ?? '';
}

describe('web: the console of a live local cluster in a real browser (chromium)', function () {
  this.timeout(4 * SCENARIO_MS_MAX);
  const browser = sharedBrowser();

  it('shows the cluster, refuses tokenless and cross-site actions, migrates from the page, and pushes a failover: unknown → fence → recovered', async () => {
    await withCluster({ resources: RESOURCES, firstMaster: 'node2' }, async (cluster) => {
      setResourceChecked(new DirClusterStore(cluster.sharedDir), { sid: 'vm:102', change: { set: { comment: XSS_COMMENT }, delete: [] } });
      await waitForPlacement(cluster, { 'vm:101': 'node1', 'vm:102': 'node3' }, PUSH_MS_MAX * 2);
      const source = new ClusterSource({ store: new DirClusterStore(cluster.sharedDir), stateDir: join(cluster.localDir('node2'), 'state'), node: 'node2' });
      const server = await startConsoleServer({ source, listen: { host: '127.0.0.1', port: 0 }, token: TOKEN });
      const page = await browser.get().newPage({ viewport: DESKTOP_VIEWPORT });
      try {
        await page.goto(server.url);
        await chipOn(page, 'node1', 'vm:101', 'started');
        await checkStatusJson(cluster, server);
        await checkCommentIsText(page);
        await checkRefusals(page, cluster, server);
        await migrateFromPage(page, cluster);
        await failover(page, cluster);
        await page.screenshot({ path: join(SCREENSHOT_DIR, 'console.png'), fullPage: true });
        await page.setViewportSize(PHONE_VIEWPORT);
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(SCREENSHOT_DIR, 'console-phone.png'), fullPage: false });
      } finally {
        await page.close();
        await server.close();
        await source.close();
      }
    });
  });
});

/** GET /api/status and the CLI's `status --output-format json`, read one after the other: the same but for ages. */
async function checkStatusJson(cluster: LocalCluster, server: ConsoleServer): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const api = await (await fetch(new URL('/api/status', server.url))).text();
    const cli = execFileSync(BIN, ['status', '--output-format', 'json', '--dir', cluster.sharedDir], { encoding: 'utf8' });
    if (JSON.stringify(stable(api)) === JSON.stringify(stable(cli))) return;
    // A master round between the two reads changes the status: read both again, a few times.
    if (attempt >= 5) assert.deepEqual(stable(api), stable(cli));
  }
}

async function checkCommentIsText(page: Page): Promise<void> {
  await page.fill('#service-filter', 'vm:102');
  const note = await page.waitForFunction(() => document.querySelector('#services .services-row[data-sid="vm:102"] .note')?.textContent);
  assert.equal(await note.jsonValue(), XSS_COMMENT, 'the comment is shown as the text it is');
  assert.equal(await page.evaluate(() => (window as { __xss?: number }).__xss), undefined, 'no script of the comment ran');
  assert.equal(await page.evaluate(() => document.querySelectorAll('#services script, #services img').length), 0);
  await page.fill('#service-filter', '');
}

async function checkRefusals(page: Page, cluster: LocalCluster, server: ConsoleServer): Promise<void> {
  const without = await sendAction(page, { kind: 'migrate', sid: 'vm:102', node: 'node2' });
  assert.match(without, /^403: Refused: a request that changes state needs the console's token/);
  // A page of another origin posts a form to the console (the one request a browser sends cross-site
  // without asking): refused, and the refusal is all it gets.
  const evil = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(`<form method="POST" action="${new URL('/api/actions', server.url)}" enctype="text/plain"><input name='{"kind":"migrate","sid":"vm:102","node":"node2","x":"' value='"}'></form><script>document.forms[0].submit()</script>`);
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  const other = await page.context().browser()!.newPage();
  try {
    await other.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
    await other.waitForURL(/\/api\/actions$/);
    assert.match((await other.textContent('body')) ?? '', /^Refused: /);
  } finally {
    await other.close();
    evil.close();
  }
  assert.deepEqual(listQueuedCommands(cluster.sharedDir), [], 'nothing was queued');
  assert.deepEqual(cluster.runningOn('vm:102'), ['node3']);
}

async function migrateFromPage(page: Page, cluster: LocalCluster): Promise<void> {
  await page.fill('#token', TOKEN);
  await page.click('#token-form button');
  const answer = await sendAction(page, { kind: 'migrate', sid: 'vm:102', node: 'node2' });
  assert.equal(answer, 'Queued for the master: migrate vm:102 node2');
  await chipOn(page, 'node2', 'vm:102', 'started');
  assert.deepEqual(cluster.runningOn('vm:102'), ['node2']);
  const timeline = (await page.textContent('#timeline')) ?? '';
  assert.match(timeline, /operator action: web@127\.0\.0\.1: migrate vm:102 node2/);
}

async function failover(page: Page, cluster: LocalCluster): Promise<void> {
  // Every state the page shows for node1, in order, as the pushes draw them; and a mark a reload would lose.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as { __node1?: string[]; __mark?: boolean }).__node1 = seen;
    (window as { __mark?: boolean }).__mark = true;
    new MutationObserver(() => {
      const text = document.querySelector('#nodes article[data-node="node1"] .badge')?.textContent;
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(document.getElementById('nodes')!, { childList: true, subtree: true, characterData: true });
  });
  assert.equal(await badge(page, 'node1'), 'online');
  cluster.cut('node1');
  await page.waitForFunction(() => {
    const chip = document.querySelector('#nodes article:not([data-node="node1"]) .chip[data-sid="vm:101"] .label');
    return chip?.textContent === 'started';
  }, undefined, { timeout: FAILOVER_MS_MAX });
  const seen = await page.evaluate(() => (window as { __node1?: string[] }).__node1 ?? []);
  const afterCut = seen.slice(seen.indexOf('online') + 1);
  assert.deepEqual(afterCut.slice(0, 2), ['unknown', 'fence'], `node1 went from online to unknown, then fence (seen: ${seen.join(' → ')})`);
  assert.equal(await page.evaluate(() => (window as { __mark?: boolean }).__mark), true, 'pushed, not reloaded');
  // The master records the recovery ('started' on the new node) before that node's LRM has started it.
  await pollUntil('vm:101 to run on another node', PUSH_MS_MAX, () => cluster.runningOn('vm:101').length === 1);
  assert.notEqual(cluster.runningOn('vm:101')[0], 'node1');
  await page.waitForFunction(() => /recovered/.test(document.querySelector('#failovers .failover[data-node="node1"] .total')?.textContent ?? ''), undefined, { timeout: PUSH_MS_MAX });
  const steps = await page.$$eval('#failovers .failover[data-node="node1"] .step.done .step-label', (labels) => labels.map((label) => label.textContent));
  assert.deepEqual(steps.slice(0, 4), ['cut (last heartbeat)', 'unknown', 'fence', 'lease taken']);
}
