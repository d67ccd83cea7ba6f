import { strict as assert } from 'node:assert';
import type { ServiceReport } from '../../src/cli/status-report.ts';
import { startConsoleServer, type ConsoleServer } from '../../src/web/server.ts';
import { DESKTOP_VIEWPORT, sharedBrowser } from './browser.ts';
import { FakeSource, sampleReport } from './fake-source.ts';

const TOKEN = 'page-test-token-0123456789abcdef';
const NODES = 100;
const SERVICES = 10_000;

function bigServices(): ServiceReport[] {
  return Array.from({ length: SERVICES }, (_, index) => ({
    sid: `vm:${10_000 + index}`,
    state: index === 7 ? 'error' : 'started',
    node: `node${(index % NODES) + 1}`,
    target: null,
    requestedState: 'started',
    error: index === 7 ? { reason: 'start failed on node8', howToLeave: "fix the cause, then 'ha-manager set vm:10007 --state disabled'" } : null,
    lastFailure: null,
    waitsFor: null,
    comment: null,
  }));
}

describe('web: the page with a fake source of 100 nodes × 10,000 services (chromium)', function () {
  this.timeout(120_000);
  const browser = sharedBrowser();
  let source: FakeSource;
  let server: ConsoleServer;
  before(async () => {
    const base = sampleReport();
    const nodes = Array.from({ length: NODES }, (_, index) => ({ ...base.nodes[0]!, node: `node${index + 1}` }));
    source = new FakeSource(sampleReport({ nodes, services: bigServices() }));
    server = await startConsoleServer({ source, listen: { host: '127.0.0.1', port: 0 }, token: TOKEN, debounceMs: 0 });
  });
  after(() => server.close());

  it('draws only the rows in view, and the rows further down when scrolled there', async () => {
    const page = await browser.get().newPage({ viewport: DESKTOP_VIEWPORT });
    try {
      await page.goto(server.url);
      await page.waitForFunction((count) => document.getElementById('service-count')?.textContent === `${count} of ${count}`, SERVICES);
      await page.waitForSelector('#services .services-row');
      const drawn = await page.$$eval('#services .services-row', (rows) => rows.length);
      assert.ok(drawn > 0 && drawn <= 40, `${drawn} rows in the DOM for ${SERVICES} services`);
      assert.ok((await page.$$eval('#nodes .chip', (chips) => chips.length)) <= NODES * 40, 'at most 40 chips per node');
      await page.$eval('#services', (table) => (table.scrollTop = 9_990 * 30));
      await page.waitForSelector('#services .services-row[data-sid="vm:19995"]');
      assert.ok((await page.$$eval('#services .services-row', (rows) => rows.length)) <= 40);
    } finally {
      await page.close();
    }
  });

  it("shows an error's reason and the way out; a filter finds one service among 10,000", async () => {
    const page = await browser.get().newPage({ viewport: DESKTOP_VIEWPORT });
    try {
      await page.goto(server.url);
      await page.fill('#service-filter', 'error');
      await page.waitForFunction(() => document.getElementById('service-count')?.textContent === '1 of 10000');
      const note = await page.textContent('#services .services-row[data-sid="vm:10007"] .note');
      assert.equal(note, "start failed on node8 — fix the cause, then 'ha-manager set vm:10007 --state disabled'");
    } finally {
      await page.close();
    }
  });

  it('a journal line holding markup is shown as text, pushed into the open page', async () => {
    const page = await browser.get().newPage({ viewport: DESKTOP_VIEWPORT });
    try {
      await page.goto(server.url);
      await page.waitForSelector('#nodes article');
      const text = 'node1/crm: <img src=x onerror="window.__xss = 3"><b>bold</b>';
      source.change({ event: { wallMs: Date.now(), node: 'node1', sid: null, kind: 'error', text } });
      await page.waitForFunction((wanted) => document.querySelector('#timeline .event .text')?.textContent === wanted, text);
      assert.equal(await page.$$eval('#timeline img, #timeline b', (found) => found.length), 0);
      assert.equal(await page.evaluate(() => (window as { __xss?: number }).__xss), undefined);
    } finally {
      await page.close();
    }
  });

  it('the token is entered once and kept for the tab (sessionStorage), sent in a header', async () => {
    const page = await browser.get().newPage({ viewport: DESKTOP_VIEWPORT });
    try {
      await page.goto(server.url);
      await page.fill('#token', TOKEN);
      await page.click('#token-form button');
      await page.reload();
      await page.click('#nodes article[data-node="node3"] h3 .name');
      assert.equal(await page.inputValue('#action-node'), 'node3', "a node's name puts it into the form");
      await page.selectOption('#action-kind', 'arm');
      await page.click('#action-submit');
      await page.waitForFunction(() => /refused: /.test(document.getElementById('action-result')?.textContent ?? ''));
      assert.deepEqual(source.acted.at(-1)?.action, { kind: 'arm' }, 'the action reached the source: the token was sent');
      assert.equal(await page.evaluate(() => document.cookie), '', 'no cookie');
    } finally {
      await page.close();
    }
  });
});
