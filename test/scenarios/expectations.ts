/**
 * Our own scenario expectations (fixtures/scenarios/README.md describes the format): folding a trace
 * into service state sequences, node views and recoveries, and matching event patterns. Every
 * check returns readable problem lines; an empty list is a match.
 */
import type { TraceEvent } from '../../src/common/trace.ts';

export type EventPattern = Record<string, unknown>;

export interface ScenarioExpectation {
  readonly description: string;
  readonly final?: Record<string, { state: string; on: string }>;
  readonly sequences?: Record<string, string[]>;
  readonly recoveries?: Array<[string, string, string]>;
  readonly nodes_final?: Record<string, string>;
  readonly node_sequences?: Record<string, string[]>;
  readonly occurs?: EventPattern[];
  readonly never?: EventPattern[];
  readonly before?: Array<[EventPattern, EventPattern]>;
  readonly counts?: Array<{ match: EventPattern; n: number }>;
}

const KNOWN_KEYS = new Set([
  'description', 'final', 'sequences', 'recoveries', 'nodes_final', 'node_sequences', 'occurs', 'never', 'before', 'counts',
]);

/** Checks the shape of an expect.json; returns problems (unknown keys are mistakes, not extensions). */
export function validateExpectation(json: unknown): string[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return ['expect.json is not a JSON object'];
  const problems = Object.keys(json).filter((key) => !KNOWN_KEYS.has(key)).map((key) => `unknown key '${key}'`);
  if (typeof (json as { description?: unknown }).description !== 'string') problems.push('missing "description"');
  return problems;
}

/** The starting point of the fold: services and nodes the scenario's manager_status already knows. */
export interface InitialView {
  readonly services: Record<string, { state: string; node: string }>;
  readonly nodes: Record<string, string>;
}

export interface FoldedTrace {
  readonly sequences: Map<string, string[]>;
  readonly finalServices: Map<string, { state: string; on: string }>;
  readonly nodeSequences: Map<string, string[]>;
  readonly recoveries: Array<[string, string, string]>;
}

function pushCollapsed(list: string[], value: string): void {
  if (list[list.length - 1] !== value) list.push(value);
}

/** Folds a trace the way the conformance match rule does (section 7 of the conformance README). */
export function foldTrace(events: readonly TraceEvent[], initial: InitialView): FoldedTrace {
  const sequences = new Map<string, string[]>();
  const finalServices = new Map<string, { state: string; on: string }>();
  for (const [sid, service] of Object.entries(initial.services)) {
    sequences.set(sid, [service.state]);
    finalServices.set(sid, { state: service.state, on: service.node });
  }
  const nodeSequences = new Map<string, string[]>();
  for (const [node, state] of Object.entries(initial.nodes)) nodeSequences.set(node, [state]);
  const recoveries: Array<[string, string, string]> = [];
  for (const event of events) {
    switch (event.ev) {
      case 'service-add': {
        const sequence = sequences.get(event.sid) ?? [];
        pushCollapsed(sequence, event.state);
        sequences.set(event.sid, sequence);
        finalServices.set(event.sid, { state: event.state, on: event.on });
        break;
      }
      case 'service-state': {
        const sequence = sequences.get(event.sid) ?? [event.from];
        pushCollapsed(sequence, event.to);
        sequences.set(event.sid, sequence);
        finalServices.set(event.sid, { state: event.to, on: event.on });
        break;
      }
      case 'service-remove':
        pushCollapsed(sequences.get(event.sid) ?? [], '(removed)');
        finalServices.delete(event.sid);
        break;
      case 'node-state': {
        const sequence = nodeSequences.get(event.target) ?? [event.from];
        pushCollapsed(sequence, event.to);
        nodeSequences.set(event.target, sequence);
        break;
      }
      case 'recover':
        recoveries.push([event.sid, event.from, event.to]);
        break;
      default:
        break;
    }
  }
  return { sequences, finalServices, nodeSequences, recoveries };
}

