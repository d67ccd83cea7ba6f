import type { StatusReport } from '../cli/status-report.ts';

/**
 * The seam between the web console's server and what it shows (issue 13): the live cluster of a shared
 * directory (or store) and the deterministic simulator are two sources behind one page. The server owns
 * HTTP, the token, cross-site checks, diffs and pushes; a source owns reading state and carrying out
 * actions with the CLI's semantics and checks (one code path with the CLI, never a second copy).
 */
export interface ConsoleSource {
  readonly kind: 'cluster' | 'simulator';
  /** Everything `ha-manager status --output-format json` prints, as the same data. */
  status(): StatusReport;
  /** Recent events, oldest first, with an id above `afterId` (all kept ones when undefined). */
  events(afterId?: number): readonly ConsoleEvent[];
  /**
   * Carries out an operator's action with the CLI's checks (unknown node, restricted group, no master
   * warning). `actor` is who asked (recorded in the journal with the action).
   */
  act(action: ConsoleAction, actor: string): ActionResult;
  /** Called when state may have changed (the server then diffs and pushes); returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

/** One entry of the timeline: fences, recoveries, migrations, errors, operators' actions. */
export interface ConsoleEvent {
  /** Increasing within one source, so a client asks for what came after the last one it has. */
  readonly id: number;
  readonly wallMs: number;
  readonly node: string | null;
  readonly sid: string | null;
  readonly kind: ConsoleEventKind;
  /** One human line in the daemons' words (`service 'vm:100': state changed from 'started' to 'fence'`). */
  readonly text: string;
}

export type ConsoleEventKind = 'fence' | 'recovery' | 'migration' | 'error' | 'node' | 'master' | 'service' | 'action';

export type ConsoleAction =
  | { readonly kind: 'migrate' | 'relocate'; readonly sid: string; readonly node: string }
  | { readonly kind: 'stop'; readonly sid: string; readonly timeoutS: number }
  /** enable/disable: `ha-manager set <sid> --state <state>`. */
  | { readonly kind: 'set-state'; readonly sid: string; readonly state: 'started' | 'stopped' | 'disabled' | 'ignored' }
  | { readonly kind: 'maintenance'; readonly node: string; readonly action: 'enable' | 'disable' }
  | { readonly kind: 'disarm'; readonly mode: 'freeze' | 'ignore' }
  | { readonly kind: 'arm' }
  | { readonly kind: 'fence-ack'; readonly node: string };

/** `refused`: the CLI would exit non-zero with this message (bad sid, unknown node, ...). */
export type ActionResult =
  | { readonly kind: 'done'; readonly message: string; readonly warning: string | null }
  | { readonly kind: 'refused'; readonly message: string };

/**
 * A JSON route a source brings beside the common ones (the simulator's power, network and storage
 * buttons, its clock and session save). A POST route changes state: the server applies the same token
 * and cross-site checks as for actions before calling it. The page loads `/static/simulator.js` when
 * the source's kind is 'simulator'.
 */
export interface ConsoleRoute {
  readonly method: 'GET' | 'POST';
  /** Under `/api/`, e.g. `/api/sim/power`. */
  readonly path: string;
  handle(body: unknown, actor: string): { readonly status: number; readonly body: unknown };
}
