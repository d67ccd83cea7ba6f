import { DEFAULT_CLUSTER_SETTINGS } from '../common/ha-config.ts';
import { DEFAULT_TIMING, formatDuration } from '../common/timing.ts';
import { DEFAULT_DRIVER_KINDS } from '../common/driver-kinds.ts';

/**
 * The ha.cfg that `ha-manager init` writes: every cluster setting at its default, each with a comment
 * saying what it does, so an operator edits a value rather than looking up a key. It must load to
 * exactly the defaults (a test checks), so that writing it changes nothing but the visibility.
 */
export function defaultHaCfgText(nodes: readonly string[] = []): string {
  const settings = DEFAULT_CLUSTER_SETTINGS;
  return [
    '# Cluster-wide HA settings, written by `ha-manager init` with the defaults (docs/cli.md, "ha.cfg").',
    '# Edit with care: write a copy and `mv` it into place; the daemons reload it and keep the last good file.',
    'ha: cluster',
    `\t# A node that stops renewing its lease is reset by its watchdog within this long, and its services`,
    `\t# recovered about this long after (plus a few rounds). Every other timing is derived from it`,
    `\t# (here: client ${formatDuration(DEFAULT_TIMING.watchdogClientTimeoutMs)}, device ${formatDuration(DEFAULT_TIMING.watchdogDeviceTimeoutMs)}, rounds of ${formatDuration(DEFAULT_TIMING.roundMs)}). Seconds.`,
    `\tfence_timeout ${DEFAULT_TIMING.leaseTimeoutMs / 1000}`,
    '\t# What a node shutdown does to its services: conditional, freeze, failover or migrate.',
    `\tshutdown_policy ${settings.shutdownPolicy}`,
    '\t# Service actions (start, stop, migrate) one LRM runs at a time, 1-64.',
    `\tmax_workers ${settings.maxWorkers}`,
    '\t# basic: place by service count; static: by the CPU and memory of node: and service: sections;',
    '\t# dynamic: by the CPU and memory each LRM measures on its node (services not running yet at their static size).',
    `\tplacement ${settings.placement}`,
    '\t# 1: move a service to the best node before its first start.',
    `\trebalance_on_start ${settings.rebalanceOnStart ? 1 : 0}`,
    '\t# 1 (static or dynamic placement): migrate a service when the node loads differ by more than the threshold',
    '\t# (their coefficient of variation) for hold rounds in a row, and the move improves that by the margin (0.1: 10 %).',
    `\tauto_rebalance ${settings.autoRebalance.isEnabled ? 1 : 0}`,
    `\tauto_rebalance_threshold ${settings.autoRebalance.threshold}`,
    '\t# bruteforce: the move that leaves the lowest imbalance; topsis: the best by the placement criteria.',
    `\tauto_rebalance_method ${settings.autoRebalance.method}`,
    `\tauto_rebalance_hold ${settings.autoRebalance.holdRounds}`,
    `\tauto_rebalance_margin ${settings.autoRebalance.margin}`,
    '\t# Which driver runs each service type (virsh, lxc, systemd, ocf, sim, or none); resources.cfg may hold',
    '\t# only these types. Drivers are built when the LRM starts: restart ha-lrm after a change.',
    `\tdrivers ${Object.entries(DEFAULT_DRIVER_KINDS).map(([type, kind]) => `${type}=${kind}`).join(',')}`,
    '',
    ...(nodes.length > 0 ? ['# The cluster\'s nodes: only these may run ha-crm and ha-lrm (`ha-manager node add|remove`).', ''] : []),
    ...nodes.flatMap((node) => [`node: ${node}`, '']),
  ].join('\n');
}
