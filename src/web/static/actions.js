// The action form and the token: the token is entered once and kept in sessionStorage (gone with the
// tab), sent in a header on every request that changes state (never a cookie). Every answer is shown
// as text.
import { el, fill } from './dom.js';

const TOKEN_KEY = 'ha-manager-console-token';
export const TOKEN_HEADER = 'x-ha-manager-token';

/** Which fields each action takes (the form shows only those). */
const FIELDS = {
  migrate: ['sid', 'node'],
  relocate: ['sid', 'node'],
  stop: ['sid', 'timeout'],
  'set-state': ['sid', 'state'],
  maintenance: ['node', 'maintenance'],
  disarm: ['mode'],
  arm: [],
  'fence-ack': ['node'],
};

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function tokenHeaders() {
  const token = storedToken();
  return token === '' ? {} : { [TOKEN_HEADER]: token };
}

/** POSTs JSON with the token; returns { status, body } (body parsed when JSON, else the text line). */
export async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...tokenHeaders() }, body: JSON.stringify(body) });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: response.status, body: isJson ? JSON.parse(text) : text.trim() };
}

export function setUpToken(onToken) {
  const form = document.getElementById('token-form');
  const input = document.getElementById('token');
  const state = document.getElementById('token-state');
  const show = () => (state.textContent = storedToken() === '' ? 'no token: actions are refused' : 'token set');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = '';
    show();
    onToken();
  });
  show();
}

export function setUpActions(onDone) {
  const form = document.getElementById('action-form');
  const kind = document.getElementById('action-kind');
  const showFields = () => {
    for (const label of form.querySelectorAll('label[data-for]')) label.hidden = !FIELDS[kind.value].includes(label.dataset.for);
  };
  kind.addEventListener('change', showFields);
  showFields();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const action = actionOf(kind.value);
    const result = document.getElementById('action-result');
    fill(result, 'sending…');
    try {
      const { status, body } = await post('/api/actions', action);
      showResult(result, status, body);
    } catch (error) {
      fill(result, el('span', { class: 'refused' }, `not sent: ${error.message}`));
    }
    onDone();
  });
}

function actionOf(kind) {
  const value = (id) => document.getElementById(id).value.trim();
  switch (kind) {
    case 'migrate':
    case 'relocate':
      return { kind, sid: value('action-sid'), node: value('action-node') };
    case 'stop':
      return { kind, sid: value('action-sid'), timeoutS: Number(value('action-timeout')) };
    case 'set-state':
      return { kind, sid: value('action-sid'), state: value('action-state') };
    case 'maintenance':
      return { kind, node: value('action-node'), action: value('action-maintenance') };
    case 'disarm':
      return { kind, mode: value('action-mode') };
    case 'arm':
      return { kind };
    case 'fence-ack':
      return { kind, node: value('action-node') };
  }
  throw new Error(`Unknown action ${kind}`);
}

function showResult(container, status, body) {
  if (typeof body === 'string') return fill(container, el('span', { class: 'refused' }, `${status}: ${body}`));
  const line = el('span', { class: body.kind === 'done' ? 'done' : 'refused' }, body.kind === 'done' ? body.message : `refused: ${body.message}`);
  fill(container, line, body.warning ? el('span', { class: 'warning' }, ` — warning: ${body.warning}`) : null);
}

/** Puts a service into the form (a click on a chip or a row) and says what is known of it. */
export function pickService(service, note) {
  document.getElementById('action-sid').value = service.sid;
  fill(document.getElementById('action-result'), el('b', {}, service.sid), `: ${service.state ?? 'new'} on ${service.node ?? '–'}`, note ? ` — ${note}` : '');
}
