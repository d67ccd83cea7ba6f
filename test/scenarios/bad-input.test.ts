import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Bad scenario input is the caller's fault: one line on stderr naming the file and the problem,
// exit status 2, no stack trace, nothing simulated. Runs the real ./bin/ha-manager on scenario
// directories made here in a temp dir.
const BIN = resolve('bin/ha-manager');
const EXIT_BAD_INPUT = 2;

const VALID: Record<string, string> = {
  README: 'A small valid scenario that the cases below break one file at a time.\n',
  cmdlist: JSON.stringify([['power node1 on', 'power node2 on', 'power node3 on'], ['service vm:101 migrate node2']]),
  hardware_status: JSON.stringify({
    node1: { power: 'off', network: 'off' },
    node2: { power: 'off', network: 'off' },
    node3: { power: 'off', network: 'off' },
  }),
  manager_status: '{}',
  service_config: JSON.stringify({ 'vm:101': { node: 'node1', state: 'started' } }),
};

interface BadCase {
  readonly name: string;
  /** Breaks the valid scenario in `dir`. */
  readonly breakIt: (dir: string) => void;
  /** The file the message must name, relative to the scenario directory ('' = the directory). */
  readonly file: string;
  /** The problem the message must state. */
  readonly problem: RegExp;
}

const CASES: BadCase[] = [
  { name: 'a missing scenario directory', breakIt: (dir) => rmSync(dir, { recursive: true }), file: '', problem: /not a scenario directory/i },
  { name: 'a missing cmdlist', breakIt: (dir) => rmSync(join(dir, 'cmdlist')), file: 'cmdlist', problem: /missing/i },
  { name: 'a missing hardware_status', breakIt: (dir) => rmSync(join(dir, 'hardware_status')), file: 'hardware_status', problem: /missing/i },
  { name: 'a missing manager_status', breakIt: (dir) => rmSync(join(dir, 'manager_status')), file: 'manager_status', problem: /missing/i },
  {
    name: 'an unreadable service_config (a directory in its place)',
    breakIt: (dir) => {
      rmSync(join(dir, 'service_config'));
      mkdirSync(join(dir, 'service_config'));
    },
    file: 'service_config',
    problem: /cannot read/i,
  },
  { name: 'bad JSON in cmdlist', breakIt: (dir) => writeFileSync(join(dir, 'cmdlist'), '[["power node1 on"'), file: 'cmdlist', problem: /bad json/i },
  { name: 'bad JSON in service_config', breakIt: (dir) => writeFileSync(join(dir, 'service_config'), '{vm:101}'), file: 'service_config', problem: /bad json/i },
  { name: 'bad JSON in manager_status', breakIt: (dir) => writeFileSync(join(dir, 'manager_status'), ''), file: 'manager_status', problem: /bad json/i },
  { name: 'a cmdlist that is not an array of batches', breakIt: (dir) => writeFileSync(join(dir, 'cmdlist'), '{"power": "on"}'), file: 'cmdlist', problem: /array/i },
  {
    name: 'an unknown command in cmdlist',
    breakIt: (dir) => writeFileSync(join(dir, 'cmdlist'), JSON.stringify([['power node1 on'], ['frobnicate node2']])),
    file: 'cmdlist',
    problem: /unknown command.*frobnicate/i,
  },
  {
    name: 'an unknown node in cmdlist',
    breakIt: (dir) => writeFileSync(join(dir, 'cmdlist'), JSON.stringify([['power node1 on', 'network node9 off']])),
    file: 'cmdlist',
    problem: /unknown node 'node9'/i,
  },
  {
    name: 'a bad sid in cmdlist',
    breakIt: (dir) => writeFileSync(join(dir, 'cmdlist'), JSON.stringify([['power node1 on'], ['service vm101 started']])),
    file: 'cmdlist',
    problem: /bad service id 'vm101'/i,
  },
  {
    name: 'a malformed fence-device command in cmdlist',
    breakIt: (dir) => writeFileSync(join(dir, 'cmdlist'), JSON.stringify([['power node1 on'], ['fence-device ipmi broken']])),
    file: 'cmdlist',
    problem: /Batch 2: 'fence-device ipmi broken': expected 'fence-device <id> ok\|fail\|hang'/,
  },
  {
    name: 'a fence-device command naming a device fence.cfg does not have',
    breakIt: (dir) => {
      writeFileSync(join(dir, 'fence.cfg'), 'device ipmi fence_ipmilan ip=10.0.0.1\nconnect ipmi node=node1\n');
      writeFileSync(join(dir, 'cmdlist'), JSON.stringify([['power node1 on'], ['after 5 fence-device ipmi2 hang']]));
    },
    file: 'cmdlist',
    problem: /Batch 2: 'after 5 fence-device ipmi2 hang': unknown fence device 'ipmi2' \(fence\.cfg has ipmi\)/,
  },
  {
    name: 'a fence-device command in a scenario without fence.cfg',
    breakIt: (dir) => writeFileSync(join(dir, 'cmdlist'), JSON.stringify([['fence-device pdu:1 fail']])),
    file: 'cmdlist',
    problem: /unknown fence device 'pdu:1' \(the scenario has no fence\.cfg\)/,
  },
  {
    name: 'a bad sid in service_config',
    breakIt: (dir) => writeFileSync(join(dir, 'service_config'), JSON.stringify({ 'vm-101': { node: 'node1', state: 'started' } })),
    file: 'service_config',
    problem: /bad service id 'vm-101'/i,
  },
  {
    name: 'an unknown requested state in service_config',
    breakIt: (dir) => writeFileSync(join(dir, 'service_config'), JSON.stringify({ 'vm:101': { node: 'node1', state: 'running' } })),
    file: 'service_config',
    problem: /unknown state 'running'/i,
  },
  {
    name: 'a bad groups file',
    breakIt: (dir) => writeFileSync(join(dir, 'groups'), 'group: g\n\tnodes node1\n\tbogus 1\n'),
    file: 'groups',
    problem: /bogus/,
  },
  {
    name: 'an unknown shutdown policy in datacenter.cfg',
    breakIt: (dir) => writeFileSync(join(dir, 'datacenter.cfg'), JSON.stringify({ ha: { shutdown_policy: 'sometimes' } })),
    file: 'datacenter.cfg',
    problem: /shutdown_policy 'sometimes'/,
  },
  {
    name: 'unsafe timings in the scenario ha.cfg',
    breakIt: (dir) => writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tfence_timeout 60\n\twatchdog_client_timeout 55\n'),
    file: 'ha.cfg:3',
    problem: /fence_timeout 60 s must exceed watchdog_client_timeout 55 s/,
  },
  {
    name: 'a cluster setting in the scenario ha.cfg (it belongs in datacenter.cfg)',
    breakIt: (dir) => writeFileSync(join(dir, 'ha.cfg'), 'ha: cluster\n\tfence_timeout 60\n\tshutdown_policy freeze\n'),
    file: 'ha.cfg:3',
    problem: /only timings; 'shutdown_policy' belongs in datacenter\.cfg/,
  },
];

