import { cgroupAt, CGROUP_ROOT, type UsageSource } from './usage-source.ts';
import { isGuestId, parseSid } from '../common/sid.ts';
import { Deadline } from './deadline.ts';
import { OcfExit } from './ocf-exit.ts';
import { badSid, done, notDone, type CallOptions, type DriverResult, type MoveOptions, type ResourceDriver } from './resource-driver.ts';
import { firstLine, runCommand, type CommandResult } from './run-command.ts';

export interface LxcDriverOptions {
  /** Folder of the lxc-start, lxc-stop and lxc-info executables; default: looked up on the PATH of `env`. */
  readonly binDir?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** A clean shutdown gets the stop budget minus this, which is kept for `lxc-stop --kill`. */
const KILL_RESERVE_MS = 5_000;
/** `lxc-info -s` states in which the container's processes exist (FROZEN: paused, still holding its resources). */
const RUNNING_STATES = new Set(['RUNNING', 'FROZEN', 'FREEZING', 'THAWED']);
/** States on the way: neither running nor stopped, so a start or a stop is still issued (as systemd's `activating`). */
const MOVING_STATES = new Set(['STARTING', 'STOPPING', 'ABORTING']);

/** `ct:101` → LXC container `101`: Proxmox names its containers by their VMID. */
export function containerOf(sid: string): string | undefined {
  const parsed = parseSid(sid);
  return parsed && parsed.type === 'ct' && isGuestId(parsed.name) ? parsed.name : undefined;
}

/**
 * LXC containers through Debian's `lxc` tools, named by their VMID as Proxmox names them. The
 * container's configuration (`lxc.lxcpath`, e.g. /var/lib/lxc/<vmid>/config) and its root filesystem
 * must be reachable from every node it may run on (shared storage); the driver only starts, stops and
 * looks. `lxc-start` daemonizes the container; a stop asks for a clean shutdown (`lxc-stop --nokill
 * -t`), and kills the container (`lxc-stop --kill`) when the budget runs short, as the virsh driver
 * destroys a guest. Containers do not migrate online: a move is stop, relocate (nothing to copy), start.
 */
export class LxcDriver implements ResourceDriver {
  readonly name = 'lxc';

  constructor(private readonly options: LxcDriverOptions = {}) {}

  /** The container's cgroup: `lxc.payload.<name>` (LXC 4 and later on cgroup v2), else `lxc/<name>`. */
  usageSource(sid: string): UsageSource | undefined {
    const name = containerOf(sid);
    if (name === undefined) return undefined;
    return cgroupAt(`${CGROUP_ROOT}/lxc.payload.${name}`) ?? cgroupAt(`${CGROUP_ROOT}/lxc/${name}`);
  }

  canMigrateOnline(_sid: string): boolean {
    return false;
  }

  async check(sid: string, options: CallOptions): Promise<DriverResult> {
    const name = containerOf(sid);
    if (name === undefined) return badSid(this.name, sid, 'ct:<vmid>');
    return this.state(name, options.timeoutMs);
  }

  async start(sid: string, options: CallOptions): Promise<DriverResult> {
    const name = containerOf(sid);
    if (name === undefined) return badSid(this.name, sid, 'ct:<vmid>');
    const deadline = new Deadline(options.timeoutMs);
    const state = await this.state(name, deadline.leftMs());
    // Started only when known stopped: a state it cannot read (or one on the way) fails the start.
    if (state.exec !== 'done' || state.exit !== OcfExit.notRunning) return state;
    return this.tool('lxc-start', ['-n', name], deadline.leftMs());
  }

