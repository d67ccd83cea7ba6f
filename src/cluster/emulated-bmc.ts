import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FenceOptions } from '../fence/fence-config.ts';
import { pollUntil } from './cluster-process.ts';

/**
 * An emulated BMC for one emulated node: OpenIPMI's `ipmi_sim` serving IPMI over LAN on 127.0.0.1, so
 * the real `fence_ipmilan` (through the real `ipmitool`) fences the node as it would a server.
 *
 * How a chassis command reaches the cluster: ipmi_sim runs our hook (`chassis_control`) as
 * `HOOK NODE get power` and `HOOK NODE set power 0|1`. The hook is a few lines of sh in the BMC's
 * folder: `get` prints `power:` and the content of the `power` file; `set` only appends `off`/`on` to
 * the `requests` file and returns — ipmi_sim waits for its hook, and a hook that killed processes
 * itself would hold the BMC's only thread, and would have to know the cluster's processes. The
 * supervisor (whoever started the BMC: a test, the demo) polls `requests` and acts in order through
 * `onPower`, which kills or starts the node's processes (and records the reset in the ledger, as
 * killNode does); only when `onPower('off')` has returned — every process of the node gone — does it
 * write `0` to `power`. So `status` reads off only once the node is truly dead, which is what
 * fence_ipmilan waits for before it reports success. `on` writes `1` first: a server's power comes on
 * at once, its operating system boots after.
 *
 * The BMC's folder must not be inside the node's run directory: powering the node off kills every
 * process with an argument there, and a BMC dies with the server it should switch on again only in
 * the cheapest hardware.
 */

/** The supervisor looks at the hook's requests this often: well inside fence_ipmilan's 2 s power wait. */
const REQUEST_POLL_MS = 100;
/** ipmi_sim loads its config and binds its port in milliseconds; a loaded machine, a few seconds. */
const START_TIMEOUT_MS = 15_000;
/** ipmi_sim exits on SIGTERM at once; after this long it gets SIGKILL. */
const STOP_GRACE_MS = 3_000;
/** A BMC gets a handful of power requests in a test or demo; more means a fence loop gone wrong. */
const REQUESTS_MAX = 10_000;

export interface EmulatedBmcSpec {
  readonly node: string;
  /** The BMC's own folder (config, state, hook, power file); never inside the node's run directory. */
  readonly dir: string;
  /** UDP port on 127.0.0.1. */
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** Powers the node off (every process killed, the reset recorded) or on (its daemons started). */
  readonly onPower: (state: 'off' | 'on') => Promise<void>;
  /** Called when onPower throws: the request is dropped and the power file left as it was. */
  readonly onError?: (error: Error) => void;
}

export class EmulatedBmc {
  private requestsDone = 0;
  /** The requests being served: a power-off or boot under way ends before stop() returns. */
  private serving: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly spec: EmulatedBmcSpec,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {
    this.timer = setInterval(() => {
      this.serving ??= this.serveRequests().finally(() => {
        this.serving = undefined;
      });
    }, REQUEST_POLL_MS);
  }

  /** Writes the config and the hook, starts ipmi_sim, and waits until it listens. The node starts powered on. */
  static async start(spec: EmulatedBmcSpec): Promise<EmulatedBmc> {
    mkdirSync(join(spec.dir, 'state'), { recursive: true });
    writeFileSync(join(spec.dir, 'lan.conf'), lanConf(spec));
    writeFileSync(join(spec.dir, 'sim.emu'), SIM_EMU);
    writeFileSync(join(spec.dir, 'chassis-hook'), hookScript(spec.dir), { mode: 0o755 });
    writeFileSync(join(spec.dir, 'power'), '1');
    writeFileSync(join(spec.dir, 'requests'), '');
    const log = openSync(join(spec.dir, 'ipmi_sim.log'), 'a');
    let child: ChildProcess;
    try {
      const args = ['-c', join(spec.dir, 'lan.conf'), '-f', join(spec.dir, 'sim.emu'), '-s', join(spec.dir, 'state'), '-n'];
      child = spawn('ipmi_sim', args, { stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`Cannot start ipmi_sim for ${spec.node} (Debian: apt-get install openipmi): ${error.message}`))));
    const listening = pollUntil(`ipmi_sim of ${spec.node} to listen on 127.0.0.1:${spec.port}`, START_TIMEOUT_MS, () => {
      if (child.exitCode !== null) throw new Error(`ipmi_sim of ${spec.node} exited at start: ${tail(join(spec.dir, 'ipmi_sim.log'))}`);
      return isUdpListening(spec.port);
    });
    try {
      await Promise.race([listening, spawnError]);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return new EmulatedBmc(spec, child, exited);
  }

