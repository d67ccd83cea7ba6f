import type { GroupConfig } from '../common/ha-config.ts';
import { checkComment, checkFlag, checkGroupId, checkNodeList, forOption, type Checked } from './config-values.ts';
import { ConfigError, parseSectionConfig, type Section } from './section-config.ts';

/** Options of a group in groups.cfg, with what they mean (also the help text of groupadd/groupset). */
export const GROUP_OPTIONS = {
  nodes: 'member nodes with optional priority, node[:priority],... (higher priority is preferred)',
  restricted: '1: the services of the group run only on its nodes; 0: elsewhere too when no member is online',
  nofailback: '1: a service stays where it is when a higher-priority node comes back',
  comment: 'free text, one line',
} as const;
export type GroupOption = keyof typeof GROUP_OPTIONS;

/** Parses groups.cfg text; errors name the file and the line. */
export function parseGroups(text: string, file: string): Record<string, GroupConfig> {
  return groupsFromSections(parseSectionConfig(text, file), file);
}

/** Groups of parsed groups.cfg sections; throws ConfigError naming the file and line of the first problem. */
export function groupsFromSections(sections: readonly Section[], file: string): Record<string, GroupConfig> {
  const groups: Record<string, GroupConfig> = {};
  for (const section of sections) {
    if (section.type !== 'group') throw new ConfigError(file, section.line, `Unknown section type '${section.type}', expected 'group'`);
    const id = checkGroupId(section.id);
    if (!id.ok) throw new ConfigError(file, section.line, id.problem);
    if (Object.hasOwn(groups, section.id)) throw new ConfigError(file, section.line, `Duplicate group '${section.id}'`);
    groups[section.id] = groupFrom(section, file);
  }
  return groups;
}

function groupFrom(section: Section, file: string): GroupConfig {
  let nodes: Record<string, number> | undefined;
  let restricted = false;
  let nofailback = false;
  let comment: string | undefined;
  for (const { key, value, line } of section.properties) {
    const option = checkGroupOption(key, value);
    if (!option.ok) throw new ConfigError(file, line, option.problem);
    if (key === 'nodes') nodes = option.value as Record<string, number>;
    if (key === 'restricted') restricted = option.value as boolean;
    if (key === 'nofailback') nofailback = option.value as boolean;
    if (key === 'comment') comment = option.value as string;
  }
  if (!nodes) throw new ConfigError(file, section.line, `Group '${section.id}' has no 'nodes'`);
  return { nodes, restricted, nofailback, ...(comment !== undefined ? { comment } : {}) };
}

/** Checks one group option; the problem names the option. */
export function checkGroupOption(key: string, value: string): Checked<unknown> {
  const prefix = (checked: Checked<unknown>): Checked<unknown> => forOption(key, checked);
  switch (key) {
    case 'nodes':
      return prefix(checkNodeList(value));
    case 'restricted':
    case 'nofailback':
      return prefix(checkFlag(value));
    case 'comment':
      return prefix(checkComment(value));
    default:
      return { ok: false, problem: `Unknown group option '${key}', expected one of ${Object.keys(GROUP_OPTIONS).join(', ')}` };
  }
}

/** The node list as written in groups.cfg. */
export function formatNodeList(nodes: Readonly<Record<string, number>>): string {
  return Object.entries(nodes)
    .map(([node, priority]) => (priority === 0 ? node : `${node}:${priority}`))
    .join(',');
}
