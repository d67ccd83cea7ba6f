import { eventLine, lockName } from '../common/event-words.ts';
import { blackBoxWords, type JournalRow } from '../env/journal-reader.ts';
import type { ConsoleEvent, ConsoleEventKind } from './console-source.ts';

/**
 * The timeline's view of a node's journal row: fences, recoveries, migrations, errors, node and
 * master changes and operators' actions, in the daemons' own words (src/common/event-words.ts, as
 * `ha-manager log` prints them); null for the rows the timeline leaves out (routine lines, LRM
 * bookkeeping). The id is the source's, given later.
 */
export function consoleEventOf(row: JournalRow, node: string): Omit<ConsoleEvent, 'id'> | null {
  if (row.table === 'blackbox') return blackBoxEvent(row, node);
  const event = row.event;
  const kind = kindOfEvent(event);
  if (kind === null) return null;
  const sid = 'sid' in event && typeof event.sid === 'string' ? event.sid : null;
  return { wallMs: row.wallMs, node: event.node ?? node, sid, kind, text: eventLine(event) };
}

function kindOfEvent(event: Extract<JournalRow, { table: 'events' }>['event']): ConsoleEventKind | null {
  switch (event.ev) {
    case 'fence':
    case 'fence-ack':
    case 'fence-request':
    case 'fence-result':
    case 'fence-wait':
    case 'reset':
      return 'fence';
    case 'recover':
      return 'recovery';
    case 'recover-failed':
      return 'error';
    case 'node-state':
    case 'lrm-mode':
      return 'node';
    case 'crm-state':
      return event.to === 'master' || event.from === 'master' ? 'master' : null;
    case 'lock':
      // The master taking a lost node's agent lease is the step of a failover that frees its services
      // (a node taking its own agent lease is routine).
      return lockName(event.lock).startsWith('ha_agent_') && lockName(event.lock) !== `ha_agent_${event.node}_lock` ? 'fence' : null;
    case 'service-state':
      if (event.to === 'fence') return 'fence';
      if (event.to === 'error') return 'error';
      if (event.to === 'migrate' || event.to === 'relocate') return 'migration';
      return 'service';
    case 'service-action':
      return event.result === 'error' ? 'error' : null;
    case 'crm-command':
      return event.result === 'accepted' ? 'action' : 'error';
    case 'log':
      return event.level === 'err' ? 'error' : null;
    case 'disarm-state':
      return 'master';
    default:
      return null;
  }
}

function blackBoxEvent(row: Extract<JournalRow, { table: 'blackbox' }>, node: string): Omit<ConsoleEvent, 'id'> | null {
  const kind: ConsoleEventKind | null =
    row.kind === 'operator-action' ? 'action' : row.kind === 'fenced-published' ? 'fence' : row.kind === 'watchdog-failed' || row.kind === 'lease-lost' ? 'error' : null;
  if (kind === null) return null;
  return { wallMs: row.wallMs, node, sid: null, kind, text: `${node}/${row.daemon}: ${blackBoxWords(row.kind, row.detail).text}` };
}
