/**
 * One call of a fence agent, the way Pacemaker and oVirt call them (DESIGN.md "External fencing"):
 * the agent is spawned by name with **no arguments** — argv is visible to every user in `ps` and
 * /proc/<pid>/cmdline, and an agent given any argument ignores stdin — and gets its options as
 * `key=value` lines on stdin, then `action=<action>`. Exit 0 is success (for `status`: power on), 2 is
 * `status` power off, anything else a failure. The call has a time limit; on expiry the agent's whole
 * process group is killed (fence_ipmilan leaves an `ipmitool` child behind otherwise).
 *
 * Secrets: the values of secret options (isSecretOption) and the password read from `password_file=`
 * are replaced by `***` in everything the result carries — an agent may echo its password in an
 * error, and the result goes to logs, the LRM status and JSON output.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ExecStatus } from '../resources/resource-driver.ts';
import { runCommand } from '../resources/run-command.ts';
import { AGENT_EXIT, type AgentAction, type AgentCallResult } from './agent-result.ts';
import { isSecretOption, RUNNER_OPTIONS, type FenceOptions } from './fence-config.ts';

/** Where Debian's fence-agents live; a daemon's PATH (cron, a minimal service) may not have them. */
const AGENT_DIRS = ['/usr/sbin', '/sbin'];
/** A reason line longer than this is cut: it goes into one status line. */
const REASON_LENGTH_MAX = 300;
/** Option keys as fence agents name them; anything else could not be a stdin line the agent reads back. */
const OPTION_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** An agent is a program name looked up on PATH, never a path or a command line. */
const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

