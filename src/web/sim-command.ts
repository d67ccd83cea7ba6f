import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../cli/exit-codes.ts';
import { ScenarioError } from '../sim/scenario.ts';
import { defaultScenario, readScenarioDir } from '../sim/session-files.ts';
import { readOrCreateToken, TokenFileError } from './console-token.ts';
import { isLoopbackHost } from './request-guard.ts';
import { startConsoleServer, type ConsoleServer } from './server.ts';
import { simRoutes } from './sim-routes.ts';
import { SimSource } from './sim-source.ts';
import { parseListen } from './web-command.ts';

export interface SimConsoleOptions {
  /** A scenario directory; undefined: the default three-node cluster. */
  readonly dir: string | undefined;
  /** `HOST:PORT`. */
  readonly listen: string;
  readonly seed: number;
  /** Where saved sessions go, one directory each. */
  readonly saveRoot: string;
  readonly tokenFile: string | undefined;
  /** Start with the clock running (default) or paused. */
  readonly isPaused?: boolean;
}

/** The simulator's token: not a cluster's, so it lives in the user's home, not a node's state directory. */
export const SIM_TOKEN_FILE = join(homedir(), '.ha-manager', 'sim-web.token');

/** Starts the simulator behind the console; the caller closes it. */
export async function startSimConsole(options: SimConsoleOptions, log: (line: string) => void): Promise<{ server: ConsoleServer; source: SimSource }> {
  const listen = parseListen(options.listen);
  const { scenario, files } = loadOrDefault(options.dir);
  const tokenFile = options.tokenFile ?? SIM_TOKEN_FILE;
  let token: string;
  try {
    token = readOrCreateToken(tokenFile).token;
  } catch (error) {
    if (error instanceof TokenFileError) throw new UsageError(error.message);
    throw error;
  }
  const source = new SimSource({ scenario, files, seed: options.seed });
  const saveRoot = resolve(options.saveRoot);
  const server = await startConsoleServer({ source, routes: simRoutes(source, { saveRoot }), listen, token }).catch(async (error: unknown) => {
    await source.close();
    throw new UsageError(`--listen ${options.listen}: cannot serve there: ${(error as Error).message}`);
  });
  if (options.isPaused !== true) source.run();
  const reads = isLoopbackHost(listen.host) ? 'reading needs no token on loopback' : 'every request needs the token (non-loopback address)';
  log(`ha-manager: simulator of ${options.dir ?? 'the default 3-node cluster'} (seed ${options.seed}) at ${server.url}`);
  log(`ha-manager: actions need the token in ${tokenFile}: 'cat ${tokenFile}'; ${reads}; saved sessions go to ${saveRoot}`);
  return { server, source };
}

/** `ha-manager simulate --web`: serves until SIGINT or SIGTERM. */
export async function runSimConsole(options: SimConsoleOptions): Promise<void> {
  const { server, source } = await startSimConsole(options, (line) => process.stderr.write(`${line}\n`));
  await new Promise<void>((resolveSignal) => {
    process.once('SIGINT', resolveSignal);
    process.once('SIGTERM', resolveSignal);
  });
  await server.close();
  await source.close();
}

function loadOrDefault(dir: string | undefined) {
  try {
    return dir === undefined ? defaultScenario() : readScenarioDir(dir);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}
