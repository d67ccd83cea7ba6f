// The page's one way to make elements: strings become text nodes (textContent), never markup, so a
// comment, sid or node name holding `<script>` is shown as the text it is. No innerHTML anywhere.

/** `el('span', { class: 'chip', title: 'x', data: { sid } }, 'text', child)`. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'data') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces the children of `node`. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

/** `4.2 s`, `3 min 5 s`, `2 h 1 min`; `–` when unknown. */
export function formatAge(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** `12:03:04` in UTC, as the daemons' logs write time. */
export function formatTime(wallMs) {
  return new Date(wallMs).toISOString().slice(11, 19);
}

/** The CSS class of a state (service or node): letters only. */
export function stateClass(prefix, state) {
  return `${prefix}-${String(state ?? 'none').replace(/[^a-z_]/gi, '')}`;
}
