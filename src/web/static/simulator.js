// The simulator's controls (`ha-manager simulate --web`), loaded by console.js when the source is the
// simulator: a power, network and storage switch per node, the clock (run, pause, one round, speed, to
// the end) and save. Service commands use the console's own action form. Every switch is a scenario
// command the session records (POST /api/sim/*, token and cross-site checks as for every action).
// Strings are set as text (dom.js via ui.el), never markup.

/** How often the page looks whether the simulated time moved (then it reads /api/sim/session). */
const WATCH_MS = 250;
/** Speeds offered, in virtual seconds per wall second (the server accepts 1 to 1000). */
const SPEEDS = [1, 5, 20, 100, 500];

let started = false;

export function start(ui) {
  if (started) return; // a reconnect sends a new snapshot
  started = true;
  document.head.append(ui.el('link', { rel: 'stylesheet', href: '/static/simulator.css' }));
  const root = document.getElementById('source-controls');
  root.hidden = false;
  const view = { session: null, shownMs: null, isFetching: false };
  const result = ui.el('p', { id: 'sim-result', class: 'result', role: 'status' });
  const clock = ui.el('div', { class: 'sim-clock' });
  const switches = ui.el('div', { id: 'sim-switches', class: 'sim-switches' });
  ui.fill(root, ui.el('h2', {}, 'Simulator'), clock, switches, result);

  const show = (answer) => {
    const body = answer.body;
    const message = typeof body === 'string' ? body : (body.message ?? (body.recorded !== undefined ? `recorded: ${body.recorded}${body.when === 'next-slot' ? ' (runs at the next command slot)' : body.when === 'next-round' ? ' (runs as the next round starts)' : ''}` : 'done'));
    ui.fill(result, ui.el('span', { class: answer.status === 200 ? 'done' : 'refused' }, message));
  };
  const send = async (path, body) => {
    const answer = await ui.post(path, body);
    show(answer);
    await refresh();
    return answer;
  };
  const refresh = async () => {
    if (view.isFetching) return;
    view.isFetching = true;
    try {
      const response = await fetch('/api/sim/session', { cache: 'no-store' });
      if (response.ok) view.session = await response.json();
    } finally {
      view.isFetching = false;
    }
    render();
  };

  const render = () => {
    const session = view.session;
    if (session === null) return;
    view.shownMs = session.timeMs;
    renderClock(ui, clock, session, send);
    renderSwitches(ui, switches, session, send);
  };

  setInterval(() => {
    const wallMs = ui.state.status?.wallMs ?? null;
    if (wallMs !== view.shownMs) refresh();
  }, WATCH_MS);
  refresh();
}

function renderClock(ui, root, session, send) {
  const state = session.ended !== null ? `ended (${session.ended})` : session.isRunning ? 'running' : 'paused';
  const speed = ui.el('select', { id: 'sim-speed', 'aria-label': 'speed' }, SPEEDS.map((value) => ui.el('option', { value: String(value), selected: value === session.speed }, `${value}× (${value} s per s)`)));
  if (!SPEEDS.includes(session.speed)) speed.append(ui.el('option', { value: String(session.speed), selected: true }, `${session.speed}×`));
  speed.addEventListener('change', () => send('/api/sim/clock', { speed: Number(speed.value) }));
  const button = (id, label, body, disabled) => {
    const node = ui.el('button', { id, type: 'button', disabled }, label);
    node.addEventListener('click', () => send('/api/sim/clock', body));
    return node;
  };
  const isOver = session.ended !== null;
  const name = ui.el('input', { id: 'sim-save-name', placeholder: `session-${Math.floor(session.timeMs / 1000)}s`, 'aria-label': 'save as', size: 16 });
  const save = ui.el('button', { id: 'sim-save', type: 'button' }, 'save');
  save.addEventListener('click', () => send('/api/sim/save', name.value.trim() === '' ? {} : { name: name.value.trim() }));
  ui.fill(
    root,
    ui.el('span', { class: 'sim-time' }, 'time ', ui.el('b', { id: 'sim-time' }, formatClock(session.timeMs)), ` · round ${session.rounds} · `, ui.el('b', { id: 'sim-state' }, state)),
    button('sim-run', 'run', { action: 'run' }, isOver || session.isRunning),
    button('sim-pause', 'pause', { action: 'pause' }, isOver || !session.isRunning),
    button('sim-step', 'one round', { action: 'step' }, isOver),
    ui.el('label', {}, 'speed ', speed),
    button('sim-finish', 'run to end', { action: 'finish' }, isOver),
    ui.el('span', { class: 'sim-save' }, name, save),
  );
}

function renderSwitches(ui, root, session, send) {
  const rows = session.nodes.map((node) => {
    const toggle = (verb, isOn, disabled) =>
      ui.el('button', { type: 'button', class: `switch ${isOn ? 'switch-on' : 'switch-off'}`, 'aria-pressed': isOn ? 'true' : 'false', disabled, data: { node: node.node, verb } }, `${verb}: ${isOn ? 'on' : 'off'}`);
    const buttons = [toggle('power', node.isPoweredOn, session.ended !== null), toggle('network', node.isNetworkOn, session.ended !== null || !node.isPoweredOn), toggle('storage', node.isStorageOn, session.ended !== null)];
    for (const button of buttons) {
      button.addEventListener('click', () => send(`/api/sim/${button.dataset.verb}`, { node: node.node, on: button.getAttribute('aria-pressed') !== 'true' }));
    }
    return ui.el('div', { class: 'sim-node', data: { node: node.node } }, ui.el('b', {}, node.node), buttons);
  });
  ui.fill(root, rows);
}

/** Virtual time since the run started, `00:12:40`. */
function formatClock(ms) {
  const s = Math.floor(ms / 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
