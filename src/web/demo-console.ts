import { join } from 'node:path';
import type { LocalCluster } from '../cluster/local-cluster.ts';
import { UsageError } from '../cli/exit-codes.ts';
import { ClusterSource } from './cluster-source.ts';
import { readOrCreateToken, TOKEN_FILE_NAME } from './console-token.ts';
import { startConsoleServer } from './server.ts';
import { parseListen } from './web-command.ts';

/**
 * `ha-manager demo --web`: the live console (the cluster source over the demo's store, its
 * nodes' journals) while the demo runs. The console sits on the first node; in a local cluster it
 * reads its siblings' journals too. The token file is the first node's, removed with the demo.
 */
export function demoConsole(options: { listen: string }, log: (line: string) => void): (cluster: LocalCluster) => Promise<() => Promise<void>> {
  const listen = parseListen(options.listen);
  return async (cluster: LocalCluster) => {
    const node = cluster.spec.nodes[0]!;
    const stateDir = join(cluster.localDir(node), 'state');
    const tokenFile = join(stateDir, TOKEN_FILE_NAME);
    const { token } = readOrCreateToken(tokenFile);
    const source = new ClusterSource({ store: cluster.local.openView(), stateDir, node });
    const server = await startConsoleServer({ source, listen, token }).catch(async (error: unknown) => {
      await source.close();
      throw new UsageError(`--listen ${options.listen}: cannot serve there: ${(error as Error).message}`);
    });
    log(`Web console of the demo cluster at ${server.url} (actions need the token in ${tokenFile}: 'cat ${tokenFile}')`);
    return async () => {
      await server.close();
      await source.close();
    };
  };
}

/** `demo --web` after the story: the cluster stays up for the page until Ctrl-C (or SIGTERM). */
export function untilInterrupted(log: (line: string) => void): Promise<void> {
  log('The demo cluster keeps running for the web console: Ctrl-C stops it and ends the demo');
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
