import { strict as assert } from 'node:assert';
import { eventLine } from '../../src/common/event-words.ts';
import { createLogSink, isJournalStream, logFormatProblem, type LogFormat } from '../../src/common/log-sink.ts';
import type { TraceEvent } from '../../src/common/trace.ts';
import { formatEvent } from '../../src/sim/log-format.ts';

const WALL_MS = Date.UTC(2026, 11, 7, 1, 2, 3, 456);

function sinkLines(format: LogFormat, isJournal: boolean, write: (sink: ReturnType<typeof createLogSink>) => void): string[] {
  const out: string[] = [];
  write(createLogSink({ format, node: 'node1', daemon: 'crm', isJournal, write: (text) => out.push(text), wallMs: () => WALL_MS }));
  assert.ok(out.every((text) => text.endsWith('\n') && text.indexOf('\n') === text.length - 1), 'one line per write');
  return out.map((text) => text.slice(0, -1));
}

describe('daemon log lines: one human line per event in Proxmox words, or JSON', () => {
  const at = (body: object, node: string | null = 'node1') => ({ t: WALL_MS, node, ...body }) as TraceEvent;

  it('says the state changes as Proxmox does', () => {
    assert.equal(eventLine(at({ ev: 'service-state', sid: 'vm:100', from: 'started', to: 'fence', on: 'node2', target: null })), "node1/crm: service 'vm:100': state changed from 'started' to 'fence'  (node = node2)");
    assert.equal(eventLine(at({ ev: 'node-state', target: 'node2', from: 'online', to: 'unknown' })), "node1/crm: node 'node2': state changed from 'online' => 'unknown'");
    assert.equal(eventLine(at({ ev: 'lock', lock: 'ha_manager_lock' })), "node1/crm: got lock 'ha_manager_lock'");
    assert.equal(eventLine(at({ ev: 'lock', lock: 'ha_agent_node1_lock' })), "node1/lrm: got lock 'ha_agent_node1_lock'");
    assert.equal(eventLine(at({ ev: 'lock', lock: 'ha_agent_node2_lock' })), "node1/crm: successfully acquired lock 'ha_agent_node2_lock'");
    assert.equal(eventLine(at({ ev: 'lock', lock: 'manager' })), "node1/crm: got lock 'ha_manager_lock'", 'the lease directory names locks its own way');
    assert.equal(eventLine(at({ ev: 'lock', lock: 'agent.node1' })), "node1/lrm: got lock 'ha_agent_node1_lock'");
    assert.equal(eventLine(at({ ev: 'lock', lock: 'agent.node2' })), "node1/crm: successfully acquired lock 'ha_agent_node2_lock'");
    assert.equal(eventLine(at({ ev: 'crm-state', from: 'slave', to: 'master' })), 'node1/crm: status change slave => master');
    assert.equal(eventLine(at({ ev: 'lrm-state', from: 'wait_for_agent_lock', to: 'active' })), 'node1/lrm: status change wait_for_agent_lock => active');
    assert.equal(eventLine(at({ ev: 'recover', sid: 'vm:100', from: 'node2', to: 'node3' })), "node1/crm: recover service 'vm:100' from fenced node 'node2' to node 'node3'");
    assert.equal(eventLine(at({ ev: 'service-action', sid: 'vm:100', action: 'start', result: 'ok' })), 'node1/lrm: service status vm:100 started');
    assert.equal(eventLine(at({ ev: 'service-action', sid: 'vm:100', action: 'start', result: 'error', reason: 'virsh: domain not found' })), 'node1/lrm: unable to start service vm:100: virsh: domain not found');
    assert.equal(eventLine(at({ ev: 'service-action', sid: 'vm:100', action: 'migrate', result: 'ok', target: 'node2' })), "node1/lrm: service vm:100 - end migrate to node 'node2'");
    assert.equal(eventLine(at({ ev: 'policy', sid: 'vm:100', kind: 'restart', detail: { attempt: 1 } })), "node1/lrm: restart policy: retry number 1 for service 'vm:100'");
  });

  it('the simulator prints the very same line after its time', () => {
    const event = at({ ev: 'crm-state', from: 'wait_for_quorum', to: 'master' });
    assert.equal(formatEvent({ ...event, t: 20 }), `    20  ${eventLine(event)}`);
    assert.equal(formatEvent(at({ ev: 'boot', target: 'node1', reason: 'power' }, null)), `${WALL_MS}  cluster: node1 boots (power)`);
  });

  it('text: an ISO time and the level before the line, when stderr is no journal', () => {
    const lines = sinkLines('text', false, (sink) => {
      sink.event(at({ ev: 'lock', lock: 'ha_manager_lock' }));
      sink.message('err', 'Cannot start:\n  two lines');
    });
    assert.deepEqual(lines, ["2026-12-07T01:02:03.456Z info   node1/crm: got lock 'ha_manager_lock'", '2026-12-07T01:02:03.456Z err    node1/crm: Cannot start: two lines']);
  });

  it('text under journald: the syslog priority prefix and no time (journald stamps the line)', () => {
    const lines = sinkLines('text', true, (sink) => {
      sink.event(at({ ev: 'service-state', sid: 'vm:100', from: 'started', to: 'fence', on: 'node2', target: null }));
      sink.event(at({ ev: 'service-action', sid: 'vm:100', action: 'stop', result: 'error' }));
      sink.message('warn', 'waiting');
    });
    assert.deepEqual(lines, ["<6>node1/crm: service 'vm:100': state changed from 'started' to 'fence'  (node = node2)", '<3>node1/crm: unable to stop service vm:100', '<4>node1/crm: waiting']);
    assert.equal(isJournalStream({ JOURNAL_STREAM: '8:12345' }), true);
    assert.equal(isJournalStream({}), false);
    assert.equal(isJournalStream({ JOURNAL_STREAM: '' }), false);
  });

  it('json: one object per line, the stored trace event with the daemon; messages as log events', () => {
    const lines = sinkLines('json', true, (sink) => {
      sink.event(at({ ev: 'crm-state', from: 'startup', to: 'wait_for_quorum' }));
      sink.message('err', 'no socket');
    });
    assert.deepEqual(lines.map((line) => JSON.parse(line) as unknown), [
      { t: WALL_MS, node: 'node1', daemon: 'crm', ev: 'crm-state', from: 'startup', to: 'wait_for_quorum' },
      { t: WALL_MS, node: 'node1', daemon: 'crm', ev: 'log', level: 'err', msg: 'no socket' },
    ]);
  });

  it('refuses an unknown --log-format in one sentence', () => {
    assert.equal(logFormatProblem('json'), undefined);
    assert.equal(logFormatProblem('JSON'), 'Bad --log-format "JSON": expected text or json');
  });
});
