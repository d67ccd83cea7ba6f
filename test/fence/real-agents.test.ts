import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatedBmc } from '../../src/cluster/emulated-bmc.ts';
import { callAgent } from '../../src/fence/agent-call.ts';
import type { FenceLevel } from '../../src/fence/fence-config.ts';
import { FenceRunner } from '../../src/fence/fence-runner.ts';
import { freeUdpPort } from '../e2e/fence-e2e.ts';

/** A UDP port free on 127.0.0.1 a moment ago. */

/** Sends fence_kdump's message (magic 0x1B302A40, version 1, little-endian) from `fromAddress`. */
async function sendKdumpMessage(fromAddress: string, port: number): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, fromAddress, resolve));
  const message = Buffer.alloc(8);
  message.writeUInt32LE(0x1b302a40, 0);
  message.writeUInt32LE(1, 4);
  await new Promise<void>((resolve, reject) => socket.send(message, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  await new Promise<void>((resolve) => socket.close(resolve));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('real fence agents: fence_ipmilan against an emulated BMC (ipmi_sim)', function () {
  this.timeout(120_000);
  let dir: string;
  let bmc: EmulatedBmc | undefined;
  /** The emulated node: one process the BMC's power switch kills and starts. */
  let node: ChildProcess | undefined;
  const powerLog: string[] = [];

  const startNode = () => {
    node = spawn('sleep', ['1000'], { stdio: 'ignore' });
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ha-bmc-'));
    powerLog.length = 0;
    startNode();
  });
  afterEach(async () => {
    await bmc?.stop();
    bmc = undefined;
    node?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function startBmc(): Promise<EmulatedBmc> {
    bmc = await EmulatedBmc.start({
      node: 'node2',
      dir: join(dir, 'bmc-node2'),
      port: await freeUdpPort(),
      username: 'admin',
      password: 'ipmi-Secret-9',
      onPower: async (state) => {
        powerLog.push(state);
        if (state === 'off') {
          const exited = new Promise((resolve) => node!.once('exit', resolve));
          node!.kill('SIGKILL');
          await exited;
        } else startNode();
      },
    });
    return bmc;
  }

  function ipmiLevel(options: Record<string, string>): FenceLevel {
    return { name: 'ipmi', steps: [{ deviceId: 'ipmi', agent: 'fence_ipmilan', options, timeoutS: 40 }], isKdump: false };
  }

  it('powers the node off (status then reads off, the node process is gone), then on again', async () => {
    const started = await startBmc();
    const runner = new FenceRunner();
    const level = ipmiLevel(started.fenceOptions());
    assert.deepEqual((await runner.testDevices([level])).map((test) => test.power), ['on']);
    const off = await runner.runLevel(level, 'off');
    assert.equal(off.ok, true, off.reason);
    assert.deepEqual(off.calls.map((call) => `${call.action} ${call.exit}`), ['off 0', 'status 2']);
    assert.ok(node!.exitCode !== null || node!.signalCode !== null, 'the node process was killed before the BMC said off');
    assert.equal(started.power, 'off');
    const offCall = off.calls[0]!;
    assert.ok(offCall.durationMs < 20_000, `fence_ipmilan off took ${offCall.durationMs} ms`);
    assert.equal(JSON.stringify(off).includes('ipmi-Secret-9'), false);
    const on = await runner.runLevel(level, 'on');
    assert.equal(on.ok, true, on.reason);
    assert.equal(started.power, 'on');
    assert.deepEqual(powerLog, ['off', 'on']);
    assert.equal(node!.exitCode, null, 'a new node process runs');
  });

  it('fails with a wrong password, and the reason does not carry it', async () => {
    const started = await startBmc();
    const result = await callAgent({ agent: 'fence_ipmilan', action: 'status', options: { ...started.fenceOptions(), password: 'wrong-Pass-1' }, timeoutMs: 40_000 });
    assert.equal(result.exit, 1);
    assert.equal(result.reason.includes('wrong-Pass-1'), false, result.reason);
    assert.match(result.reason, /^fence_ipmilan status: exit 1: /);
    assert.deepEqual(powerLog, []);
  });

  it('fails on a BMC that does not answer', async () => {
    const port = await freeUdpPort();
    // power_timeout bounds fence_ipmilan's wait for an answer: 20 s by default, 3 s here.
    const options = { ip: '127.0.0.1', ipport: String(port), username: 'admin', password: 'x-pass', lanplus: '', cipher: '3', power_timeout: '3' };
    const result = await callAgent({ agent: 'fence_ipmilan', action: 'off', options, timeoutMs: 40_000 });
    assert.deepEqual([result.exec, result.exit], ['done', 1]);
    assert.match(result.reason, /^fence_ipmilan off: exit 1: .*(ERROR|Failed)/);
  });
});

describe('real fence agents: fence_kdump', function () {
  this.timeout(60_000);

  it("succeeds when the crashed node's 8-byte message comes from its address (127.0.0.2); no status check", async () => {
    const port = await freeUdpPort();
    const level: FenceLevel = { name: 'kdump', steps: [{ deviceId: 'kdump', agent: 'fence_kdump', options: { nodename: '127.0.0.2', ipport: String(port) }, timeoutS: 30 }], isKdump: true };
    const running = new FenceRunner().runLevel(level, 'off');
    // fence_kdump listens once it has read its options (Python-free: a C program, milliseconds); send a few times to be sure one arrives.
    for (let attempt = 0; attempt < 20; attempt++) {
      await sleep(250);
      await sendKdumpMessage('127.0.0.2', port);
      if (await Promise.race([running.then(() => true), sleep(0).then(() => false)])) break;
    }
    const outcome = await running;
    assert.equal(outcome.ok, true, outcome.reason);
    assert.deepEqual(outcome.calls.map((call) => `${call.action} ${call.exit}`), ['off 0']);
  });

  it('fails when the message comes from another address, at its own timeout (our option timeout= is not passed: fence_kdump default)', async () => {
    const port = await freeUdpPort();
    const level: FenceLevel = { name: 'kdump', steps: [{ deviceId: 'kdump', agent: 'fence_kdump', options: { nodename: '127.0.0.2', ipport: String(port) }, timeoutS: 3 }], isKdump: true };
    const running = new FenceRunner().runLevel(level, 'off');
    await sleep(500);
    await sendKdumpMessage('127.0.0.3', port);
    const outcome = await running;
    assert.equal(outcome.ok, false);
    assert.match(outcome.reason ?? '', /^device 'kdump': fence_kdump off: timed out after 3 s/);
  });
});
