// The services table: renders only the rows in view (a spacer gives the scroll height), so 10,000
// services cost some thirty rows of DOM. Rows have one fixed height; long text is cut with an
// ellipsis and shown whole in the row's title and when the row is picked.
import { el, stateClass } from './dom.js';

/** One row's height in CSS pixels; console.css sets the same (.services-row). */
export const ROW_HEIGHT_PX = 30;
/** The table is as high as its rows up to this many; beyond, it scrolls. */
const VISIBLE_ROWS_MAX = 16;
/** Rows drawn beyond the visible ones, above and below, so a scroll does not show blanks. */
const OVERSCAN_ROWS = 8;

/** The words of a service's last column: why it is in error and how to leave, or what it waits for. */
export function serviceNote(service) {
  if (service.error) return `${service.error.reason} — ${service.error.howToLeave}`;
  if (service.waitsFor) return `waits for ${service.waitsFor}`;
  if (service.lastFailure) return `last failure: ${service.lastFailure}`;
  return '';
}

/** The note, then the resource's comment: the row's title and the picked service's line. */
export function serviceDetail(service) {
  return [serviceNote(service), service.comment ? `comment: ${service.comment}` : ''].filter((part) => part !== '').join(' — ');
}

export class ServiceTable {
  constructor(container, spacer, onService) {
    this.container = container;
    this.spacer = spacer;
    this.onService = onService;
    this.rows = [];
    this.drawn = [];
    this.isScheduled = false;
    container.addEventListener('scroll', () => this.schedule(), { passive: true });
    window.addEventListener('resize', () => this.schedule());
  }

  /** The rows to show (already filtered); drawn at the next frame. */
  setRows(rows) {
    this.rows = rows;
    this.spacer.style.height = `${rows.length * ROW_HEIGHT_PX}px`;
    this.container.style.height = `${Math.max(1, Math.min(rows.length, VISIBLE_ROWS_MAX)) * ROW_HEIGHT_PX + 2}px`;
    this.schedule();
  }

  schedule() {
    if (this.isScheduled) return;
    this.isScheduled = true;
    requestAnimationFrame(() => {
      this.isScheduled = false;
      this.draw();
    });
  }

  draw() {
    const top = this.container.scrollTop;
    const height = this.container.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT_PX) - OVERSCAN_ROWS);
    const last = Math.min(this.rows.length, Math.ceil((top + height) / ROW_HEIGHT_PX) + OVERSCAN_ROWS);
    for (const row of this.drawn) row.remove();
    this.drawn = [];
    for (let index = first; index < last; index++) {
      const row = this.row(this.rows[index]);
      row.style.top = `${index * ROW_HEIGHT_PX}px`;
      this.drawn.push(row);
    }
    this.container.append(...this.drawn);
  }

  row(service) {
    const state = service.state ?? 'new';
    const node = service.target && service.target !== service.node ? `${service.node ?? '–'} → ${service.target}` : (service.node ?? '–');
    const note = serviceNote(service);
    const row = el(
      'div',
      { class: `services-row${service.error ? ' has-error' : ''}`, role: 'row', data: { sid: service.sid }, title: serviceDetail(service) || null },
      el('span', { class: 'sid', role: 'cell' }, service.sid),
      el('span', { role: 'cell' }, el('span', { class: `chip ${stateClass('svc', service.state)}` }, el('span', { class: 'label' }, state))),
      el('span', { role: 'cell' }, node),
      el('span', { role: 'cell' }, service.requestedState ?? '–'),
      el('span', { class: 'note', role: 'cell' }, note || service.comment || ''),
    );
    row.addEventListener('click', () => this.onService(service.sid));
    return row;
  }
}

/** The services that match `filter` (words, each in the sid, node, target or state). */
export function filterServices(services, filter) {
  const words = filter.trim().toLowerCase().split(/\s+/).filter((word) => word !== '');
  if (words.length === 0) return services;
  return services.filter((service) => {
    const text = `${service.sid} ${service.node ?? ''} ${service.target ?? ''} ${service.state ?? 'new'} ${service.requestedState ?? ''}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}
