import { DEFAULT_MAX_RELOCATE, DEFAULT_MAX_RESTART, type GroupConfig, type ResourceConfig } from '../common/ha-config.ts';
import { isGuestId, parseSid } from '../common/sid.ts';
import {
  checkComment,
  checkCount,
  checkFlag,
  checkGroupId,
  checkNodeName,
  checkRequestedState,
  RESTART_ATTEMPTS_MAX,
  type Checked,
  forOption,
} from './config-values.ts';
import { ConfigError, type Section } from './section-config.ts';

/** Options of a resource in resources.cfg, with what they mean (also the help text of add/set). */
export const RESOURCE_OPTIONS = {
  state: 'requested state: started, stopped, disabled or ignored (enabled is read as started); default started',
  group: 'HA group whose nodes the service prefers (groups.cfg)',
  max_restart: `restarts on the same node after a failed start, 0-${RESTART_ATTEMPTS_MAX}; default ${DEFAULT_MAX_RESTART}`,
  max_relocate: `moves to another node after the restarts failed, 0-${RESTART_ATTEMPTS_MAX}; default ${DEFAULT_MAX_RELOCATE}`,
  failback: '1 (default): the service moves back to a better node of its node-affinity rule on its own; 0: it stays where it may run',
  comment: 'free text, one line',
  node: 'node the service is configured on (ha-manager extension; default: where the master has it, else the preferred node of its group)',
} as const;
export type ResourceOption = keyof typeof RESOURCE_OPTIONS;

/** Checks a service id: `type:name`, and for vm and ct a Proxmox guest id. */
export function checkSid(sid: string): Checked<{ type: string; name: string }> {
  const parsed = parseSid(sid);
  if (!parsed) return { ok: false, problem: `Bad service id '${sid}', expected <type>:<name>, e.g. vm:100` };
  if ((parsed.type === 'vm' || parsed.type === 'ct') && !isGuestId(parsed.name)) {
    return { ok: false, problem: `Bad service id '${sid}': ${parsed.type} ids are Proxmox VMIDs, integers from 100 to 999999999` };
  }
  return { ok: true, value: parsed };
}

/**
 * Checks that a service type has a driver in the cluster (`serviceTypes`: the types of the effective
 * driver mapping, src/common/driver-kinds.ts); the problem lists the known types.
 */
export function checkServiceType(sid: string, type: string, serviceTypes: readonly string[]): Checked<string> {
  if (serviceTypes.includes(type)) return { ok: true, value: type };
  return {
    ok: false,
    problem: `Unknown service type '${type}' of ${sid}: this cluster's types are ${serviceTypes.join(', ')} (ha.cfg 'drivers' maps types to drivers)`,
  };
}

/** Checks one resource option; the problem names the option. */
export function checkResourceOption(key: string, value: string): Checked<unknown> {
  const prefix = (checked: Checked<unknown>): Checked<unknown> => forOption(key, checked);
  switch (key) {
    case 'state':
      return prefix(checkRequestedState(value));
    case 'group':
      return prefix(checkGroupId(value));
    case 'max_restart':
    case 'max_relocate':
      return prefix(checkCount(value, RESTART_ATTEMPTS_MAX));
    case 'failback':
      return prefix(checkFlag(value));
    case 'comment':
      return prefix(checkComment(value));
    case 'node':
      return prefix(checkNodeName(value));
    default:
      return { ok: false, problem: `Unknown resource option '${key}', expected one of ${Object.keys(RESOURCE_OPTIONS).join(', ')}` };
  }
}

/**
 * Resources of parsed resources.cfg sections, checked against the groups; throws ConfigError naming
 * the file and line of the first problem.
 */
export function resourcesFromSections(sections: readonly Section[], context: ResourceContext): Record<string, ResourceConfig> {
  const { file } = context;
  const resources: Record<string, ResourceConfig> = {};
  for (const section of sections) {
    const sid = `${section.type}:${section.id}`;
    const checked = checkSid(sid);
    if (!checked.ok) throw new ConfigError(file, section.line, checked.problem);
    const type = checkServiceType(sid, section.type, context.serviceTypes);
    if (!type.ok) throw new ConfigError(file, section.line, type.problem);
    if (Object.hasOwn(resources, sid)) throw new ConfigError(file, section.line, `Duplicate resource '${sid}'`);
    resources[sid] = resourceFrom(section, sid, context);
  }
  return resources;
}

export interface ResourceContext {
  readonly file: string;
  readonly groups: Readonly<Record<string, GroupConfig>>;
  /** The service types the cluster has drivers for (src/common/driver-kinds.ts serviceTypesOf). */
  readonly serviceTypes: readonly string[];
  /** Where the master last had the service (status/manager.json), for resources written without a node. */
  readonly nodeOf?: (sid: string) => string | undefined;
}

function resourceFrom(section: Section, sid: string, context: ResourceContext): ResourceConfig {
  const { file, groups } = context;
  const values: Record<string, unknown> = {};
  for (const { key, value, line } of section.properties) {
    const option = checkResourceOption(key, value);
    if (!option.ok) throw new ConfigError(file, line, option.problem);
    if (key === 'group' && !Object.hasOwn(groups, value)) throw new ConfigError(file, line, `Unknown group '${value}' of ${sid}`);
    values[key] = option.value;
  }
  const group = values.group as string | undefined;
  // Proxmox writes no node (its guest's node is where the guest's config lives): the master has the
  // service where status/manager.json says, and places one it never had like a new service.
  const node = (values.node as string | undefined) ?? context.nodeOf?.(sid);
  return {
    node,
    state: (values.state as ResourceConfig['state'] | undefined) ?? 'started',
    ...(group !== undefined ? { group } : {}),
    maxRestart: (values.max_restart as number | undefined) ?? DEFAULT_MAX_RESTART,
    maxRelocate: (values.max_relocate as number | undefined) ?? DEFAULT_MAX_RELOCATE,
    ...(values.comment !== undefined ? { comment: values.comment as string } : {}),
    ...(values.failback !== undefined ? { failback: values.failback as boolean } : {}),
  };
}
