import { crsOf } from './generate-scheduler.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNodeList } from '../config/groups.ts';
import { timingOptionLines } from '../config/settings.ts';
import { isReferenceTiming } from '../sim/simulator.ts';
import type { ChaosPlan } from './chaos-plan.ts';
import type { Violation } from './invariants.ts';
import { formatFenceConfig } from '../fence/fence-config-file.ts';

/**
 * Writes a plan as a scenario directory in the conformance format (README, hardware_status,
 * manager_status, service_config, groups, datacenter.cfg, cmdlist, fence.cfg when it has one), `ha.cfg` with the timings of a run
 * that did not use Proxmox's, plus `chaos.json` with the seed and the violation. `ha-manager simulate <dir> --seed <seed> --check` replays it.
 */
export interface ScenarioToWrite {
  readonly plan: ChaosPlan;
  readonly violation: Violation;
  /** Commands of the plan before shrinking. */
  readonly originalCommands: number;
  readonly bug?: string | undefined;
}

export function writeScenario(dir: string, { plan, violation, originalCommands, bug }: ScenarioToWrite): void {
  mkdirSync(dir, { recursive: true });
  const json = (name: string, value: unknown) => writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  const replay = `./bin/ha-manager simulate ${dir} --seed ${plan.seed} --check${bug ? ` --plant ${bug}` : ''}`;
  writeFileSync(
    join(dir, 'README'),
    `Chaos seed ${plan.seed}: ${violation.invariant} at t=${violation.t}: ${violation.message}\n` +
      `Shrunk from ${originalCommands} to ${countCommands(plan)} commands. Replay: ${replay}\n`,
  );
  json('hardware_status', Object.fromEntries(plan.nodes.map((node) => [node, { power: 'off', network: 'off' }])));
  json('manager_status', {});
  for (const [node, sids] of Object.entries(plan.running)) json(`service_status_${node}`, Object.fromEntries(sids.map((sid) => [sid, 1])));
  json(
    'service_config',
    Object.fromEntries(
      Object.entries(plan.resources).map(([sid, resource]) => [
        sid,
        {
          node: resource.node,
          state: resource.state,
          ...(resource.group !== undefined ? { group: resource.group } : {}),
          max_restart: resource.maxRestart,
          max_relocate: resource.maxRelocate,
        },
      ]),
    ),
  );
  writeFileSync(join(dir, 'groups'), formatGroups(plan));
  json('datacenter.cfg', { ha: { shutdown_policy: plan.settings.shutdownPolicy }, ...crsOf(plan.settings) });
  if (plan.loads) json('dynamic_service_stats', Object.fromEntries(Object.entries(plan.loads).map(([sid, load]) => [sid, { cpu: load.cpu, mem: load.memBytes }])));
  if (plan.fence) writeFileSync(join(dir, 'fence.cfg'), formatFenceConfig(plan.fence), { mode: 0o600 });
  if (!isReferenceTiming(plan.timing)) writeFileSync(join(dir, 'ha.cfg'), ['ha: cluster', ...timingOptionLines(plan.timing), ''].join('\n'));
  writeFileSync(join(dir, 'cmdlist'), `[\n${plan.batches.map((batch) => `  ${JSON.stringify(batch)}`).join(',\n')}\n]\n`);
  json('chaos.json', { seed: plan.seed, invariant: violation.invariant, t: violation.t, message: violation.message, replay });
}

function formatGroups(plan: ChaosPlan): string {
  return Object.entries(plan.groups)
    .map(
      ([name, group]) =>
        `group: ${name}\n\tnodes ${formatNodeList(group.nodes)}\n\trestricted ${group.restricted ? 1 : 0}\n\tnofailback ${group.nofailback ? 1 : 0}\n`,
    )
    .join('\n');
}

function countCommands(plan: ChaosPlan): number {
  return plan.batches.reduce((sum, batch) => sum + batch.length, 0);
}
