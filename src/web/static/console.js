// The web console's page (issue 13): one stream of Server-Sent Events (read through fetch, so that the
// token can go in a header), a snapshot first, then patches (status-patch.js) and new events; drawn at
// most once per animation frame. Every string is set as text (dom.js).
import { post, pickService, setUpActions, setUpToken, tokenHeaders } from './actions.js';
import { el, fill, formatAge } from './dom.js';
import { renderLegend, renderNodes } from './render-nodes.js';
import { filterServices, serviceDetail, ServiceTable } from './render-services.js';
import { failoversOf, renderFailovers, renderTimeline } from './render-timeline.js';
import { applyStatusPatch } from './status-patch.js';

/** Wait before reconnecting after the stream ends (server restart, network). */
const RECONNECT_MS = 1000;
/** Events the page keeps (the server keeps as many). */
const EVENTS_MAX = 500;

const state = { kind: null, status: null, events: [], dirtyNodes: null, lastHeard: new Map(), cuts: new Map(), updates: 0, renderedWallMs: 0 };
const table = new ServiceTable(document.getElementById('services'), document.getElementById('services-spacer'), onService);
let isScheduled = false;
let controller = null;

/** For the simulator's controls (static/simulator.js) and the browser tests. */
window.haConsole = { state, post, el, fill, schedule: () => schedule(null) };

function onService(sid) {
  const service = state.status?.services.find((candidate) => candidate.sid === sid);
  if (service) pickService(service, serviceDetail(service));
}

function onNode(node) {
  document.getElementById('action-node').value = node;
}

function schedule(dirtyNodes) {
  if (dirtyNodes === null) state.dirtyNodes = null;
  else if (state.dirtyNodes !== null) for (const node of dirtyNodes) state.dirtyNodes.add(node);
  if (isScheduled) return;
  isScheduled = true;
  requestAnimationFrame(() => {
    isScheduled = false;
    render();
    state.dirtyNodes = new Set();
  });
}

function render() {
  const status = state.status;
  if (status !== null) {
    renderSummary(status);
    renderNodes(document.getElementById('nodes'), status, { dirtyNodes: state.dirtyNodes, onService, onNode });
    updateAges(status);
    const rows = filterServices(status.services, document.getElementById('service-filter').value);
    document.getElementById('service-count').textContent = `${rows.length} of ${status.services.length}`;
    table.setRows(rows);
    renderQueue(status);
    fillDatalists(status);
  }
  renderTimeline(document.getElementById('timeline'), state.events);
  renderFailovers(document.getElementById('failovers'), failoversOf(state.events, state.lastHeard, state.cuts));
  state.updates++;
  state.renderedWallMs = Date.now();
}

function renderSummary(status) {
  const master = status.master;
  document.getElementById('master').textContent = master ? `${master.node}${master.isExpired ? ' (lease expired)' : ''}` : 'none';
  document.getElementById('lease-age').textContent = formatAge(master?.leaseAgeMs ?? null);
  const quorum = document.getElementById('quorum');
  quorum.textContent = status.quorum.isOk ? 'OK' : `no: ${status.quorum.reason}`;
  quorum.className = status.quorum.isOk ? 'ok' : 'bad';
  const disarm = document.getElementById('disarm');
  disarm.hidden = status.disarm === null;
  disarm.textContent = status.disarm ? `HA ${status.disarm.state} (${status.disarm.mode})` : '';
  const problem = document.getElementById('problem');
  problem.hidden = status.configError === undefined && state.problem == null;
  problem.textContent = state.problem ?? (status.configError !== undefined ? `config: ${status.configError}` : '');
}

/** Ages change every second: their text is updated in place, the cards are not redrawn for them. */
function updateAges(status) {
  for (const node of status.nodes) {
    if (node.heartbeatAgeMs !== null) state.lastHeard.set(node.node, status.wallMs - node.heartbeatAgeMs);
    const cell = document.querySelector(`#nodes article[data-node="${CSS.escape(node.node)}"] .heartbeat`);
    if (cell) cell.textContent = formatAge(node.heartbeatAgeMs);
  }
}

