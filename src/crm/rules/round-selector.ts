import type { HaConfig } from '../../env/env.ts';
import type { NodeUsage, Placement } from '../node-usage.ts';
import { NodeSelector } from '../select-node.ts';
import { failbackOf } from './groups-as-rules.ts';
import type { ManagerRules } from './manager-rules.ts';
import { ServiceAffinity } from './service-affinity.ts';

/**
 * The node selector of one manager round: the compiled rules over the round's usage and online
 * nodes, partners looked up live in the manager status, failback read from the config every pass.
 */
export function roundSelector(usage: NodeUsage, rules: ManagerRules, config: Pick<HaConfig, 'resources' | 'groups'>, managed: (sid: string) => Placement | undefined): NodeSelector {
  const online = usage.onlineNodes();
  const affinity = new ServiceAffinity(rules.current(), online, managed, rules.nodeClassCache(online));
  return new NodeSelector(usage, affinity, (sid) => failbackOf(config.resources[sid], config.groups));
}
