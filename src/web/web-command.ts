import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../cli/exit-codes.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { ClusterSource } from './cluster-source.ts';
import { readOrCreateToken, TOKEN_FILE_NAME } from './console-token.ts';
import { isLoopbackHost } from './request-guard.ts';
import { startConsoleServer } from './server.ts';

export interface WebConsoleOptions {
  /** The cluster's store (the console closes it when it stops). */
  readonly store: ClusterStore;
  /** `HOST:PORT`, `[IPv6]:PORT`. */
  readonly listen: string;
  readonly stateDir: string;
  readonly tokenFile?: string;
  readonly node?: string;
}

/** Serves the console until SIGINT or SIGTERM; says where it is and where the token is, never the token. */
export async function runWebConsole(options: WebConsoleOptions): Promise<void> {
  const listen = parseListen(options.listen);
  const tokenFile = options.tokenFile ?? join(options.stateDir, TOKEN_FILE_NAME);
  const { token, isCreated } = readOrCreateToken(tokenFile);
  const source = new ClusterSource({ store: options.store, stateDir: options.stateDir, node: options.node ?? hostname().split('.')[0]! });
  const server = await startConsoleServer({ source, listen, token }).catch(async (error: unknown) => {
    await source.close();
    throw new UsageError(`--listen ${options.listen}: cannot serve there: ${(error as Error).message}`);
  });
  const reads = isLoopbackHost(listen.host) ? 'reading needs no token on loopback' : 'every request needs the token (non-loopback address)';
  process.stderr.write(
    `ha-manager: web console of ${options.store.where} at ${server.url}\n` +
      `ha-manager: actions need the token in ${tokenFile}${isCreated ? ' (created now)' : ''}, readable by root only: 'sudo cat ${tokenFile}'; ${reads}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await source.close();
}

export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !(port >= 0 && port <= 65535)) throw new UsageError(`--listen: expected HOST:PORT (e.g. 127.0.0.1:8006, [::1]:8006), got ${JSON.stringify(text)}`);
  return { host: match[1] ?? match[2]!, port };
}
