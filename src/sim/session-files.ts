import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, scenarioInputFiles, type Scenario } from './scenario.ts';

/**
 * The files a session starts from and saves: a scenario directory's inputs (all but `cmdlist`), read
 * once when the session starts, so a save writes what the session ran even if the directory changed.
 */
export type ScenarioFiles = ReadonlyMap<string, string>;

/** A scenario directory's input files and the scenario they make. */
export function readScenarioDir(dir: string): { scenario: Scenario; files: ScenarioFiles } {
  const scenario = loadScenario(dir);
  const files = new Map(scenarioInputFiles(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  return { scenario, files: withCmdlist(files, JSON.parse(readFileSync(join(dir, 'cmdlist'), 'utf8')) as unknown) };
}

/**
 * `ha-manager simulate --web` without a directory: three nodes that boot in the first batch, four
 * services that start on them, no faults. Loaded through a scenario directory like any other, so it
 * saves and replays the same way.
 */
export function defaultScenario(): { scenario: Scenario; files: ScenarioFiles } {
  const off = { power: 'off', network: 'off' };
  const files = new Map<string, string>([
    ['README', 'A small cluster for the simulator in the browser: three nodes, four services, no faults.\n'],
    ['hardware_status', json({ node1: off, node2: off, node3: off })],
    ['manager_status', json({})],
    [
      'service_config',
      json({
        'ct:103': { node: 'node3', state: 'started' },
        'vm:101': { node: 'node1', state: 'started' },
        'vm:102': { node: 'node2', state: 'started' },
        'vm:104': { node: 'node1', state: 'started' },
      }),
    ],
  ]);
  const withBoot = withCmdlist(files, [['power node1 on', 'power node2 on', 'power node3 on']]);
  const dir = mkdtempSync(join(tmpdir(), 'ha-sim-default-'));
  try {
    const scenarioDir = join(dir, 'default-cluster');
    writeScenarioDir(scenarioDir, withBoot);
    return { scenario: loadScenario(scenarioDir), files: withBoot };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files with another `cmdlist`, written one batch per line as the fixtures are. */
export function withCmdlist(files: ScenarioFiles, cmdlist: unknown): ScenarioFiles {
  const batches = Array.isArray(cmdlist) ? cmdlist : [];
  const text = batches.length === 0 ? '[]\n' : `[\n${batches.map((batch) => `  ${JSON.stringify(batch)}`).join(',\n')}\n]\n`;
  return new Map([...files, ['cmdlist', text]]);
}

/** Writes a scenario directory; refuses one that exists and is not empty, so nothing is overwritten. */
export function writeScenarioDir(dir: string, files: ScenarioFiles): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir}: Exists and is not empty; save under a new name`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Saves a session as a scenario directory: the files it started from, its `cmdlist` (sim-session.ts),
 * and a README line on how it was made and how to replay it.
 */
export function saveSessionDir(dir: string, session: { files: ScenarioFiles; cmdlist: string[][]; seed: number; timeMs: number }): string {
  const seedOption = session.seed === 1 ? '' : ` --seed ${session.seed}`;
  const replay = `ha-manager simulate ${dir}${seedOption}`;
  const note = `Saved from a simulator session at t=${Math.floor(session.timeMs / 1000)} s. Replay: ${replay}\n`;
  const readme = session.files.get('README');
  const files = new Map([...session.files, ['README', readme === undefined ? note : `${readme.trimEnd()}\n\n${note}`]]);
  writeScenarioDir(dir, withCmdlist(files, session.cmdlist));
  return replay;
}
