/**
 * The trace vocabulary: every state change worth checking, one JSON object per event. The names and
 * fields are the contract of `ha-manager simulate --trace` (see docs/trace.md); the core emits
 * events without time and node, the environment stamps both.
 */
import type { FenceProof } from './manager-status.ts';
import type { DisarmMode, DisarmState } from './states.ts';

export type TraceBody =
  | { ev: 'cmd'; cmd: string }
  | { ev: 'boot'; target: string; reason: string }
  | { ev: 'crm-state'; from: string; to: string }
  | { ev: 'lrm-state'; from: string; to: string }
  | { ev: 'node-state'; target: string; from: string; to: string }
  | { ev: 'service-add'; sid: string; on: string; state: string }
  | { ev: 'service-state'; sid: string; from: string; to: string; on: string; target: string | null; timeout?: number; reason?: 'disarm' }
  | { ev: 'service-remove'; sid: string; reason: 'deleted' | 'ignored' }
  | { ev: 'recover'; sid: string; from: string; to: string }
  | { ev: 'fence'; target: string }
  | { ev: 'fence-ack'; target: string; proof?: FenceProof; by?: string }
  | { ev: 'fence-request'; target: string; action: 'off' | 'on' | 'soft'; level: number; proxy: string }
  | { ev: 'fence-result'; target: string; action: 'off' | 'on' | 'soft'; level: number; proxy: string; result: 'ok' | 'failed'; reason?: string }
  | { ev: 'fence-wait'; sid: string; target: string; reason: string }
  | { ev: 'reset'; target: string; reason: ResetReason }
  | { ev: 'service-action'; sid: string; action: string; result: 'ok' | 'error' | 'ignored'; target?: string; reason?: string }
  | { ev: 'policy'; sid: string; kind: string; detail: Record<string, unknown> }
  | { ev: 'lock'; lock: string }
  | { ev: 'crm-command'; cmd: string; result: 'accepted' | 'error' | 'ignored'; reason?: string; via?: string }
  | { ev: 'rule-dropped'; rule: string; reason: string }
  | { ev: 'group-migration'; result: 'ok' | 'failed'; reason?: string }
  | { ev: 'recover-failed'; sid: string; from: string; reason?: string }
  | { ev: 'daemon-exit'; daemon: 'crm' | 'lrm' }
  | { ev: 'lrm-shutdown'; policy: string }
  | { ev: 'lrm-mode'; mode: string; why: string }
  | { ev: 'service-fixup'; sid: string; from: string; to: string; reason?: 'arm' | 'wrong-node' }
  | { ev: 'disarm-state'; from: 'armed' | DisarmState; to: 'armed' | DisarmState; mode?: DisarmMode }
  | { ev: 'service-tracking'; sid: string; tracking: 'suspended' }
  | { ev: 'rebalance'; sid: string; action: 'migrate' | 'relocate'; target: string; imbalance_from: number; imbalance_to: number }
  | { ev: 'sim-end'; result: string }
  | { ev: 'log'; level: LogLevel; msg: string };

export type TraceEventKind = TraceBody['ev'];
/** Why a node powered off: `fence` by its fence devices (a level's off), `kdump` a kernel crash that writes a dump. */
export type ResetReason = 'watchdog' | 'power' | 'shutdown' | 'reboot' | 'fence' | 'kdump';

export type LogLevel = 'info' | 'notice' | 'warn' | 'err';

export type TraceEvent = TraceBody & { t: number; node: string | null };

/** Where the core sends its events; the environment stamps time and node. */
export type EmitEvent = (body: TraceBody) => void;

/** A trace event at a simulated time (ms): whole seconds, as the reference log counts them. */
export function traceEventAt(timeMs: number, node: string | null, body: TraceBody): TraceEvent {
  return { t: Math.floor(timeMs / 1000), node, ...body } as TraceEvent;
}
