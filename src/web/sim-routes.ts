import { join } from 'node:path';
import { saveSessionDir } from '../sim/session-files.ts';
import type { ConsoleRoute } from './console-source.ts';
import { SPEED_MAX, SPEED_MIN, type SimSource } from './sim-source.ts';

/** A saved session's directory name: one path component, no dot first. */
const SAVE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type Answer = { readonly status: number; readonly body: unknown };

/**
 * The simulator's own routes beside the console's (the server applies the token and cross-site
 * checks to every POST):
 *
 *   POST /api/sim/power    { node, on }   power a node on or off      POST /api/sim/clock  { action: run|pause|step|finish, speed? }
 *   POST /api/sim/network  { node, on }   its cluster network         POST /api/sim/save   { name? } save as a scenario directory
 *   POST /api/sim/storage  { node, on }   its shared storage          GET  /api/sim/session the clock, the nodes' switches, the cmdlist
 *                                                                     GET  /api/sim/trace   the trace so far (JSON lines)
 *
 * Switches are scenario commands (`power node2 off`), recorded by the session like every action.
 */
export function simRoutes(source: SimSource, options: { saveRoot: string }): ConsoleRoute[] {
  const switchRoute = (verb: 'power' | 'network' | 'storage'): ConsoleRoute => ({
    method: 'POST',
    path: `/api/sim/${verb}`,
    handle: (body) => {
      const fields = objectOf(body);
      if (typeof fields?.node !== 'string' || typeof fields.on !== 'boolean') return bad(`Bad ${verb} request: expected {"node": "<node>", "on": true|false}`);
      const result = source.actText(`${verb} ${fields.node} ${fields.on ? 'on' : 'off'}`);
      return result.kind === 'done' ? { status: 200, body: result } : { status: 409, body: result };
    },
  });
  return [
    switchRoute('power'),
    switchRoute('network'),
    switchRoute('storage'),
    { method: 'POST', path: '/api/sim/clock', handle: (body) => clock(source, body) },
    { method: 'POST', path: '/api/sim/save', handle: (body) => save(source, { body, saveRoot: options.saveRoot }) },
    { method: 'GET', path: '/api/sim/session', handle: () => ({ status: 200, body: sessionView(source, options.saveRoot) }) },
    { method: 'GET', path: '/api/sim/trace', handle: () => ({ status: 200, body: { trace: source.session.traceText() } }) },
  ];
}

function clock(source: SimSource, body: unknown): Answer {
  const fields = objectOf(body);
  const speed = fields?.speed;
  if (speed !== undefined && (typeof speed !== 'number' || !Number.isFinite(speed) || speed < SPEED_MIN || speed > SPEED_MAX)) {
    return bad(`Bad clock request: "speed" must be ${SPEED_MIN} to ${SPEED_MAX} virtual seconds per second`);
  }
  if (typeof speed === 'number') source.setSpeed(speed);
  switch (fields?.action) {
    case 'run':
      if (source.session.ended !== undefined) return { status: 409, body: { kind: 'refused', message: `The session has ended (${source.session.ended.result})` } };
      source.run();
      break;
    case 'pause':
      source.pause();
      break;
    case 'step':
      source.stepOnce();
      break;
    case 'finish':
      source.finish();
      break;
    case undefined:
      if (speed === undefined) return bad('Bad clock request: give "action" (run, pause, step, finish) or "speed"');
      break;
    default:
      return bad(`Bad clock request: "action" must be run, pause, step or finish, got ${JSON.stringify(fields?.action)}`);
  }
  return { status: 200, body: sessionView(source, null) };
}

function save(source: SimSource, request: { body: unknown; saveRoot: string }): Answer {
  const session = source.session;
  const name = objectOf(request.body)?.name ?? `session-${Math.floor(session.timeMs / 1000)}s`;
  if (typeof name !== 'string' || !SAVE_NAME.test(name)) return bad(`Bad save request: "name" must be letters, digits, '.', '_' or '-' (one directory under ${request.saveRoot})`);
  const dir = join(request.saveRoot, name);
  try {
    const replay = saveSessionDir(dir, { files: source.options.files, cmdlist: session.cmdlist(), seed: session.seed, timeMs: session.timeMs });
    return { status: 200, body: { kind: 'done', dir, replay, message: `Saved to ${dir}; replay: ${replay}` } };
  } catch (error) {
    return { status: 409, body: { kind: 'refused', message: (error as Error).message } };
  }
}

/** What the simulator's controls show: the clock and each node's switches. */
export function sessionView(source: SimSource, saveRoot: string | null) {
  const { session } = source;
  const cluster = session.simulator.cluster;
  return {
    scenario: session.scenario.name,
    seed: session.seed,
    timeMs: session.timeMs,
    rounds: session.rounds,
    isRunning: source.isRunning,
    speed: source.speed,
    ended: session.ended?.result ?? null,
    nodes: cluster.nodeNames.map((node) => {
      const switches = cluster.node(node);
      return { node, isPoweredOn: switches.isPoweredOn, isNetworkOn: switches.isNetworkOn, isStorageOn: !cluster.faults.of(node).isStorageCut };
    }),
    cmdlist: session.cmdlist(),
    ...(saveRoot !== null ? { saveRoot } : {}),
  };
}

function objectOf(body: unknown): Record<string, unknown> | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

function bad(message: string): Answer {
  return { status: 400, body: { kind: 'refused', message } };
}