  /** What fence.cfg gives fence_ipmilan to reach this BMC (`cipher=3` with `lanplus`: see STACK.md). */
  fenceOptions(): FenceOptions {
    return { ip: '127.0.0.1', ipport: String(this.spec.port), username: this.spec.username, password: this.spec.password, lanplus: '', cipher: '3' };
  }

  /** The power the BMC reports. */
  get power(): 'on' | 'off' {
    return readFileSync(join(this.spec.dir, 'power'), 'utf8').trim() === '0' ? 'off' : 'on';
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stops serving requests (a power action under way ends first: a boot after the cluster stopped would leave its daemons running) and ipmi_sim (SIGTERM, SIGKILL after a grace). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.serving;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(killTimer);
  }

  /** Acts on the hook's new requests, one at a time and in order. */
  private async serveRequests(): Promise<void> {
    try {
      const requests = readFileSync(join(this.spec.dir, 'requests'), 'utf8').split('\n').filter((line) => line === 'off' || line === 'on');
      if (requests.length > REQUESTS_MAX) throw new Error(`The BMC of ${this.spec.node} got ${requests.length} power requests (limit ${REQUESTS_MAX})`);
      while (this.requestsDone < requests.length) {
        const request = requests[this.requestsDone++] as 'off' | 'on';
        await this.act(request);
      }
    } catch (error) {
      this.spec.onError?.(error as Error);
    }
  }

  private async act(request: 'off' | 'on'): Promise<void> {
    if (request === this.power) return;
    if (request === 'on') this.writePower('1');
    await this.spec.onPower(request);
    if (request === 'off') this.writePower('0');
  }

  private writePower(value: '0' | '1'): void {
    const file = join(this.spec.dir, 'power');
    writeFileSync(`${file}.new`, value);
    renameSync(`${file}.new`, file);
  }
}

/** The hook ipmi_sim runs: answers `get power` from the power file, queues `set power` for the supervisor. */
function hookScript(dir: string): string {
  const quoted = `'${dir.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    '# chassis_control hook of an emulated BMC (src/cluster/emulated-bmc.ts): $1 node, $2 get|set, $3 item, $4 value',
    `dir=${quoted}`,
    'case "$2 $3" in',
    '  "get power") printf "power:%s\\n" "$(cat "$dir/power")" ;;',
    '  "set power") if [ "$4" = 0 ]; then echo off >> "$dir/requests"; else echo on >> "$dir/requests"; fi ;;',
    'esac',
    '',
  ].join('\n');
}

function lanConf(spec: EmulatedBmcSpec): string {
  const guid = createHash('md5').update(`bmc of ${spec.node}`).digest('hex');
  const auths = 'none md2 md5 straight';
  return [
    `name "bmc-${spec.node}"`,
    'set_working_mc 0x20',
    '  startlan 1',
    `    addr 127.0.0.1 ${spec.port}`,
    '    priv_limit admin',
    ...['callback', 'user', 'operator', 'admin'].map((level) => `    allowed_auths_${level} ${auths}`),
    `    guid ${guid}`,
    '  endlan',
    `  chassis_control "${join(spec.dir, 'chassis-hook')} ${spec.node}"`,
    `  user 2 true "${spec.username}" "${spec.password}" admin 10 ${auths}`,
    '',
  ].join('\n');
}

const SIM_EMU = ['mc_setbmc 0x20', 'mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr', 'sel_enable 0x20 1000 0x0a', 'mc_enable 0x20', ''].join('\n');

/**
 * A UDP port on 127.0.0.1 that was free a moment ago, for a BMC to bind: the kernel picks it; another
 * process could take it before ipmi_sim binds, which start() then reports as a failed start.
 */
export async function freeLoopbackUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Is something bound to UDP 127.0.0.1:port (/proc/net/udp, addresses in hex, little-endian)? */
function isUdpListening(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return existsSync('/proc/net/udp') && readFileSync('/proc/net/udp', 'utf8').split('\n').some((line) => line.trim().split(/\s+/)[1] === local);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}
