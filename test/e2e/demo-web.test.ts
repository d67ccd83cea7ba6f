import { strict as assert } from 'node:assert';
import type { StatusReport } from '../../src/cli/status-report.ts';
import { runDemo } from '../../src/cluster/demo-run.ts';
import { LOCAL_STORE_KINDS } from '../../src/cluster/local-store.ts';
import { demoConsole } from '../../src/web/demo-console.ts';
import { skipWithoutEtcd } from '../contract/etcd-harness.ts';

/** How often the test reads the console's status while the demo runs. */
const POLL_MS = 300;

for (const store of LOCAL_STORE_KINDS) {
  describe(`e2e: ha-manager demo --web --store ${store} shows the demo cluster in the console (real processes, fast timing)`, function () {
    this.timeout(240_000);

    it('serves the cluster live through its failover, stays up after the story until released, then stops everything', async function () {
      if (store === 'etcd') skipWithoutEtcd(this, 'demo --web --store etcd');
      const logged: string[] = [];
      const states = new Map<string, Set<string>>();
      let url: string | undefined;
      let polling = true;
      /** Reads that failed (a loaded machine may time one out): reported if the states were not seen. */
      const failedReads: string[] = [];
      const poll = (async () => {
        while (polling) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          if (url === undefined) continue;
          const report = await readStatus(url).catch((error: unknown) => void failedReads.push((error as Error).message));
          for (const node of report?.nodes ?? []) {
            if (!states.has(node.node)) states.set(node.node, new Set());
            states.get(node.node)!.add(String(node.state));
          }
        }
      })();
      let afterStory: StatusReport | undefined;
      const watch = {
        start: demoConsole({ listen: '127.0.0.1:0' }, (line) => {
          logged.push(line);
          url ??= /at (http:\/\/\S+\/) /.exec(line)?.[1];
        }),
        held: async () => {
          polling = false;
          await poll; // no read after the console closes
          afterStory = await readStatus(url!);
        },
      };
      const lines: string[] = [];
      let summary;
      try {
        summary = await runDemo((text) => lines.push(text), { profile: 'fast', watch, store });
      } finally {
        polling = false;
        await poll;
      }
      assert.equal(summary.ok, true, `demo failed: ${summary.error ?? ''}\n${lines.join('\n')}`);
      assert.match(logged.join('\n'), /Web console of the demo cluster at http:\/\/127\.0\.0\.1:\d+\/ \(actions need the token in .*web\.token/);
      const cut = states.get(summary.cutNode);
      const seen = `${[...(cut ?? [])].join(', ')}; failed reads: ${failedReads.join('; ') || 'none'}`;
      assert.ok(cut?.has('online') && (cut.has('unknown') || cut.has('fence')), `the console showed ${summary.cutNode} lost: ${seen}`);
      assert.ok(afterStory !== undefined, 'the console answered after the story');
      assert.ok(afterStory.services.every((service) => service.state === 'started'), JSON.stringify(afterStory.services));
      await assert.rejects(fetch(`${url}api/status`), 'the console is closed with the demo');
    });
  });
}

async function readStatus(url: string): Promise<StatusReport> {
  const response = await fetch(`${url}api/status`);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET /api/status: ${response.status} ${text.trim()}`);
  return JSON.parse(text) as StatusReport;
}