/** True when every key of the pattern equals the event's value (objects are matched partially). */
export function matches(event: unknown, pattern: unknown): boolean {
  if (typeof pattern !== 'object' || pattern === null) return event === pattern;
  if (Array.isArray(pattern)) {
    return Array.isArray(event) && event.length === pattern.length && pattern.every((item, i) => matches(event[i], item));
  }
  if (typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([key, value]) => matches((event as Record<string, unknown>)[key], value));
}

const show = (value: unknown) => JSON.stringify(value);
const arrow = (list: readonly string[] | undefined) => (list ? list.join(' → ') : '(none)');

/** Compares the folded trace and the events with the expectation; returns one line per problem. */
export function checkExpectation(expect: ScenarioExpectation, events: readonly TraceEvent[], initial: InitialView): string[] {
  const folded = foldTrace(events, initial);
  const problems: string[] = [];
  for (const [sid, expected] of Object.entries(expect.sequences ?? {})) {
    const actual = folded.sequences.get(sid);
    if (arrow(actual) !== arrow(expected)) problems.push(`sequence of ${sid}:\n      expected ${arrow(expected)}\n      actual   ${arrow(actual)}`);
  }
  if (expect.final) problems.push(...checkFinal(expect.final, folded));
  for (const [node, expected] of Object.entries(expect.nodes_final ?? {})) {
    const actual = folded.nodeSequences.get(node)?.at(-1);
    if (actual !== expected) problems.push(`final view of ${node}: expected ${expected}, actual ${actual ?? '(never seen)'}`);
  }
  for (const [node, expected] of Object.entries(expect.node_sequences ?? {})) {
    const actual = folded.nodeSequences.get(node);
    if (arrow(actual) !== arrow(expected)) problems.push(`node view of ${node}:\n      expected ${arrow(expected)}\n      actual   ${arrow(actual)}`);
  }
  if (expect.recoveries) problems.push(...checkRecoveries(expect.recoveries, folded.recoveries));
  problems.push(...checkPatterns(expect, events));
  return problems;
}

function checkFinal(expected: Record<string, { state: string; on: string }>, folded: FoldedTrace): string[] {
  const problems: string[] = [];
  for (const [sid, want] of Object.entries(expected)) {
    const got = folded.finalServices.get(sid);
    if (!got || got.state !== want.state || got.on !== want.on) {
      problems.push(`final ${sid}: expected ${want.state} on ${want.on}, actual ${got ? `${got.state} on ${got.on}` : 'not managed'}`);
    }
  }
  for (const sid of folded.finalServices.keys()) {
    if (!(sid in expected)) problems.push(`final ${sid}: still managed at the end but not listed in "final"`);
  }
  return problems;
}

function checkRecoveries(expected: Array<[string, string, string]>, actual: Array<[string, string, string]>): string[] {
  const key = (r: readonly string[]) => r.join(' ');
  const want = expected.map(key).sort();
  const got = actual.map(key).sort();
  if (show(want) === show(got)) return [];
  return [`recoveries (sid from to):\n      expected ${show(want)}\n      actual   ${show(got)}`];
}

function checkPatterns(expect: ScenarioExpectation, events: readonly TraceEvent[]): string[] {
  const problems: string[] = [];
  const firstIndex = (pattern: EventPattern) => events.findIndex((event) => matches(event, pattern));
  for (const pattern of expect.occurs ?? []) {
    if (firstIndex(pattern) === -1) problems.push(`expected an event matching ${show(pattern)}, found none`);
  }
  for (const pattern of expect.never ?? []) {
    const index = firstIndex(pattern);
    if (index !== -1) problems.push(`expected no event matching ${show(pattern)}, found ${show(events[index])}`);
  }
  for (const [first, second] of expect.before ?? []) {
    const a = firstIndex(first);
    const b = firstIndex(second);
    if (a === -1 || b === -1 || a > b) {
      problems.push(`expected ${show(first)} before ${show(second)}: first at ${a === -1 ? 'never' : show(events[a])}, second at ${b === -1 ? 'never' : show(events[b])}`);
    }
  }
  for (const { match, n } of expect.counts ?? []) {
    const count = events.filter((event) => matches(event, match)).length;
    if (count !== n) problems.push(`expected ${n} events matching ${show(match)}, found ${count}`);
  }
  return problems;
}