function makeScenario(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(VALID)) writeFileSync(join(dir, file), text);
  return dir;
}

function simulate(dir: string) {
  const run = spawnSync(BIN, ['simulate', dir, '--quiet'], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function assertBadInput(run: ReturnType<typeof simulate>, file: string, problem: RegExp): void {
  const lines = run.stderr.split('\n').filter((line) => line.length > 0);
  assert.equal(run.status, EXIT_BAD_INPUT, `exit status (stderr: ${run.stderr})`);
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${run.stderr}`);
  const line = lines[0]!;
  assert.ok(!/^\s+at /m.test(run.stderr) && !/Error:/.test(line), `a stack trace or error class leaked: ${line}`);
  assert.ok(line.includes(file), `the message does not name ${file}: ${line}`);
  assert.match(line, problem);
  assert.equal(run.stdout, '', 'nothing is simulated');
}

describe('bad scenario input (ha-manager simulate)', function () {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ha-bad-input-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('the valid base scenario runs (exit 0, nothing on stderr)', () => {
    const run = simulate(makeScenario(root, 'valid'));
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
  });

  for (const badCase of CASES) {
    it(`${badCase.name}: one line naming the file, exit 2`, () => {
      const dir = makeScenario(root, 'scenario');
      badCase.breakIt(dir);
      assertBadInput(simulate(dir), badCase.file === '' ? dir : join(dir, badCase.file), badCase.problem);
    });
  }

  it('an unreadable file (mode 000): one line naming the file, exit 2', function () {
    if (process.getuid?.() === 0) this.skip(); // root reads files whatever their mode
    const dir = makeScenario(root, 'scenario');
    chmodSync(join(dir, 'cmdlist'), 0o000);
    assertBadInput(simulate(dir), join(dir, 'cmdlist'), /cannot read/i);
  });

  // Was a bug: the error named 'hardware_status' without the scenario directory.
  it('hardware_status that is not an object names the file with its directory', () => {
    const dir = makeScenario(root, 'scenario');
    writeFileSync(join(dir, 'hardware_status'), '[1, 2]');
    assertBadInput(simulate(dir), join(dir, 'hardware_status'), /object/i);
  });

  // Was accepted silently: the service was fenced at once and recovered from a node that never existed.
  it('a service configured on a node missing from hardware_status', () => {
    const dir = makeScenario(root, 'scenario');
    writeFileSync(join(dir, 'service_config'), JSON.stringify({ 'vm:101': { node: 'node7', state: 'started' } }));
    assertBadInput(simulate(dir), join(dir, 'service_config'), /unknown node 'node7'/);
  });
});
