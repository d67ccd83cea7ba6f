import { assert, assertNever } from '../common/assert.ts';
import { DEFAULT_MAX_RELOCATE, DEFAULT_MAX_RESTART } from '../common/ha-config.ts';
import { formatCrmCommand } from '../crm/crm-command.ts';
import { requestCrmStop } from '../crm/crm-daemon.ts';
import { crmCommandOf } from './scenario-crm-command.ts';
import type { SimCommand } from './sim-commands.ts';
import type { Simulator } from './simulator.ts';
import { applyFaultCommand } from './apply-fault-command.ts';
import { rulesAfter } from './rule-command.ts';
import { applyManualMigrate } from './manual-migrate.ts';
import { applyStatsCommand } from './stats-commands.ts';

/** Carries out one scenario command (all but `delay`, `skip-round` and `after`, which steer the run itself). */
export function applyCommand(simulator: Simulator, command: SimCommand): void {
  const cluster = simulator.cluster;
  switch (command.kind) {
    case 'power':
    case 'network':
      applyHardwareCommand(simulator, command);
      return;
    case 'reboot':
    case 'shutdown':
    case 'restart-lrm':
      simulator.requestNodeShutdown(cluster.node(command.node), command.kind);
      return;
    case 'crm':
      applyCrmNodeCommand(simulator, command);
      return;
    case 'service-state':
    case 'service-move':
    case 'service-stop':
    case 'service-add':
    case 'service-delete':
    case 'service-lock':
    case 'service-stats':
      applyServiceCommand(simulator, command);
      return;
    case 'crm-disarm':
    case 'crm-arm':
    case 'crm-fence-ack':
      queueCrmCommand(simulator, command);
      return;
    case 'service-manual-migrate':
      applyManualMigrate(cluster, command);
      return;
    case 'cfs': {
      const node = cluster.node(command.node);
      if (command.part === 'rw') node.isWriteFailing = !command.isWorking;
      else node.isStateUpdateFailing = !command.isWorking;
      return;
    }
    case 'pve-manager-version':
      cluster.setNodeVersion(command.node, command.version);
      return;
    case 'rule':
      cluster.setRules(rulesAfter(cluster.config.rules, command));
      return;
    case 'delay':
    case 'skip-round':
    case 'after':
      return;
    case 'storage':
    case 'store':
    case 'stale':
    case 'pause':
    case 'crash':
    case 'kdump':
    case 'fence-device':
    case 'drift':
    case 'fail':
    case 'heal':
      applyFaultCommand(simulator, command);
      return;
    default:
      assertNever(command, 'scenario command');
  }
}

/** `power <node> on|off`, `network <node> on|off`. */
function applyHardwareCommand(simulator: Simulator, command: Extract<SimCommand, { kind: 'power' | 'network' }>): void {
  const cluster = simulator.cluster;
  const node = cluster.node(command.node);
  if (command.kind === 'power') {
    if (command.isOn) simulator.powerOn(node, 'power');
    else simulator.powerOff(node, 'power');
    return;
  }
  if (node.isPoweredOn) node.isNetworkOn = command.isOn;
  cluster.hardwareChanged();
}

/** `crm <node> stop|start` act on the node's CRM; the others queue a CRM command. */
function applyCrmNodeCommand(simulator: Simulator, command: Extract<SimCommand, { kind: 'crm' }>): void {
  const node = simulator.cluster.node(command.node);
  if (command.action === 'stop') {
    if (node.crm) requestCrmStop(node.crm);
  } else if (command.action === 'start') {
    if (node.isPoweredOn) simulator.startCrmOn(node);
  } else {
    queueCrmCommand(simulator, command);
  }
}

type ServiceCommand = Exclude<Extract<SimCommand, { kind: `service-${string}` }>, { kind: 'service-manual-migrate' }>;

function applyServiceCommand(simulator: Simulator, command: ServiceCommand): void {
  const cluster = simulator.cluster;
  switch (command.kind) {
    case 'service-state': {
      const resource = cluster.resources[command.sid];
      if (resource) cluster.setResource(command.sid, { ...resource, state: command.state });
      return;
    }
    case 'service-move':
    case 'service-stop':
      queueCrmCommand(simulator, command);
      return;
    case 'service-add':
      cluster.setResource(command.sid, {
        node: command.node,
        state: command.state,
        maxRestart: DEFAULT_MAX_RESTART,
        maxRelocate: DEFAULT_MAX_RELOCATE,
      });
      cluster.ensureSize(command.sid);
      if (command.isRunning) cluster.setRunning(command.node, command.sid, true);
      return;
    case 'service-delete':
      cluster.setResource(command.sid, undefined);
      delete cluster.serviceSizes[command.sid]; // README-5.2 §1.6: delete removes its static entry
      return;
    case 'service-stats':
      if (!applyStatsCommand(cluster, command)) cluster.emitAs(null, { ev: 'log', level: 'warn', msg: `'${command.text}': ${command.sid} is not configured, nothing changed` });
      return;
    case 'service-lock':
      if (command.lock === undefined) cluster.locks.delete(command.sid);
      else cluster.locks.set(command.sid, command.lock);
      return;
    default:
      assertNever(command, 'service command');
  }
}

/** Queues the CRM command of a scenario command, as `ha-manager` queues one: its text from the one module that writes it. */
function queueCrmCommand(simulator: Simulator, command: SimCommand): void {
  const crmCommand = crmCommandOf(command);
  assert(crmCommand !== undefined, `Scenario command '${command.text}' queues no CRM command`);
  simulator.cluster.commandQueue.enqueue(formatCrmCommand(crmCommand), 'scenario', simulator.cluster.timeMs);
}
