/**
 * The values fence.cfg gives meaning to beyond an agent's own options: our runner options (`timeout`,
 * `password_file`), the `action` the runner sets itself, and the options of a `node` line. One checker
 * for the file's parser and the `ha-manager fence` commands, so both refuse the same things in the same
 * words. Problems are sentences that never hold an option's value (it may be a secret).
 */
import { formatOption } from './fence-config-words.ts';
import type { FenceNodeSettings } from './fence-config.ts';

/** An hour: an agent call that has not ended by then is hung, and the node stays unfenced meanwhile. */
export const FENCE_CALL_TIMEOUT_S_MAX = 3600;

/** A day: a soft-fenced node that has not come back by then will not, and a hard fence is due. */
export const SOFT_GRACE_S_MAX = 86_400;

/** Keys of a `node` line. */
export const NODE_LINE_OPTIONS = ['watchdog', 'soft_check', 'soft_fence', 'soft_grace'] as const;

/** Options the runner sets on every call: configuring them would change what a fence does. */
const RUNNER_SET_OPTIONS = new Set(['action']);

/** The problem with one device or connect option, or undefined when it is fine. */
export function checkFenceOption(key: string, value: string): string | undefined {
  if (RUNNER_SET_OPTIONS.has(key)) return `Option '${key}' is set by the fence runner for each call (off, on, status), not in fence.cfg`;
  if (key === 'timeout') {
    const seconds = positiveSeconds(value, FENCE_CALL_TIMEOUT_S_MAX);
    if (seconds === undefined) return `Bad timeout: a whole number of seconds from 1 to ${FENCE_CALL_TIMEOUT_S_MAX}`;
  }
  if (key === 'password_file' && !value.startsWith('/')) {
    return 'Bad password_file: an absolute path (the fence runs on a proxy node, in its own working directory)';
  }
  return undefined;
}

function positiveSeconds(text: string, max: number): number | undefined {
  if (!/^[1-9][0-9]*$/.test(text)) return undefined;
  const seconds = Number(text);
  return seconds <= max ? seconds : undefined;
}

/** A `node` line's settings from its options, or the problem. */
export function checkNodeLine(options: ReadonlyMap<string, string>, line: number): FenceNodeSettings | string {
  for (const key of options.keys()) {
    if (!(NODE_LINE_OPTIONS as readonly string[]).includes(key)) return `Unknown node option '${key}': expected ${NODE_LINE_OPTIONS.join(', ')}`;
  }
  const watchdog = options.get('watchdog') ?? 'default';
  if (watchdog !== 'none' && watchdog !== 'default') return `Bad watchdog '${watchdog}': none or default`;
  const softCheck = options.get('soft_check');
  const softFence = options.get('soft_fence');
  if ((softCheck === undefined) !== (softFence === undefined)) return 'soft_check and soft_fence come together: the check says the host answers, the fence restarts its LRM';
  if (softCheck === '' || softFence === '') return 'soft_check and soft_fence need a command';
  const grace = options.get('soft_grace');
  if (grace !== undefined && softFence === undefined) return 'soft_grace without soft_check and soft_fence: there is no soft fence to wait for';
  const softGraceS = grace === undefined ? undefined : positiveSeconds(grace, SOFT_GRACE_S_MAX);
  if (grace !== undefined && softGraceS === undefined) return `Bad soft_grace '${grace}': a whole number of seconds from 1 to ${SOFT_GRACE_S_MAX}`;
  return {
    watchdog,
    ...(softCheck !== undefined ? { softCheck } : {}),
    ...(softFence !== undefined ? { softFence } : {}),
    ...(softGraceS !== undefined ? { softGraceS } : {}),
    line,
  };
}

export function formatNodeLine(node: string, settings: FenceNodeSettings): string {
  const words = ['node', node];
  if (settings.watchdog === 'none') words.push('watchdog=none');
  if (settings.softCheck !== undefined) words.push(formatOption('soft_check', settings.softCheck));
  if (settings.softFence !== undefined) words.push(formatOption('soft_fence', settings.softFence));
  if (settings.softGraceS !== undefined) words.push(`soft_grace=${settings.softGraceS}`);
  return words.join(' ');
}
