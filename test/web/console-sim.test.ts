import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { defaultScenario } from '../../src/sim/session-files.ts';
import { startConsoleServer, type ConsoleServer } from '../../src/web/server.ts';
import { simRoutes } from '../../src/web/sim-routes.ts';
import { SimSource } from '../../src/web/sim-source.ts';
import { DESKTOP_VIEWPORT, SCREENSHOT_DIR, sharedBrowser } from './browser.ts';

const TOKEN = 'console-sim-test-token-0123456789';
const BIN = join(process.cwd(), 'bin', 'ha-manager');
/** The page shows a change within this (the simulator runs at 500 virtual s per s; slack for a loaded machine). */
const SHOWN_MS_MAX = 30_000;

interface Shown {
  readonly kind: string;
  readonly text: string;
}

function timeline(page: Page): Promise<Shown[]> {
  return page.evaluate(() => (window as unknown as { haConsole: { state: { events: Shown[] } } }).haConsole.state.events.map((event) => ({ kind: event.kind, text: event.text })));
}

/** Waits until the page's timeline has an event of `kind` whose text matches. */
function shownEvent(page: Page, kind: string, pattern: RegExp) {
  return page.waitForFunction(
    ([wanted, source]) => (window as unknown as { haConsole: { state: { events: Shown[] } } }).haConsole.state.events.some((event) => event.kind === wanted && new RegExp(source).test(event.text)),
    [kind, pattern.source] as const,
    { timeout: SHOWN_MS_MAX },
  );
}

async function clickAndWait(page: Page, selector: string): Promise<string> {
  await page.evaluate(() => (document.getElementById('sim-result')!.textContent = ''));
  await page.click(selector);
  await page.waitForFunction(() => (document.getElementById('sim-result')?.textContent ?? '') !== '', undefined, { timeout: SHOWN_MS_MAX });
  return (await page.textContent('#sim-result')) ?? '';
}

async function traceOf(server: ConsoleServer): Promise<string> {
  const response = await fetch(`${server.url}api/sim/trace`);
  return ((await response.json()) as { trace: string }).trace;
}

describe('web: the simulator in a real browser (chromium)', function () {
  this.timeout(4 * 60_000);
  const browser = sharedBrowser();

  it('powering a node off from the page leads to its fence and its services recovered; the saved session replays to the same trace', async () => {
    const { scenario, files } = defaultScenario();
    const source = new SimSource({ scenario, files, seed: 1, tickMs: 50 });
    const saveRoot = mkdtempSync(join(tmpdir(), 'console-sim-'));
    const server = await startConsoleServer({ source, routes: simRoutes(source, { saveRoot }), listen: { host: '127.0.0.1', port: 0 }, token: TOKEN });
    const page = await browser.get().newPage({ viewport: DESKTOP_VIEWPORT });
    try {
      await page.goto(server.url);
      await page.waitForSelector('#sim-switches .sim-node[data-node="node2"]');
      await refusedWithoutToken(server, source);
      await page.fill('#token', TOKEN);
      await page.click('#token-form button');
      for (let round = 0; round < 6; round++) await clickAndWait(page, '#sim-step'); // to 120 s: booted, services started
      await page.waitForFunction(() => document.querySelector('#nodes article[data-node="node2"] .chip[data-sid="vm:102"] .label')?.textContent === 'started', undefined, { timeout: SHOWN_MS_MAX });

      assert.match(await clickAndWait(page, '#sim-switches .sim-node[data-node="node2"] button[data-verb="power"]'), /recorded: power node2 off/);
      await page.waitForFunction(() => document.querySelector('#sim-switches .sim-node[data-node="node2"] button[data-verb="power"]')?.textContent === 'power: off');
      await page.selectOption('#sim-speed', '500');
      await clickAndWait(page, '#sim-run');
      await shownEvent(page, 'fence', /service 'vm:102': state changed from 'started' to 'fence'/);
      await shownEvent(page, 'recovery', /vm:102/);
      await page.waitForFunction(
        () => [...document.querySelectorAll('#nodes .chip[data-sid="vm:102"]')].some((chip) => chip.closest('article')?.getAttribute('data-node') !== 'node2' && chip.querySelector('.label')?.textContent === 'started'),
        undefined,
        { timeout: SHOWN_MS_MAX },
      );
      await clickAndWait(page, '#sim-pause');
      const kinds = new Set((await timeline(page)).map((event) => event.kind));
      for (const kind of ['action', 'fence', 'recovery']) assert.ok(kinds.has(kind), `the timeline shows ${kind}`);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'simulator.png'), fullPage: true });

      await page.fill('#sim-save-name', 'power-off-node2');
      assert.match(await clickAndWait(page, '#sim-save'), /Saved to .*power-off-node2; replay: ha-manager simulate /);
      const dir = join(saveRoot, 'power-off-node2');
      const replayFile = join(saveRoot, 'replay.jsonl');
      execFileSync(BIN, ['simulate', dir, '--trace', replayFile, '--quiet']);
      const replay = readFileSync(replayFile, 'utf8');
      const sessionSoFar = await traceOf(server);
      assert.ok(sessionSoFar.length > 0 && replay.startsWith(sessionSoFar), 'the session so far is the start of its replay');
      await clickAndWait(page, '#sim-finish');
      assert.equal(await traceOf(server), replay, 'run to its end, the session wrote the replay, byte for byte');
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'cmdlist'), 'utf8')).slice(0, 2), [['power node1 on', 'power node2 on', 'power node3 on'], ['power node2 off']]);
    } finally {
      await page.close();
      await server.close();
      await source.close();
    }
  });
});

/** A switch without the token is refused and records nothing. */
async function refusedWithoutToken(server: ConsoleServer, source: SimSource): Promise<void> {
  const before = JSON.stringify(source.session.cmdlist());
  const response = await fetch(`${server.url}api/sim/power`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ node: 'node1', on: false }) });
  assert.equal(response.status, 403);
  const crossSite = await fetch(`${server.url}api/sim/power`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-ha-manager-token': TOKEN, origin: 'http://evil.example' },
    body: JSON.stringify({ node: 'node1', on: false }),
  });
  assert.equal(crossSite.status, 403);
  assert.equal(JSON.stringify(source.session.cmdlist()), before);
}
