import type { GroupConfig } from '../common/ha-config.ts';
import { ConfigError, parseSectionConfig } from './section-config.ts';

const NODE_ENTRY = /^([A-Za-z0-9][A-Za-z0-9.-]*)(?::(\d+))?$/;
const GROUP_KEYS = new Set(['nodes', 'restricted', 'nofailback', 'comment']);

/** Parses groups.cfg text; errors name the file and the line. */
export function parseGroups(text: string, file: string): Record<string, GroupConfig> {
  const groups: Record<string, GroupConfig> = {};
  for (const section of parseSectionConfig(text, file)) {
    if (section.type !== 'group') throw new ConfigError(file, section.line, `Unknown section type '${section.type}', expected 'group'`);
    if (groups[section.id]) throw new ConfigError(file, section.line, `Duplicate group '${section.id}'`);
    let nodes: Record<string, number> | undefined;
    let restricted = false;
    let nofailback = false;
    let comment: string | undefined;
    for (const { key, value, line } of section.properties) {
      if (!GROUP_KEYS.has(key)) throw new ConfigError(file, line, `Unknown group option '${key}'`);
      if (key === 'nodes') nodes = parseNodeList(value, file, line);
      if (key === 'restricted') restricted = parseFlag(value, key, file, line);
      if (key === 'nofailback') nofailback = parseFlag(value, key, file, line);
      if (key === 'comment') comment = value;
    }
    if (!nodes) throw new ConfigError(file, section.line, `Group '${section.id}' has no 'nodes'`);
    groups[section.id] = { nodes, restricted, nofailback, ...(comment !== undefined ? { comment } : {}) };
  }
  return groups;
}

export function parseNodeList(value: string, file: string, line: number): Record<string, number> {
  const nodes: Record<string, number> = {};
  for (const entry of value.split(',').map((part) => part.trim())) {
    const match = NODE_ENTRY.exec(entry);
    if (!match) throw new ConfigError(file, line, `Bad node entry '${entry}', expected node[:priority]`);
    if (match[1]! in nodes) throw new ConfigError(file, line, `Node '${match[1]}' listed twice`);
    nodes[match[1]!] = match[2] === undefined ? 0 : Number(match[2]);
  }
  return nodes;
}

function parseFlag(value: string, key: string, file: string, line: number): boolean {
  if (value === '0' || value === '1') return value === '1';
  throw new ConfigError(file, line, `Option '${key}' must be 0 or 1, got '${value}'`);
}
