import { strict as assert } from 'node:assert';
import {
  bootEnded,
  downNode,
  expectExit,
  initialSupervision,
  stoppingNode,
  superviseNode,
  type DaemonObservation,
  type NodeObservation,
  type NodeSupervision,
  type SupervisorAction,
  type SupervisorLimits,
} from '../../../src/cluster/swarm/supervisor-core.ts';

const LIMITS: SupervisorLimits = { restartDelayMs: 500, startLimitBurst: 3, startLimitIntervalMs: 5_000, muxResetWaitMs: 4_000, bootFailuresMax: 2 };
const REBOOT_DELAY_MS = 3_000;
const RUNNING: DaemonObservation = { kind: 'running', pid: 100 };

function observe(parts: Partial<NodeObservation> & { crm?: DaemonObservation; lrm?: DaemonObservation } = {}): NodeObservation {
  return { resets: parts.resets ?? 0, isMuxRunning: parts.isMuxRunning ?? true, daemons: { crm: parts.crm ?? RUNNING, lrm: parts.lrm ?? { kind: 'running', pid: 200 } } };
}

function killed(pid: number): DaemonObservation {
  return { kind: 'exited', pid, isFailure: true, how: 'killed by SIGKILL' };
}

/** Runs one look at `nowMs`; returns the new state and the actions. */
function look(state: NodeSupervision, observation: NodeObservation, nowMs: number): { state: NodeSupervision; actions: SupervisorAction[] } {
  return superviseNode(state, observation, { nowMs, limits: LIMITS, drawRebootDelayMs: () => REBOOT_DELAY_MS });
}

describe('cluster swarm supervisor: systemd and a rebooting machine, as decisions', () => {
  it('a daemon killed is restarted after the restart delay, not before; a clean exit is not restarted', () => {
    let step = look(initialSupervision(0), observe({ lrm: killed(200) }), 1_000);
    assert.deepEqual(step.actions, []);
    step = look(step.state, observe({ lrm: killed(200) }), 1_400);
    assert.deepEqual(step.actions, []);
    step = look(step.state, observe({ lrm: killed(200) }), 1_500);
    assert.deepEqual(step.actions, [{ kind: 'restart', daemon: 'lrm', reason: 'killed by SIGKILL' }]);
    step = look(step.state, observe({ lrm: { kind: 'running', pid: 201 } }), 1_600);
    assert.deepEqual(step.actions, []);
    const clean = look(initialSupervision(0), observe({ crm: { kind: 'exited', pid: 100, isFailure: false, how: 'exit status 0' } }), 1_000);
    assert.deepEqual(look(clean.state, observe({ crm: { kind: 'exited', pid: 100, isFailure: false, how: 'exit status 0' } }), 9_000).actions, []);
  });

  it('gives up after the start limit, as systemd does', () => {
    let state = initialSupervision(0);
    const restarts: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const atMs = attempt * 600;
      state = look(state, observe({ crm: killed(300 + attempt) }), atMs).state;
      const step = look(state, observe({ crm: killed(300 + attempt) }), atMs + 500);
      state = step.state;
      if (step.actions.some((action) => action.kind === 'restart')) restarts.push(attempt);
      if (step.actions.some((action) => action.kind === 'give-up')) break;
    }
    assert.deepEqual(restarts, [0, 1, 2]);
    assert.equal(state.daemons.crm.hasGivenUp, true);
  });

  it('a reset seen while up takes the node down; it boots after the reboot delay and is up again', () => {
    let step = look(initialSupervision(1), observe({ resets: 2, lrm: killed(200) }), 10_000);
    assert.deepEqual(step.actions, [{ kind: 'down', reason: 'reset by its watchdog', bootAtMs: 13_000 }]);
    step = look(step.state, observe({ resets: 2, lrm: killed(200) }), 12_999);
    assert.deepEqual(step.actions, [], 'nothing restarted while the node is down');
    step = look(step.state, observe({ resets: 2, lrm: killed(200) }), 13_000);
    assert.deepEqual(step.actions, [{ kind: 'boot' }]);
    const booted = bootEnded(step.state, true, { nowMs: 14_000, limits: LIMITS, drawRebootDelayMs: () => REBOOT_DELAY_MS });
    assert.deepEqual(booted.phase, { kind: 'up' });
    assert.equal(booted.resetsSeen, 2);
  });

  it('with its mux dead no daemon is restarted; no reset within the wait is a watchdog that did not fire', () => {
    let step = look(initialSupervision(0), observe({ isMuxRunning: false, lrm: killed(200) }), 1_000);
    step = look(step.state, observe({ isMuxRunning: false, lrm: killed(200) }), 4_999);
    assert.deepEqual(step.actions, []);
    step = look(step.state, observe({ isMuxRunning: false, lrm: killed(200) }), 5_000);
    assert.deepEqual(step.actions.map((action) => action.kind), ['watchdog-silent', 'down']);
    const reset = look(initialSupervision(0), observe({ isMuxRunning: false }), 1_000);
    assert.deepEqual(look(reset.state, observe({ isMuxRunning: false, resets: 1 }), 3_000).actions.map((action) => action.kind), ['down']);
  });

  it('an exit the swarm expects (an LRM restart) is not restarted by the supervisor', () => {
    const expecting = expectExit(initialSupervision(0), 'lrm', 200);
    const step = look(expecting, observe({ lrm: { kind: 'exited', pid: 200, isFailure: true, how: 'killed by SIGTERM' } }), 1_000);
    assert.deepEqual(look(step.state, observe({ lrm: { kind: 'exited', pid: 200, isFailure: true, how: 'killed by SIGTERM' } }), 9_000).actions, []);
  });

  it('a node the swarm takes down does nothing until it is down, then boots after its own delay', () => {
    const stopping = stoppingNode(initialSupervision(0));
    assert.deepEqual(look(stopping, observe({ resets: 1, isMuxRunning: false, lrm: killed(200) }), 1_000).actions, []);
    const down = downNode({ ...stopping, resetsSeen: 1 }, 2_000, 1_500);
    assert.deepEqual(look(down, observe({ resets: 1 }), 3_499).actions, []);
    assert.deepEqual(look(down, observe({ resets: 1 }), 3_500).actions, [{ kind: 'boot' }]);
    assert.throws(() => stoppingNode(down), /only from up/);
  });

  it('a node whose boots keep failing is left down after bootFailuresMax', () => {
    const input = { nowMs: 1_000, limits: LIMITS, drawRebootDelayMs: () => REBOOT_DELAY_MS };
    const booting: NodeSupervision = { ...initialSupervision(0), phase: { kind: 'booting' } };
    const once = bootEnded(booting, false, input);
    assert.deepEqual(once.phase, { kind: 'down', bootAtMs: 4_000 });
    const twice = bootEnded({ ...once, phase: { kind: 'booting' } }, false, input);
    assert.deepEqual(twice.phase, { kind: 'down', bootAtMs: Infinity });
  });
});