  async stop(sid: string, options: CallOptions): Promise<DriverResult> {
    const name = containerOf(sid);
    if (name === undefined) return badSid(this.name, sid, 'ct:<vmid>');
    const deadline = new Deadline(options.timeoutMs);
    const reserveMs = Math.min(KILL_RESERVE_MS, Math.floor(options.timeoutMs / 3));
    const state = await this.state(name, deadline.leftMs());
    if (state.exec !== 'done' || state.exit === OcfExit.notRunning) return state.exec === 'done' ? done(OcfExit.success) : state;
    // lxc-stop waits -t seconds for the clean shutdown itself; its own time-out is a second shorter than ours.
    const shutdownMs = deadline.leftMs() - reserveMs;
    const waitS = Math.floor(shutdownMs / 1000) - 1;
    if (waitS >= 1) {
      const shutdown = await this.tool('lxc-stop', ['-n', name, '--nokill', '-t', String(waitS)], shutdownMs);
      if (shutdown.exec === 'done' && shutdown.exit === OcfExit.success) return shutdown;
    }
    const killed = await this.tool('lxc-stop', ['-n', name, '--kill'], deadline.leftMs());
    if (killed.exec !== 'done' || killed.exit === OcfExit.success || deadline.leftMs() <= 0) return killed;
    // The kill fails for a container that stopped meanwhile: that is a stop too.
    const after = await this.state(name, deadline.leftMs());
    return after.exec === 'done' && after.exit === OcfExit.notRunning ? done(OcfExit.success) : killed;
  }

  migrate(sid: string, _options: MoveOptions): Promise<DriverResult> {
    return Promise.resolve(done(OcfExit.unimplemented, `${sid}: LXC containers cannot migrate online`));
  }

  relocate(sid: string, _options: MoveOptions): Promise<DriverResult> {
    return Promise.resolve(containerOf(sid) === undefined ? badSid(this.name, sid, 'ct:<vmid>') : done(OcfExit.success));
  }

  /** `lxc-info -n <name> -s` → running, stopped (also: no such container here), or failed. */
  private async state(name: string, timeoutMs: number): Promise<DriverResult> {
    if (timeoutMs <= 0) return notDone('timeout', 'No time left for lxc-info');
    const ran = await this.run('lxc-info', ['-n', name, '-s'], timeoutMs);
    if (ran.exec !== 'done') return notDone(ran.exec, ran.detail);
    const word = /^State:\s*([A-Z]+)\s*$/.exec(firstLine(ran.stdout))?.[1];
    if (ran.code === 0 && word !== undefined && RUNNING_STATES.has(word)) return done(OcfExit.success);
    if (ran.code === 0 && word === 'STOPPED') return done(OcfExit.notRunning, `container ${name} is stopped`);
    if (ran.code === 0 && word !== undefined && MOVING_STATES.has(word)) return done(OcfExit.error, `container ${name} is ${word}`);
    if (ran.code !== 0 && /doesn't exist|does not exist|not defined/i.test(`${ran.stderr}\n${ran.stdout}`)) {
      return done(OcfExit.notRunning, `container ${name} does not exist on this node`);
    }
    const answer = firstLine(ran.stdout) || firstLine(ran.stderr);
    return done(OcfExit.error, `lxc-info -n ${name} -s answered ${JSON.stringify(answer)}, exit ${ran.code}`);
  }

  private async tool(command: 'lxc-start' | 'lxc-stop', args: string[], timeoutMs: number): Promise<DriverResult> {
    if (timeoutMs <= 0) return notDone('timeout', `No time left for ${command}`);
    const ran = await this.run(command, args, timeoutMs);
    if (ran.exec !== 'done') return notDone(ran.exec, ran.detail);
    if (ran.code === 0) return done(OcfExit.success);
    return done(OcfExit.error, `${command} ${args.join(' ')}: ${firstLine(ran.stderr) || firstLine(ran.stdout) || `exit ${ran.code}`}`);
  }

  private run(command: string, args: string[], timeoutMs: number): Promise<CommandResult> {
    const executable = this.options.binDir !== undefined ? `${this.options.binDir}/${command}` : command;
    return runCommand([executable, ...args], {
      timeoutMs: Math.max(timeoutMs, 1),
      ...(this.options.env !== undefined ? { env: this.options.env } : {}),
    });
  }
}

