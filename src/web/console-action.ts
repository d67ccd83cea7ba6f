import type { ConsoleAction } from './console-source.ts';

/**
 * The body of `POST /api/actions` checked field by field: a ConsoleAction, or one line naming the
 * field that is wrong. The source checks what the values mean (a known sid, a node of the group) with
 * the CLI's own checks; this only makes sure the shape is one the source can be handed.
 */
export function parseConsoleAction(body: unknown): { ok: true; action: ConsoleAction } | { ok: false; problem: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('Bad action: expected a JSON object with a "kind"');
  const fields = body as Record<string, unknown>;
  const text = (name: string): string | undefined => (typeof fields[name] === 'string' && fields[name] !== '' ? (fields[name] as string) : undefined);
  const kind = fields.kind;
  switch (kind) {
    case 'migrate':
    case 'relocate': {
      const sid = text('sid');
      const node = text('node');
      return sid === undefined ? missing(kind, 'sid') : node === undefined ? missing(kind, 'node') : { ok: true, action: { kind, sid, node } };
    }
    case 'stop': {
      const sid = text('sid');
      const timeoutS = fields.timeoutS;
      if (sid === undefined) return missing(kind, 'sid');
      if (typeof timeoutS !== 'number' || !Number.isSafeInteger(timeoutS)) return bad('Bad action stop: "timeoutS" must be a whole number of seconds');
      return { ok: true, action: { kind, sid, timeoutS } };
    }
    case 'set-state': {
      const sid = text('sid');
      const state = fields.state;
      if (sid === undefined) return missing(kind, 'sid');
      if (state !== 'started' && state !== 'stopped' && state !== 'disabled' && state !== 'ignored') return bad(`Bad action set-state: "state" must be started, stopped, disabled or ignored, got ${JSON.stringify(state)}`);
      return { ok: true, action: { kind, sid, state } };
    }
    case 'maintenance': {
      const node = text('node');
      const action = fields.action;
      if (node === undefined) return missing(kind, 'node');
      if (action !== 'enable' && action !== 'disable') return bad(`Bad action maintenance: "action" must be enable or disable, got ${JSON.stringify(action)}`);
      return { ok: true, action: { kind, node, action } };
    }
    case 'disarm': {
      const mode = fields.mode;
      if (mode !== 'freeze' && mode !== 'ignore') return bad(`Bad action disarm: "mode" must be freeze or ignore, got ${JSON.stringify(mode)}`);
      return { ok: true, action: { kind, mode } };
    }
    case 'arm':
      return { ok: true, action: { kind } };
    case 'fence-ack': {
      const node = text('node');
      return node === undefined ? missing(kind, 'node') : { ok: true, action: { kind, node } };
    }
    default:
      return bad(`Bad action kind ${JSON.stringify(kind)}: expected migrate, relocate, stop, set-state, maintenance, disarm, arm or fence-ack`);
  }
}

function missing(kind: string, field: string): { ok: false; problem: string } {
  return bad(`Bad action ${kind}: "${field}" is missing or empty`);
}

function bad(problem: string): { ok: false; problem: string } {
  return { ok: false, problem };
}
