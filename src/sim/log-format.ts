import { eventLine } from '../common/event-words.ts';
import type { TraceEvent } from '../common/trace.ts';

/**
 * One readable line per event: the virtual time in seconds, then the daemons' own line
 * (src/common/event-words.ts), so the simulator's log and a real node's log read alike.
 */
export function formatEvent(event: TraceEvent): string {
  return `${String(event.t).padStart(6)}  ${eventLine(event)}`;
}
