import { isValidSid } from '../common/sid.ts';
import { DEVICE_ID_PATTERN } from '../fence/fence-config-file.ts';
import { STALE_READ_MS_MAX } from './sim-faults.ts';
import { FENCE_DEVICE_SLOW_S_MAX, type FenceDeviceState } from './sim-fence-devices.ts';

/** Clock drift beyond this is not drift but a broken clock; the timing rule's margin covers less. */
export const DRIFT_PERMILLE_MAX = 100;
/** A store slower than this per operation is down, not slow. */
export const STORE_LATENCY_S_MAX = 60;

/** The fault commands (documented in the header of sim-commands.ts). */
export type FaultCommand =
  | { kind: 'storage'; node: string; isOn: boolean; text: string }
  | { kind: 'store'; state: 'down' | 'up' | 'slow'; latencyS: number; text: string }
  | { kind: 'stale'; node: string; seconds: number; text: string }
  | { kind: 'pause'; node: string; seconds: number; daemons: 'all' | 'crm' | 'lrm'; text: string }
  | { kind: 'crash'; node: string; daemon: 'crm' | 'lrm' | 'mux'; text: string }
  | { kind: 'kdump'; node: string; text: string }
  | { kind: 'fence-device'; deviceId: string; state: FenceDeviceState; slowS: number | undefined; text: string }
  | { kind: 'drift'; node: string; permille: number; text: string }
  | { kind: 'fail'; sid: string; action: 'start' | 'stop' | 'migrate'; count: number; text: string }
  | { kind: 'heal'; text: string };

const isCount = (value: string | undefined): value is string => value !== undefined && /^\d+$/.test(value);

/**
 * Parses a fault command; undefined when the verb is not one of them, a message when it is but the
 * command is malformed.
 */
export function parseFaultCommand(
  text: string,
  { words, checkNode }: { words: readonly string[]; checkNode: (node: string | undefined) => string | undefined },
): FaultCommand | string | undefined {
  const [verb, first, second, third] = words;
  switch (verb) {
    case 'storage':
      if (words.length !== 3 || (second !== 'on' && second !== 'off')) return `'${text}': expected 'storage <node> on|off'`;
      return checkNode(first) ?? { kind: 'storage', node: first!, isOn: second === 'on', text };
    case 'store':
      if (words.length === 2 && (first === 'down' || first === 'up')) return { kind: 'store', state: first, latencyS: 0, text };
      if (words.length !== 3 || first !== 'slow' || !isCount(second) || Number(second) > STORE_LATENCY_S_MAX) {
        return `'${text}': expected 'store down|up' or 'store slow <seconds, at most ${STORE_LATENCY_S_MAX}>'`;
      }
      return { kind: 'store', state: 'slow', latencyS: Number(second), text };
    case 'stale':
      if (words.length !== 3 || !isCount(second) || Number(second) * 1000 > STALE_READ_MS_MAX) {
        return `'${text}': expected 'stale <node> <seconds, at most ${STALE_READ_MS_MAX / 1000}>'`;
      }
      return checkNode(first) ?? { kind: 'stale', node: first!, seconds: Number(second), text };
    case 'pause':
      if (words.length < 3 || words.length > 4 || !isCount(second) || (third !== undefined && third !== 'crm' && third !== 'lrm')) {
        return `'${text}': expected 'pause <node> <seconds> [crm|lrm]'`;
      }
      return checkNode(first) ?? { kind: 'pause', node: first!, seconds: Number(second), daemons: third ?? 'all', text };
    case 'crash':
      if (words.length === 3 && second === 'kdump') return checkNode(first) ?? { kind: 'kdump', node: first!, text };
      if (words.length !== 3 || (second !== 'crm' && second !== 'lrm' && second !== 'mux')) return `'${text}': expected 'crash <node> crm|lrm|mux|kdump'`;
      return checkNode(first) ?? { kind: 'crash', node: first!, daemon: second, text };
    case 'fence-device':
      return parseFenceDeviceCommand(text, words);
    case 'drift': {
      const permille = Number(second);
      if (words.length !== 3 || !/^-?\d+$/.test(second ?? '') || Math.abs(permille) > DRIFT_PERMILLE_MAX) {
        return `'${text}': expected 'drift <node> <permille, -${DRIFT_PERMILLE_MAX}..${DRIFT_PERMILLE_MAX}>'`;
      }
      return checkNode(first) ?? { kind: 'drift', node: first!, permille, text };
    }
    case 'fail':
      if (words.length !== 4 || !isValidSid(first ?? '') || (second !== 'start' && second !== 'stop' && second !== 'migrate') || !isCount(third)) {
        return `'${text}': expected 'fail <sid> start|stop|migrate <count>'`;
      }
      return { kind: 'fail', sid: first!, action: second, count: Number(third), text };
    case 'heal':
      return words.length === 1 ? { kind: 'heal', text } : `'${text}': expected 'heal'`;
    default:
      return undefined;
  }
}

/** `fence-device <id> ok|fail|hang` and `fence-device <id> slow <seconds>`; the id is checked against fence.cfg when the scenario loads. */
function parseFenceDeviceCommand(text: string, words: readonly string[]): FaultCommand | string {
  const [, deviceId, state, seconds] = words;
  const usage = `'${text}': expected 'fence-device <id> ok|fail|hang' or 'fence-device <id> slow <seconds, 1..${FENCE_DEVICE_SLOW_S_MAX}>'`;
  if (deviceId === undefined || !DEVICE_ID_PATTERN.test(deviceId)) return usage;
  if (words.length === 3 && (state === 'ok' || state === 'fail' || state === 'hang')) return { kind: 'fence-device', deviceId, state, slowS: undefined, text };
  if (words.length !== 4 || state !== 'slow' || !isCount(seconds) || Number(seconds) < 1 || Number(seconds) > FENCE_DEVICE_SLOW_S_MAX) return usage;
  return { kind: 'fence-device', deviceId, state: 'ok', slowS: Number(seconds), text };
}
