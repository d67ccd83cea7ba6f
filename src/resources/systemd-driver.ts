import { cgroupAt, CGROUP_ROOT, type UsageSource } from './usage-source.ts';
import { parseSid } from '../common/sid.ts';
import { OcfExit, toOcfExit } from './ocf-exit.ts';
import { badSid, done, notDone, type CallOptions, type DriverResult, type MoveOptions, type ResourceDriver } from './resource-driver.ts';
import { firstLine, runCommand, type CommandResult } from './run-command.ts';

const UNIT_SUFFIXES = ['.service', '.socket', '.target', '.mount', '.timer', '.path'];

/** `service:nginx` → `nginx.service`; a name with a unit suffix is kept (`service:docker.socket`). */
export function unitOf(sid: string): string | undefined {
  const parsed = parseSid(sid);
  if (!parsed || parsed.type !== 'service') return undefined;
  return UNIT_SUFFIXES.some((suffix) => parsed.name.endsWith(suffix)) ? parsed.name : `${parsed.name}.service`;
}

export interface SystemdDriverOptions {
  /** The systemctl executable, looked up on the PATH of `env` when it has no slash. */
  readonly systemctl?: string;
  /** Environment of the systemctl calls (PATH); default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Systemd units as services: `systemctl start|stop|is-active <unit>`. systemctl's exit codes for
 * start and stop follow LSB, whose numbers 0–7 are the OCF ones (5: unit not found); `is-active`
 * answers with a word. Services move by being stopped here and started on the target (no online
 * migration); their unit files are the node's own business, so relocating has nothing to copy.
 */
export class SystemdDriver implements ResourceDriver {
  readonly name = 'systemd';
  private readonly systemctl: string;

  constructor(private readonly options: SystemdDriverOptions = {}) {
    this.systemctl = options.systemctl ?? 'systemctl';
  }

  async check(sid: string, options: CallOptions): Promise<DriverResult> {
    const unit = unitOf(sid);
    if (unit === undefined) return badSid(this.name, sid);
    const ran = await this.run(['is-active', unit], options);
    if (ran.exec !== 'done') return notDone(ran.exec, ran.detail);
    const state = firstLine(ran.stdout);
    switch (state) {
      case 'active':
      case 'reloading':
        return done(OcfExit.success);
      case 'inactive':
      case 'failed': // not running; stays `failed` after a stop until reset-failed, as in Pacemaker
        return done(OcfExit.notRunning, `${unit} is ${state}`);
      case 'activating':
      case 'deactivating':
        // In transition: neither running nor stopped, so a start or a stop is still issued (systemctl waits for the job).
        return done(OcfExit.error, `${unit} is ${state}`);
      default:
        return done(OcfExit.error, `systemctl is-active ${unit} answered ${JSON.stringify(state)}, exit ${ran.code}`);
    }
  }

  start(sid: string, options: CallOptions): Promise<DriverResult> {
    return this.act('start', sid, options);
  }

  stop(sid: string, options: CallOptions): Promise<DriverResult> {
    return this.act('stop', sid, options);
  }

  /** The unit's cgroup under system.slice (cgroup v2), while it has one. */
  usageSource(sid: string): UsageSource | undefined {
    const unit = unitOf(sid);
    return unit === undefined ? undefined : cgroupAt(`${CGROUP_ROOT}/system.slice/${unit}`);
  }

  canMigrateOnline(_sid: string): boolean {
    return false;
  }

  migrate(sid: string, _options: MoveOptions): Promise<DriverResult> {
    return Promise.resolve(done(OcfExit.unimplemented, `${sid}: systemd services cannot migrate online`));
  }

  relocate(sid: string, _options: MoveOptions): Promise<DriverResult> {
    return Promise.resolve(unitOf(sid) === undefined ? badSid(this.name, sid) : done(OcfExit.success));
  }

  private async act(verb: 'start' | 'stop', sid: string, options: CallOptions): Promise<DriverResult> {
    const unit = unitOf(sid);
    if (unit === undefined) return badSid(this.name, sid);
    const ran = await this.run([verb, unit], options);
    if (ran.exec !== 'done') return notDone(ran.exec, ran.detail);
    return ran.code === 0 ? done(OcfExit.success) : done(toOcfExit(ran.code), ran.detail);
  }

  private run(args: string[], options: CallOptions): Promise<CommandResult> {
    return runCommand([this.systemctl, ...args], {
      timeoutMs: options.timeoutMs,
      ...(this.options.env !== undefined ? { env: this.options.env } : {}),
    });
  }
}

