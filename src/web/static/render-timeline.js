// The timeline of events (newest first) and the failover timelines derived from it: for each node the
// master lost, cut (its last heartbeat) → unknown → fence → its agent lease taken → services recovered,
// with the time of each step. The steps are read from the daemons' own lines (src/common/event-words.ts).
import { el, fill, formatAge, formatTime } from './dom.js';

/** Events listed in the timeline; older ones stay in the page's memory up to the server's limit. */
const TIMELINE_ROWS_MAX = 200;
/** Failovers shown, newest first. */
const FAILOVERS_MAX = 10;

const NODE_STATE = /node '([^']+)': state changed from '(\w+)' => '(\w+)'/;
const LEASE_TAKEN = /successfully acquired lock 'ha_agent_(.+)_lock'/;
const RECOVERED = /recover service '([^']+)' from fenced node '([^']+)' to node '([^']+)'/;

export function renderTimeline(container, events) {
  const shown = events.slice(-TIMELINE_ROWS_MAX).reverse();
  fill(
    container,
    shown.map((event) => el('li', { class: `event kind-${event.kind}`, data: { id: String(event.id) } }, el('time', {}, formatTime(event.wallMs)), el('span', { class: 'kind' }, event.kind), el('span', { class: 'text' }, event.text))),
  );
}

/**
 * The failovers in `events`; `lastHeard` maps a node to the wall time of its last heartbeat as the page
 * saw it, which stands for the cut (a cut node's heartbeat stops there). `cuts` keeps each failover's
 * cut once seen, so it does not move when the node comes back and beats again.
 */
export function failoversOf(events, lastHeard, cuts) {
  const open = new Map();
  const all = [];
  for (const event of events) {
    const nodeState = NODE_STATE.exec(event.text);
    if (nodeState !== null) {
      const [, node, , to] = nodeState;
      // A failover lasts until the node is back online (fence → unknown after the fence is part of it).
      if (to === 'unknown' && !open.has(node)) {
        const key = `${node}@${event.wallMs}`;
        if (!cuts.has(key) && lastHeard.has(node)) cuts.set(key, Math.min(lastHeard.get(node), event.wallMs));
        const failover = { node, key, cutMs: cuts.get(key) ?? null, unknownMs: event.wallMs, fenceMs: null, leaseMs: null, recovered: [], backMs: null };
        open.set(node, failover);
        all.push(failover);
      } else if (open.has(node)) {
        if (to === 'fence') open.get(node).fenceMs ??= event.wallMs;
        if (to === 'online') {
          open.get(node).backMs = event.wallMs;
          open.delete(node);
        }
      }
      continue;
    }
    const lease = LEASE_TAKEN.exec(event.text);
    if (lease !== null && open.has(lease[1])) open.get(lease[1]).leaseMs ??= event.wallMs;
    const recovered = RECOVERED.exec(event.text);
    if (recovered !== null) {
      const failover = open.get(recovered[2]) ?? [...all].reverse().find((candidate) => candidate.node === recovered[2]);
      if (failover !== undefined) failover.recovered.push({ sid: recovered[1], to: recovered[3], wallMs: event.wallMs });
    }
  }
  return all.slice(-FAILOVERS_MAX).reverse();
}

export function renderFailovers(container, failovers) {
  if (failovers.length === 0) return fill(container, el('p', { class: 'empty' }, 'No failover seen.'));
  fill(container, failovers.map(failoverRow));
}

function failoverRow(failover) {
  const lastRecovered = failover.recovered.length > 0 ? failover.recovered[failover.recovered.length - 1].wallMs : null;
  const steps = [
    { label: 'cut (last heartbeat)', wallMs: failover.cutMs },
    { label: 'unknown', wallMs: failover.unknownMs },
    { label: 'fence', wallMs: failover.fenceMs },
    { label: 'lease taken', wallMs: failover.leaseMs },
    { label: failover.recovered.length > 0 ? `recovered ${failover.recovered.map((entry) => `${entry.sid} → ${entry.to}`).join(', ')}` : 'recovered', wallMs: lastRecovered },
  ];
  let previousMs = null;
  const start = steps.find((step) => step.wallMs !== null)?.wallMs ?? null;
  const items = steps.map((step) => {
    const delta = step.wallMs !== null && previousMs !== null ? `+${formatAge(step.wallMs - previousMs)}` : step.wallMs !== null ? formatTime(step.wallMs) : 'pending';
    if (step.wallMs !== null) previousMs = step.wallMs;
    return el('li', { class: step.wallMs === null ? 'step pending' : 'step done' }, el('span', { class: 'step-label' }, step.label), el('span', { class: 'step-time' }, delta));
  });
  const total = lastRecovered !== null && start !== null ? `recovered ${formatAge(lastRecovered - start)} after the cut` : 'under way';
  return el('div', { class: 'failover', data: { node: failover.node } }, el('h3', {}, `${failover.node}: `, el('span', { class: 'total' }, total)), el('ol', { class: 'steps' }, items));
}
