import { processOfPidFile, type UsageSource } from './usage-source.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidNodeName } from '../common/node-name.ts';
import { parseSid } from '../common/sid.ts';
import { Deadline, sleep } from './deadline.ts';
import { OcfExit } from './ocf-exit.ts';
import { badSid, done, notDone, type CallOptions, type DriverResult, type MoveOptions, type ResourceDriver } from './resource-driver.ts';
import { firstLine, runCommand, type CommandResult } from './run-command.ts';

export interface VirshDriverOptions {
  /** Shared folder of domain XML files, `<definitionsDir>/vm-<name>.xml` for `vm:<name>`. */
  readonly definitionsDir: string;
  /** The virsh executable, looked up on the PATH of `env` when it has no slash. */
  readonly virsh?: string;
  /** libvirt connection URI of this node (`virsh -c`); default: virsh's own default. */
  readonly connectUri?: string;
  /** Destination URI of a live migration to `node`; default `qemu+ssh://<node>/system`. */
  readonly migrateUri?: (node: string) => string;
  /** How often a graceful shutdown is polled. */
  readonly shutdownPollMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** A graceful shutdown gets the stop budget minus this, which is kept for `virsh destroy`. */
const DESTROY_RESERVE_MS = 5_000;
const SHUTDOWN_POLL_MS_DEFAULT = 500;
/** Domain states in which the guest is up (virsh domstate). */
const RUNNING_STATES = new Set(['running', 'idle', 'paused', 'in shutdown', 'blocked', 'pmsuspended']);

/** `vm:101` → libvirt domain `vm-101`: a numeric name would be taken for a domain id by virsh. */
export function domainOf(sid: string): string | undefined {
  const parsed = parseSid(sid);
  return parsed && parsed.type === 'vm' ? `vm-${parsed.name}` : undefined;
}

/**
 * libvirt guests through `virsh`. The domain XML lives in a shared definitions folder, not in
 * libvirt: a start is define → start → undefine, so the running domain is transient and no other tool
 * (or a libvirt autostart) can start a second copy from a persistent definition on any node. A stop
 * is `shutdown`, polled until the domain is gone, then `destroy` when the budget runs short. Online
 * migration is `virsh migrate --live`; offline relocation has nothing to copy.
 */
export class VirshDriver implements ResourceDriver {
  readonly name = 'virsh';

  constructor(private readonly options: VirshDriverOptions) {}

  /** The guest's QEMU process, from the pid file libvirt keeps while the domain runs. */
  usageSource(sid: string): UsageSource | undefined {
    const domain = domainOf(sid);
    return domain === undefined ? undefined : processOfPidFile(`/run/libvirt/qemu/${domain}.pid`);
  }

  canMigrateOnline(_sid: string): boolean {
    return true;
  }

  async check(sid: string, options: CallOptions): Promise<DriverResult> {
    const domain = domainOf(sid);
    if (domain === undefined) return badSid(this.name, sid);
    return this.domainState(domain, options.timeoutMs);
  }

  async start(sid: string, options: CallOptions): Promise<DriverResult> {
    const domain = domainOf(sid);
    if (domain === undefined) return badSid(this.name, sid);
    const deadline = new Deadline(options.timeoutMs);
    const xmlPath = join(this.options.definitionsDir, `${domain}.xml`);
    const problem = definitionProblem(xmlPath, domain);
    if (problem !== undefined) return done(OcfExit.notConfigured, problem);
    const state = await this.domainState(domain, deadline.leftMs());
    if (state.exec !== 'done' || state.exit === OcfExit.success) return state;
    // Keep time for the undefine, so even a start that times out leaves no persistent definition.
    const reserveMs = Math.min(DESTROY_RESERVE_MS, Math.floor(options.timeoutMs / 4));
    const defined = await this.virsh(['define', xmlPath], deadline.leftMs() - reserveMs);
    if (defined.exec !== 'done' || defined.exit !== OcfExit.success) return defined;
    const started = await this.virsh(['start', domain], deadline.leftMs() - reserveMs);
    const undefinedResult = await this.virsh(['undefine', domain], deadline.leftMs());
    if (started.exec !== 'done' || started.exit !== OcfExit.success) return started;
    return undefinedResult;
  }

