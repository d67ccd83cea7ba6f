import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentEnv, agentInput, agentLine, callAgent, maskText } from '../../src/fence/agent-call.ts';
import { processStartTime } from '../../src/resources/process-identity.ts';
import { fakeAgent } from './fake-agent.ts';

/** Live and not a zombie: a killed child waits for init to reap it. */
function isAlive(pid: number): boolean {
  return processStartTime(pid) !== undefined;
}

describe('fence agent call', () => {
  let fake: ReturnType<typeof fakeAgent>;
  beforeEach(() => {
    fake = fakeAgent();
  });
  afterEach(() => fake.remove());

  it('passes the options on stdin, never in argv: the password is not in the command line', async () => {
    const options = { ip: '10.0.0.9', username: 'admin', password: 'S3cr3t-pw', lanplus: '', plug: '3' };
    const result = await callAgent({ agent: 'fence_fake', action: 'off', options, timeoutMs: 10_000, env: fake.env });
    assert.deepEqual([result.exec, result.exit], ['done', 0]);
    assert.deepEqual(fake.argcs(), [0]);
    assert.equal(fake.cmdlines().includes('S3cr3t-pw'), false, fake.cmdlines());
    assert.equal(fake.stdins()[0], 'ip=10.0.0.9\nusername=admin\npassword=S3cr3t-pw\nlanplus=1\nplug=3\naction=off');
  });

  it('keeps our own options (timeout, password_file) from the agent and reads password_file into password', async () => {
    const file = join(fake.dir, 'bmc.pw');
    writeFileSync(file, 'from-the-file\n', { mode: 0o600 });
    const options = { ip: 'bmc1', timeout: '30', password_file: file };
    const result = await callAgent({ agent: 'fence_fake', action: 'status', options, timeoutMs: 10_000, env: fake.env });
    assert.equal(result.exit, 0);
    assert.equal(fake.stdins()[0], 'ip=bmc1\npassword=from-the-file\naction=status');
  });

  it('fails without calling the agent when password_file cannot be read, or is set beside password', async () => {
    const missing = await callAgent({ agent: 'fence_fake', action: 'off', options: { password_file: join(fake.dir, 'nope') }, timeoutMs: 10_000, env: fake.env });
    assert.equal(missing.exec, 'error');
    assert.match(missing.reason, /Cannot read password_file .*nope: ENOENT/);
    const both = await callAgent({ agent: 'fence_fake', action: 'off', options: { password: 'pass-word-1', password_file: '/etc/hostname' }, timeoutMs: 10_000, env: fake.env });
    assert.match(both.reason, /'password' and 'password_file' both set/);
    const old = await callAgent({ agent: 'fence_fake', action: 'off', options: { passwd: 'pass-word-2', password_file: '/etc/hostname' }, timeoutMs: 10_000, env: fake.env });
    assert.match(old.reason, /'passwd' and 'password_file' both set/);
    assert.deepEqual(fake.stdins(), []);
  });

  it('refuses a value with a line break (it would smuggle in another option) and an agent given as a path', async () => {
    const injected = await callAgent({ agent: 'fence_fake', action: 'status', options: { plug: '1\naction=off' }, timeoutMs: 10_000, env: fake.env });
    assert.match(injected.reason, /'plug' holds a line break/);
    const path = await callAgent({ agent: '/bin/sh', action: 'status', options: {}, timeoutMs: 10_000, env: fake.env });
    assert.match(path.reason, /Bad fence agent name '\/bin\/sh'/);
    assert.deepEqual(fake.stdins(), []);
  });

  it('keeps the exit codes apart: 0 success, 2 status off, 1 failure', async () => {
    const exits = [];
    for (const mode of ['exit0', 'exit2', 'exit1']) exits.push((await callAgent({ agent: 'fence_fake', action: 'status', options: { mode }, timeoutMs: 10_000, env: fake.env })).exit);
    assert.deepEqual(exits, [0, 2, 1]);
  });

  it('masks a password the agent echoes on stderr, in the reason and in stdout', async () => {
    const result = await callAgent({ agent: 'fence_fake', action: 'off', options: { mode: 'echo-password', password: 'hunter2' }, timeoutMs: 10_000, env: fake.env });
    assert.equal(result.exit, 1);
    assert.equal(result.reason, 'fence_fake off: exit 1: ERROR: Login refused with password ***');
    const fromFile = join(fake.dir, 'pw');
    writeFileSync(fromFile, 'filed-secret');
    const filed = await callAgent({ agent: 'fence_fake', action: 'off', options: { mode: 'echo-password', password_file: fromFile }, timeoutMs: 10_000, env: fake.env });
    assert.equal(filed.reason.includes('filed-secret'), false, filed.reason);
    assert.match(filed.reason, /password \*\*\*$/);
  });

  it('kills the whole process group at the time-out, a child that ignores SIGTERM too', async function () {
    this.timeout(30_000);
    const result = await callAgent({ agent: 'fence_fake', action: 'off', options: { mode: 'hang', password: 'pw-in-hang' }, timeoutMs: 2_000, env: fake.env });
    assert.equal(result.exec, 'timeout');
    assert.equal(result.exit, -1);
    assert.match(result.reason, /^fence_fake off: timed out after 2 s \(process group killed\)/);
    assert.ok(result.durationMs >= 1_900 && result.durationMs < 6_000, `took ${result.durationMs} ms`);
    const child = Number(fake.read('child'));
    assert.ok(child > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(isAlive(child), false, `the agent's child ${child} outlived the time-out`);
  });

  it('says an agent is not installed', async () => {
    const result = await callAgent({ agent: 'fence_not_there', action: 'status', options: {}, timeoutMs: 5_000, env: { PATH: fake.dir } });
    assert.equal(result.exec, 'not-installed');
    assert.match(result.reason, /fence_not_there not found on PATH/);
  });
});

describe('fence agent call, pure parts', () => {
  it('builds the input with the action last and collects every secret value', () => {
    const input = agentInput({ login: 'root', passwd: 'a', snmp_community: 'public', action: 'reboot' }, 'status', () => 'x');
    assert.equal(input.kind, 'ok');
    assert.equal(input.kind === 'ok' && input.text, 'login=root\npasswd=a\nsnmp_community=public\naction=status\n');
    assert.deepEqual([...input.secrets].sort(), ['a', 'public']);
  });

  it('masks the longest secret first and every occurrence', () => {
    assert.equal(maskText('pw=abc abcdef abc', ['abc', 'abcdef']), 'pw=*** *** ***');
  });

  it("takes the agent's error line, without Python's warnings or the time stamp", () => {
    const stderr = "/usr/sbin/fence_ipmilan:5: DeprecationWarning: 'pipes' is deprecated\n  from pipes import quote\n2026-12-07 06:43:46,745 ERROR: Connection timed out\n\n\n";
    assert.equal(agentLine('', stderr), 'ERROR: Connection timed out');
    assert.equal(agentLine('Status: ON\n', "/usr/sbin/fence_ipmilan:5: DeprecationWarning: x\n  from pipes import quote\n"), 'Status: ON');
  });

  it('adds the fence agents\' directories to PATH once', () => {
    assert.equal(agentEnv({ PATH: '/usr/bin:/usr/sbin' })['PATH'], '/usr/bin:/usr/sbin:/sbin');
  });
});
