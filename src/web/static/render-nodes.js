// The node grid: one card per node with the master's view, LRM mode, heartbeat age, watchdog, why it
// was fenced, and its services as chips coloured by state, each with its state as text.
import { el, fill, formatAge, formatTime, stateClass } from './dom.js';

/** Chips drawn per node; the rest are counted ("+N more"), so 100 nodes × 10,000 services stay light. */
const CHIPS_PER_NODE_MAX = 40;

/** Services by node (the node they are on, or moving to). */
export function servicesByNode(services) {
  const byNode = new Map();
  for (const service of services) {
    if (service.node === null) continue;
    let list = byNode.get(service.node);
    if (list === undefined) byNode.set(service.node, (list = []));
    list.push(service);
  }
  return byNode;
}

/** Redraws the cards of `dirtyNodes` (all when null) and removes cards of nodes gone. */
export function renderNodes(container, status, options) {
  const byNode = servicesByNode(status.services);
  const names = new Set(status.nodes.map((node) => node.node));
  for (const card of [...container.children]) if (!names.has(card.dataset.node)) card.remove();
  const cards = new Map([...container.children].map((card) => [card.dataset.node, card]));
  let previous = null;
  for (const node of status.nodes) {
    let card = cards.get(node.node);
    const isDirty = options.dirtyNodes === null || options.dirtyNodes.has(node.node) || card === undefined;
    if (isDirty) {
      const fresh = nodeCard(node, byNode.get(node.node) ?? [], { ...options, master: status.master?.node ?? null, disarm: status.disarm });
      if (card !== undefined) card.replaceWith(fresh);
      card = fresh;
    }
    const expected = previous === null ? container.firstElementChild : previous.nextElementSibling;
    if (card !== expected) (previous === null ? container.prepend(card) : previous.after(card));
    previous = card;
  }
}

function nodeCard(node, services, context) {
  const state = node.state ?? 'not listed';
  const isMaster = context.master === node.node;
  const fenced = node.fenced ? el('p', { class: 'fenced' }, `reset ${formatAge(node.fenced.ageMs)} ago: ${node.fenced.reason}`) : null;
  const fencing = fenceLines(node.fence);
  const chips = services.slice(0, CHIPS_PER_NODE_MAX).map((service) => serviceChip(service, context.onService));
  const more = services.length > CHIPS_PER_NODE_MAX ? el('span', { class: 'more' }, `+${services.length - CHIPS_PER_NODE_MAX} more`) : null;
  return el(
    'article',
    { class: `node ${stateClass('node', node.state)}`, data: { node: node.node } },
    el('h3', {}, nodeName(node.node, context.onNode), isMaster ? el('span', { class: 'tag' }, 'master') : null, el('span', { class: `badge ${stateClass('node', node.state)}` }, state)),
    el(
      'dl',
      {},
      el('dt', {}, 'LRM'),
      el('dd', {}, `${node.lrmMode ?? '–'} / ${node.lrmState ?? '–'}`),
      el('dt', {}, 'heartbeat'),
      el('dd', { class: 'heartbeat' }, formatAge(node.heartbeatAgeMs)),
      el('dt', {}, 'watchdog'),
      el('dd', {}, watchdogWords(node, context.disarm)),
      node.maintenance !== 'no' ? [el('dt', {}, 'maintenance'), el('dd', {}, node.maintenance)] : null,
    ),
    fenced,
    fencing,
    el('div', { class: 'chips' }, chips, more),
  );
}

/** External fencing as the master reports it: the job under way, an operator's confirmation, the last proof. */
function fenceLines(fence) {
  if (!fence) return null;
  const { attempt, ackBy, lastProof } = fence;
  return [
    attempt ? el('p', { class: 'fenced' }, `fencing: level ${attempt.level + 1}, ${attempt.action}${attempt.failedPasses > 0 ? `, ${attempt.failedPasses} failed passes` : ''}`) : null,
    ackBy ? el('p', { class: 'fenced' }, `confirmed down by ${ackBy} (fence-ack), not used yet`) : null,
    lastProof ? el('p', { class: 'proof' }, `last fence: ${lastProof.proof}${lastProof.by ? ` by ${lastProof.by}` : ''} at ${formatTime(lastProof.timestampMs)}`) : null,
  ];
}

/**
 * What the node's LRM does with its watchdog: it arms it while it holds its agent lease and the stack
 * is armed. For a node the master has lost, that is only what it last reported.
 */
function watchdogWords(node, disarm) {
  const words = disarm ? `released (HA ${disarm.state ?? 'disarmed'})` : lrmWatchdogWords(node.lrmState);
  const isLost = node.state === 'unknown' || node.state === 'fence' || node.state === 'gone';
  return isLost && node.lrmState !== null ? `last reported ${words}` : words;
}

function lrmWatchdogWords(lrmState) {
  if (lrmState === 'active') return 'armed';
  if (lrmState === 'lost_agent_lock') return 'expiring (lease lost)';
  return lrmState === null ? 'unknown' : 'not armed';
}

/** The node's name; a click puts it into the action form (maintenance, fence-ack, a move's target). */
function nodeName(name, onNode) {
  const button = el('button', { type: 'button', class: 'name', title: `use ${name} in the action form` }, name);
  button.addEventListener('click', () => onNode(name));
  return button;
}

export function serviceChip(service, onService) {
  const state = service.state ?? 'new';
  const chip = el('button', { type: 'button', class: `chip ${stateClass('svc', service.state)}`, title: `${service.sid}: ${state}`, data: { sid: service.sid } }, el('span', { class: 'sid' }, service.sid), el('span', { class: 'label' }, state));
  chip.addEventListener('click', () => onService(service.sid));
  return chip;
}

/** The legend: every colour with its words. */
export function renderLegend(container) {
  const states = ['started', 'request_start', 'migrate', 'relocate', 'fence', 'recovery', 'freeze', 'stopped', 'error'];
  fill(container, 'services: ', states.map((state) => el('span', { class: `chip ${stateClass('svc', state)}` }, el('span', { class: 'label' }, state))));
}