function renderQueue(status) {
  const queue = document.getElementById('queue');
  if (status.queuedRequests.length === 0) return fill(queue, el('li', { class: 'empty' }, 'none'));
  fill(queue, status.queuedRequests.map((queued) => el('li', {}, el('code', {}, queued.request), ` waiting ${formatAge(queued.ageMs)}`)));
}

function fillDatalists(status) {
  fill(document.getElementById('node-list'), status.nodes.map((node) => el('option', { value: node.node })));
  const sidList = document.getElementById('sid-list');
  if (sidList.childElementCount !== Math.min(status.services.length, 200)) fill(sidList, status.services.slice(0, 200).map((service) => el('option', { value: service.sid })));
}

/** Nodes whose cards change with this patch: node fields other than ages, services moving on or off. */
function dirtyNodesOf(before, patch) {
  const dirty = new Set();
  const nodesBefore = new Map(before.nodes.map((node) => [node.node, node]));
  for (const [key, node] of patch.nodes?.upsert ?? []) if (shapeOf(nodesBefore.get(key)) !== shapeOf(node)) dirty.add(key);
  for (const key of patch.nodes?.remove ?? []) dirty.add(key);
  if (patch.services !== undefined || patch.top?.master !== undefined || patch.top?.disarm !== undefined) {
    const servicesBefore = new Map(before.services.map((service) => [service.sid, service]));
    for (const [sid, service] of patch.services?.upsert ?? []) {
      dirty.add(service.node);
      const old = servicesBefore.get(sid);
      if (old) dirty.add(old.node);
    }
    for (const sid of patch.services?.remove ?? []) dirty.add(servicesBefore.get(sid)?.node);
    if (patch.top?.master !== undefined || patch.top?.disarm !== undefined || patch.services?.order !== undefined) return null;
  }
  return dirty;
}

function shapeOf(node) {
  return node === undefined ? '' : JSON.stringify({ ...node, heartbeatAgeMs: null, fenced: node.fenced ? { ...node.fenced, ageMs: null } : null });
}

function onMessage(event, data) {
  switch (event) {
    case 'snapshot':
      state.kind = data.kind;
      state.status = data.status;
      state.events = data.events;
      state.problem = data.problem;
      if (data.kind === 'simulator') import('/static/simulator.js').then((module) => module.start?.(window.haConsole));
      return schedule(null);
    case 'status':
      state.status = data;
      return schedule(null);
    case 'patch': {
      if (state.status === null) return;
      const dirty = dirtyNodesOf(state.status, data);
      state.status = applyStatusPatch(state.status, data);
      return schedule(dirty);
    }
    case 'events':
      state.events = state.events.concat(data).slice(-EVENTS_MAX);
      return schedule(new Set());
    case 'problem':
      state.problem = data.message;
      return schedule(new Set());
  }
}

async function connect() {
  controller?.abort();
  controller = new AbortController();
  const connection = document.getElementById('connection');
  try {
    const response = await fetch('/api/events', { headers: tokenHeaders(), cache: 'no-store', signal: controller.signal });
    if (!response.ok) {
      connection.textContent = `refused: ${(await response.text()).trim()}`;
      return; // a token entered in the form reconnects
    }
    connection.textContent = 'live';
    await readStream(response.body);
  } catch (error) {
    if (error.name === 'AbortError') return;
  }
  connection.textContent = 'reconnecting…';
  setTimeout(connect, RECONNECT_MS);
}

async function readStream(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (event !== undefined && data !== undefined) onMessage(event, JSON.parse(data));
    }
  }
}

document.getElementById('service-filter').addEventListener('input', () => schedule(new Set()));
renderLegend(document.getElementById('legend'));
setUpToken(connect);
setUpActions(() => {});
connect();