export interface AgentCallRequest {
  readonly agent: string;
  readonly action: AgentAction;
  /** The device's options with the node's connect options; RUNNER_OPTIONS are dropped here. */
  readonly options: FenceOptions;
  readonly timeoutMs: number;
  /** The agent's environment; default this process's, with AGENT_DIRS added to PATH. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs one agent call; never throws for anything the agent or its config does. */
export async function callAgent(request: AgentCallRequest): Promise<AgentCallResult> {
  const startMs = performance.now();
  const input = agentInput(request.options, request.action, readPasswordFile);
  const failed = (reason: string): AgentCallResult => ({ agent: request.agent, action: request.action, exec: 'error', exit: -1, durationMs: 0, reason: maskText(reason, input.secrets), stdout: '' });
  if (!AGENT_NAME.test(request.agent)) return failed(`Bad fence agent name '${request.agent}': a program name on PATH is expected`);
  if (input.kind === 'bad') return failed(input.problem);
  const result = await runCommand([request.agent], { timeoutMs: request.timeoutMs, env: request.env ?? agentEnv(process.env), input: input.text });
  const durationMs = Math.round(performance.now() - startMs);
  const exit = result.exec === 'done' ? result.code : -1;
  const isAnswer = result.exec === 'done' && (exit === AGENT_EXIT.success || exit === AGENT_EXIT.statusOff);
  const reason = maskText(callReason(request, result.exec, exit, agentLine(result.stdout, result.stderr, isAnswer)), input.secrets);
  return { agent: request.agent, action: request.action, exec: result.exec, exit, durationMs, reason, stdout: maskText(result.stdout, input.secrets) };
}

export type AgentInput =
  | { readonly kind: 'ok'; readonly text: string; readonly secrets: readonly string[] }
  | { readonly kind: 'bad'; readonly problem: string; readonly secrets: readonly string[] };

/**
 * The agent's stdin: one `key=value` line per option but ours, `password_file=` read into `password=`,
 * a flag with no value as `key=1` (the agents ignore a bare `key=`), then `action=`. Also the secret
 * values to mask. A value with a line break would smuggle in another option: refused.
 */
export function agentInput(options: FenceOptions, action: AgentAction, readPassword: (path: string) => string): AgentInput {
  const secrets = Object.entries(options).filter(([key, value]) => isSecretOption(key) && value !== '').map(([, value]) => value);
  const bad = (problem: string): AgentInput => ({ kind: 'bad', problem, secrets });
  const lines: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (RUNNER_OPTIONS.has(key) || key === 'action') continue;
    if (!OPTION_KEY.test(key)) return bad(`Bad fence option name '${key}'`);
    if (/[\r\n\0]/.test(value)) return bad(`Fence option '${key}' holds a line break`);
    lines.push(`${key}=${value === '' ? '1' : value}`);
  }
  const passwordFile = options['password_file'];
  if (passwordFile !== undefined) {
    const inline = ['password', 'passwd'].find((key) => Object.hasOwn(options, key));
    if (inline !== undefined) return bad(`Fence options '${inline}' and 'password_file' both set: keep one`);
    let password: string;
    try {
      password = readPassword(passwordFile).replace(/\r?\n$/, '');
    } catch (error) {
      return bad(`Cannot read password_file ${passwordFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (/[\r\n\0]/.test(password)) return bad(`password_file ${passwordFile} holds more than one line`);
    if (password !== '') secrets.push(password);
    lines.push(`password=${password}`);
  }
  lines.push(`action=${action}`);
  return { kind: 'ok', text: `${lines.join('\n')}\n`, secrets };
}

/** Every occurrence of every secret replaced by `***`, longest first (one secret may contain another). */
export function maskText(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) if (secret !== '') masked = masked.split(secret).join('***');
  return masked;
}

/**
 * The line that says what the agent did. After a failure: its last error line (`ERROR: ...`,
 * `Failed: ...`), else its last line on stderr, else on stdout. After a success: its last line on
 * stdout (`Status: ON`), else on stderr. Python's warnings (`DeprecationWarning` and the source line
 * under it) and the logging time stamp are left out; the agents' own `WARNING:` lines only come last.
 */
export function agentLine(stdout: string, stderr: string, isSuccess = false): string {
  const meaningful = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.trim() !== '' && !/^\s/.test(line) && !/Warning: /.test(line))
      .map((line) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d+ /, '').trim());
  const isWarning = (line: string) => /^WARNING\b/.test(line);
  const errors = meaningful(stderr);
  const outputs = meaningful(stdout);
  const lastOf = (lines: readonly string[], test: (line: string) => boolean) => [...lines].reverse().find(test);
  const isError = (line: string) => /ERROR|Failed|fail/i.test(line) && !isWarning(line);
  const candidates = isSuccess
    ? [lastOf(outputs, (line) => !isWarning(line)), lastOf(errors, (line) => !isWarning(line))]
    : [lastOf(errors, isError), lastOf(outputs, isError), lastOf(errors, (line) => !isWarning(line)), lastOf(outputs, (line) => !isWarning(line))];
  const line = candidates.find((candidate) => candidate !== undefined) ?? errors.at(-1) ?? outputs.at(-1) ?? '';
  return line.length > REASON_LENGTH_MAX ? `${line.slice(0, REASON_LENGTH_MAX)}...` : line;
}

function callReason(request: AgentCallRequest, exec: ExecStatus, exit: number, line: string): string {
  const what = `${request.agent} ${request.action}`;
  switch (exec) {
    case 'done':
      return `${what}: exit ${exit}${line !== '' ? `: ${line}` : ''}`;
    case 'timeout':
      return `${what}: timed out after ${request.timeoutMs / 1000} s (process group killed)${line !== '' ? `; last said: ${line}` : ''}`;
    case 'not-installed':
      return `${what}: ${request.agent} not found on PATH (Debian: apt-get install fence-agents)`;
    case 'error':
      return `${what}: killed by a signal or could not run${line !== '' ? `: ${line}` : ''}`;
  }
}

function readPasswordFile(path: string): string {
  return readFileSync(path, 'utf8');
}

/** This process's environment with the fence agents' directories on PATH. */
export function agentEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const path = (env['PATH'] ?? '').split(':').filter((dir) => dir !== '');
  const missing = AGENT_DIRS.filter((dir) => !path.includes(dir));
  return { ...env, PATH: [...path, ...missing].join(':') };
}
