import { join } from 'node:path';
import { isValidNodeName } from '../common/node-name.ts';
import { parseSid } from '../common/sid.ts';
import { OcfExit, toOcfExit } from './ocf-exit.ts';
import type { OcfSpec } from './ocf-spec.ts';
import { done, notDone, type CallOptions, type DriverResult, type MoveOptions, type ResourceDriver } from './resource-driver.ts';
import { runCommand } from './run-command.ts';

export type OcfAction =
  | 'start'
  | 'stop'
  | 'monitor'
  | 'migrate_to'
  | 'migrate_from'
  | 'meta-data'
  | 'validate-all'
  | 'promote'
  | 'demote'
  | 'reload'
  | 'notify';

export interface OcfDriverOptions {
  /** This node's name: `OCF_RESKEY_CRM_meta_on_node` and the migration source. */
  readonly node: string;
  /** `OCF_ROOT`; agents are `<ocfRoot>/resource.d/<provider>/<agent>`. Default /usr/lib/ocf. */
  readonly ocfRoot?: string;
  /** The spec of an instance (`ocf:<instance>`); undefined: not configured here. May throw on a bad spec file. */
  readonly specOf: (instance: string) => OcfSpec | undefined;
  /** Base environment of the agents (PATH, …); OCF_* variables in it are dropped. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * OCF resource agents (resource agent API 1.1) as services `ocf:<instance>`. The agent's exit code is
 * the result; whether it ran (`done`, `timeout`, `error` when killed by a signal, `not-installed` when
 * the agent file is missing or not executable) is the execution status.
 *
 * Online migration follows Pacemaker for specs with `allowMigrate`: `migrate_to` with this node as
 * source, `migrate_from` for the target, then `stop` here — all run on this node, with
 * `OCF_RESKEY_CRM_meta_on_node` telling the agent which node each step stands for. That is right when
 * the nodes share a host (demo, tests); on separate hosts `migrate_from` belongs on the target, which
 * this driver cannot reach.
 */
export class OcfDriver implements ResourceDriver {
  readonly name = 'ocf';
  private readonly ocfRoot: string;

  constructor(private readonly options: OcfDriverOptions) {
    if (!isValidNodeName(options.node)) throw new Error(`Bad argument node: ${JSON.stringify(options.node)}`);
    this.ocfRoot = options.ocfRoot ?? '/usr/lib/ocf';
  }

  /** An OCF agent's resource has no process or cgroup the driver knows of: not measured (it counts as using nothing). */
  usageSource(): undefined {
    return undefined;
  }

  canMigrateOnline(sid: string): boolean {
    const resolved = this.resolve(sid);
    return typeof resolved === 'object' && resolved.spec.allowMigrate;
  }

  async check(sid: string, options: CallOptions): Promise<DriverResult> {
    return this.run(sid, 'monitor', options);
  }

  start(sid: string, options: CallOptions): Promise<DriverResult> {
    return this.run(sid, 'start', options);
  }

  stop(sid: string, options: CallOptions): Promise<DriverResult> {
    return this.run(sid, 'stop', options);
  }

  async migrate(sid: string, options: MoveOptions): Promise<DriverResult> {
    if (!isValidNodeName(options.target)) return done(OcfExit.errorArgs, `Bad target node: ${JSON.stringify(options.target)}`);
    const deadlineMs = Date.now() + options.timeoutMs;
    const meta = { migrate_source: this.options.node, migrate_target: options.target };
    const steps: Array<{ action: OcfAction; onNode: string }> = [
      { action: 'migrate_to', onNode: this.options.node },
      { action: 'migrate_from', onNode: options.target },
      { action: 'stop', onNode: this.options.node },
    ];
    for (const step of steps) {
      const timeoutMs = deadlineMs - Date.now();
      if (timeoutMs <= 0) return notDone('timeout', `${sid}: migration to ${options.target} ran out of time before ${step.action}`);
      const result = await this.run(sid, step.action, { timeoutMs }, { ...meta, on_node: step.onNode });
      if (result.exec !== 'done' || result.exit !== OcfExit.success) return result;
    }
    return done(OcfExit.success);
  }

  relocate(sid: string, _options: MoveOptions): Promise<DriverResult> {
    const resolved = this.resolve(sid);
    return Promise.resolve(typeof resolved === 'object' ? done(OcfExit.success) : done(OcfExit.notConfigured, resolved));
  }

  /** Runs one agent action with the OCF environment; `meta` becomes `OCF_RESKEY_CRM_meta_*`. */
  async run(sid: string, action: OcfAction, options: CallOptions, meta: Record<string, string> = {}): Promise<DriverResult> {
    const resolved = this.resolve(sid);
    if (typeof resolved === 'string') return done(OcfExit.notConfigured, resolved);
    const { instance, spec } = resolved;
    const agentPath = join(this.ocfRoot, 'resource.d', spec.provider, spec.agent);
    const env = this.agentEnv(instance, spec, { on_node: this.options.node, timeout: String(options.timeoutMs), ...meta });
    const ran = await runCommand([agentPath, action], { timeoutMs: options.timeoutMs, env });
    if (ran.exec !== 'done') return notDone(ran.exec, `${spec.provider}:${spec.agent} ${action} for ${sid}: ${ran.detail}`);
    const exit = toOcfExit(ran.code);
    return exit === OcfExit.success ? done(exit) : done(exit, `${spec.provider}:${spec.agent} ${action} for ${sid}: ${ran.detail}`);
  }

  /** The instance and its spec, or why there is none. */
  private resolve(sid: string): { instance: string; spec: OcfSpec } | string {
    const parsed = parseSid(sid);
    if (!parsed || parsed.type !== 'ocf') return `Bad sid for the OCF driver: ${JSON.stringify(sid)}`;
    try {
      const spec = this.options.specOf(parsed.name);
      return spec ? { instance: parsed.name, spec } : `${sid} has no OCF spec on ${this.options.node}`;
    } catch (error) {
      return `${sid}: ${(error as Error).message}`;
    }
  }

  private agentEnv(instance: string, spec: OcfSpec, meta: Record<string, string>): NodeJS.ProcessEnv {
    const base = Object.entries(this.options.env ?? process.env).filter(([name]) => !name.startsWith('OCF_'));
    return {
      ...Object.fromEntries(base),
      OCF_ROOT: this.ocfRoot,
      OCF_FUNCTIONS_DIR: join(this.ocfRoot, 'lib', 'heartbeat'),
      OCF_RA_VERSION_MAJOR: '1',
      OCF_RA_VERSION_MINOR: '1',
      OCF_RESOURCE_INSTANCE: instance,
      OCF_RESOURCE_TYPE: spec.agent,
      OCF_RESOURCE_PROVIDER: spec.provider,
      ...Object.fromEntries(Object.entries(spec.params).map(([name, value]) => [`OCF_RESKEY_${name}`, value])),
      ...Object.fromEntries(Object.entries(meta).map(([name, value]) => [`OCF_RESKEY_CRM_meta_${name}`, value])),
    };
  }
}
