import { processOfPidFile, type UsageSource } from './usage-source.ts';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isValidNodeName } from '../common/node-name.ts';
import { parseSid } from '../common/sid.ts';
import { OcfExit } from './ocf-exit.ts';
import { badSid, done, notDone, type CallOptions, type DriverResult, type MoveOptions, type ResourceDriver } from './resource-driver.ts';
import { isSameProcessAlive, parsePidFile, type ProcessIdentity } from './process-identity.ts';
import { appendLedger, pidFileOf } from './sim-ledger.ts';
import { SIM_SERVICE_READY } from './sim-service.ts';

const SIM_SERVICE_BIN = fileURLToPath(new URL('../../bin/ha-sim-service', import.meta.url));
/** How often a stop looks whether the process is gone. */
const EXIT_POLL_MS = 20;
/** The service says only `ready`; more than this before it is not the service program. */
const READY_OUTPUT_CHARS_MAX = 4_096;

export interface SimDriverOptions {
  /** This node. */
  readonly node: string;
  /** `<shared>/ledger`, where the service processes record their runs. */
  readonly ledgerDir: string;
  /** A node's local folder (its `pids/` are what its emulated watchdog kills on a reset). */
  readonly nodeDirOf: (node: string) => string;
  /** The service program; default `node bin/ha-sim-service`. Its arguments are appended. */
  readonly serviceCommand?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Simulated services as real processes: one `ha-sim-service` child per running service, detached so
 * it outlives an LRM restart, found again through its pid file `<node-dir>/pids/service-<sid>.pid`.
 * It records its own start and stop in the ledger; this driver records a `crash` when it finds a pid
 * file whose process is gone. Any sid type can be simulated (the demo maps `vm` and `ct` here).
 * Online migration is stop here, then start on the target (registered in the target's node folder),
 * so the ledger never shows two copies at once.
 */
export class SimDriver implements ResourceDriver {
  readonly name = 'sim';

  constructor(private readonly options: SimDriverOptions) {
    if (!isValidNodeName(options.node)) throw new Error(`Bad argument node: ${JSON.stringify(options.node)}`);
  }

  canMigrateOnline(_sid: string): boolean {
    return true;
  }

  /** The service process of this node, through its pid file. */
  usageSource(sid: string): UsageSource | undefined {
    if (!parseSid(sid)) return undefined;
    return processOfPidFile(pidFileOf(this.options.nodeDirOf(this.options.node), sid));
  }

  check(sid: string, _options: CallOptions): Promise<DriverResult> {
    if (!parseSid(sid)) return Promise.resolve(badSid(this.name, sid));
    const running = this.liveProcess(this.options.node, sid);
    return Promise.resolve(running === undefined ? done(OcfExit.notRunning) : done(OcfExit.success));
  }

  start(sid: string, options: CallOptions): Promise<DriverResult> {
    if (!parseSid(sid)) return Promise.resolve(badSid(this.name, sid));
    return this.startOn(this.options.node, sid, options.timeoutMs);
  }

  async stop(sid: string, options: CallOptions): Promise<DriverResult> {
    if (!parseSid(sid)) return badSid(this.name, sid);
    const running = this.liveProcess(this.options.node, sid);
    if (running === undefined) return done(OcfExit.success);
    signal(running.pid, 'SIGTERM');
    const deadlineMs = Date.now() + options.timeoutMs;
    while (Date.now() < deadlineMs) {
      if (!isSameProcessAlive(running)) return done(OcfExit.success);
      await sleep(EXIT_POLL_MS);
    }
    return notDone('timeout', `${sid} (pid ${running.pid}) still running ${options.timeoutMs} ms after SIGTERM`);
  }

  async migrate(sid: string, options: MoveOptions): Promise<DriverResult> {
    if (!parseSid(sid)) return badSid(this.name, sid);
    if (!isValidNodeName(options.target)) return done(OcfExit.errorArgs, `Bad target node: ${JSON.stringify(options.target)}`);
    const deadlineMs = Date.now() + options.timeoutMs;
    const stopped = await this.stop(sid, options);
    if (stopped.exec !== 'done' || stopped.exit !== OcfExit.success) return stopped;
    const leftMs = deadlineMs - Date.now();
    if (leftMs <= 0) return notDone('timeout', `${sid}: no time left to start on ${options.target}`);
    return this.startOn(options.target, sid, leftMs);
  }

  relocate(sid: string, _options: MoveOptions): Promise<DriverResult> {
    return Promise.resolve(parseSid(sid) ? done(OcfExit.success) : badSid(this.name, sid));
  }

  /** The service's live process on `node`; a stale pid file is recorded as a crash and removed. */
  private liveProcess(node: string, sid: string): ProcessIdentity | undefined {
    const pidFile = pidFileOf(this.options.nodeDirOf(node), sid);
    if (!existsSync(pidFile)) return undefined;
    const identity = parsePidFile(readFileSync(pidFile, 'utf8'));
    if (identity && isSameProcessAlive(identity)) return identity;
    if (identity) appendLedger(this.options.ledgerDir, { wallMs: Date.now(), node, sid, event: 'crash', pid: identity.pid });
    try {
      unlinkSync(pidFile);
    } catch {
      // removed meanwhile
    }
    return undefined;
  }

  private async startOn(node: string, sid: string, timeoutMs: number): Promise<DriverResult> {
    if (this.liveProcess(node, sid) !== undefined) return done(OcfExit.success);
    const [command, ...baseArgs] = this.options.serviceCommand ?? [process.execPath, SIM_SERVICE_BIN];
    if (command === undefined) return notDone('error', 'Empty serviceCommand');
    const pidFile = pidFileOf(this.options.nodeDirOf(node), sid);
    const args = [...baseArgs, '--sid', sid, '--node', node, '--ledger-dir', this.options.ledgerDir, '--pid-file', pidFile];
    return new Promise((resolve) => {
      const child = spawn(command, args, { env: this.options.env ?? process.env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
      let output = '';
      let isSettled = false;
      const finish = (result: DriverResult) => {
        if (isSettled) return;
        isSettled = true;
        clearTimeout(timer);
        child.stdout.destroy();
        child.unref();
        resolve(result);
      };
      const timer = setTimeout(() => {
        signal(child.pid, 'SIGTERM'); // lets it record `stop` if it got as far as `start`
        finish(notDone('timeout', `${sid} not ready on ${node} within ${timeoutMs} ms`));
      }, timeoutMs);
      child.on('error', (error: NodeJS.ErrnoException) => {
        const exec = error.code === 'ENOENT' || error.code === 'EACCES' ? 'not-installed' : 'error';
        finish(notDone(exec, `Cannot run ${command}: ${error.message}`));
      });
      child.on('exit', (code, signalName) => finish(done(OcfExit.error, `${sid} on ${node} exited before ready: ${signalName ?? `code ${code}`}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-READY_OUTPUT_CHARS_MAX);
        if (output.split('\n').includes(SIM_SERVICE_READY)) finish(done(OcfExit.success));
      });
    });
  }
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