  async stop(sid: string, options: CallOptions): Promise<DriverResult> {
    const domain = domainOf(sid);
    if (domain === undefined) return badSid(this.name, sid);
    const deadline = new Deadline(options.timeoutMs);
    const reserveMs = Math.min(DESTROY_RESERVE_MS, Math.floor(options.timeoutMs / 3));
    const state = await this.domainState(domain, deadline.leftMs());
    if (state.exec !== 'done' || state.exit === OcfExit.notRunning) return state.exec === 'done' ? done(OcfExit.success) : state;
    const shutdown = await this.virsh(['shutdown', domain], deadline.leftMs() - reserveMs);
    if (shutdown.exec === 'done' && shutdown.exit === OcfExit.success) {
      const pollMs = this.options.shutdownPollMs ?? SHUTDOWN_POLL_MS_DEFAULT;
      while (deadline.leftMs() - reserveMs > pollMs) {
        const now = await this.domainState(domain, deadline.leftMs() - reserveMs);
        if (now.exec === 'done' && now.exit === OcfExit.notRunning) return done(OcfExit.success);
        await sleep(pollMs);
      }
    }
    const destroyed = await this.virsh(['destroy', domain], deadline.leftMs());
    if (destroyed.exec !== 'done' || destroyed.exit === OcfExit.success) return destroyed;
    if (deadline.leftMs() <= 0) return destroyed;
    // destroy fails for a domain that went away meanwhile: that is a stop too
    const after = await this.domainState(domain, deadline.leftMs());
    return after.exec === 'done' && after.exit === OcfExit.notRunning ? done(OcfExit.success) : destroyed;
  }

  async migrate(sid: string, options: MoveOptions): Promise<DriverResult> {
    const domain = domainOf(sid);
    if (domain === undefined) return badSid(this.name, sid);
    if (!isValidNodeName(options.target)) return done(OcfExit.errorArgs, `Bad target node: ${JSON.stringify(options.target)}`);
    const uri = (this.options.migrateUri ?? ((node: string) => `qemu+ssh://${node}/system`))(options.target);
    const migrated = await this.virsh(['migrate', '--live', domain, uri], options.timeoutMs);
    if (migrated.exec === 'timeout') {
      // virsh was killed, libvirtd may still be migrating: abort the job so the guest stays here.
      await this.virsh(['domjobabort', domain], DESTROY_RESERVE_MS);
    }
    return migrated;
  }

  relocate(sid: string, _options: MoveOptions): Promise<DriverResult> {
    return Promise.resolve(domainOf(sid) === undefined ? badSid(this.name, sid) : done(OcfExit.success));
  }

  private async domainState(domain: string, timeoutMs: number): Promise<DriverResult> {
    const ran = await this.run(['domstate', domain], timeoutMs);
    if (ran.exec !== 'done') return notDone(ran.exec, ran.detail);
    const state = firstLine(ran.stdout);
    if (ran.code === 0 && RUNNING_STATES.has(state)) return done(OcfExit.success);
    if (ran.code === 0) return done(OcfExit.notRunning, `${domain} is ${state}`);
    if (/failed to get domain|domain not found/i.test(ran.stderr)) return done(OcfExit.notRunning, `${domain} is not defined`);
    return done(OcfExit.error, ran.detail);
  }

  private async virsh(args: string[], timeoutMs: number): Promise<DriverResult> {
    if (timeoutMs <= 0) return notDone('timeout', `No time left for virsh ${args[0]}`);
    const ran = await this.run(args, timeoutMs);
    if (ran.exec !== 'done') return notDone(ran.exec, ran.detail);
    return ran.code === 0 ? done(OcfExit.success) : done(OcfExit.error, `virsh ${args.join(' ')}: ${ran.detail}`);
  }

  private run(args: string[], timeoutMs: number): Promise<CommandResult> {
    const connect = this.options.connectUri !== undefined ? ['-c', this.options.connectUri] : [];
    return runCommand([this.options.virsh ?? 'virsh', ...connect, ...args], {
      timeoutMs: Math.max(timeoutMs, 1),
      ...(this.options.env !== undefined ? { env: this.options.env } : {}),
    });
  }
}

/** Why the domain's XML cannot be used, or undefined. */
function definitionProblem(xmlPath: string, domain: string): string | undefined {
  if (!existsSync(xmlPath)) return `No domain definition ${xmlPath}`;
  const name = /<name>\s*([^<]*?)\s*<\/name>/.exec(readFileSync(xmlPath, 'utf8'))?.[1];
  if (name !== domain) return `Domain definition ${xmlPath} names ${JSON.stringify(name)}, expected ${domain}`;
  return undefined;
}

