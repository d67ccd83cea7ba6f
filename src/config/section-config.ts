/**
 * Section-config text, the format of Proxmox's /etc/pve/ha/*.cfg files:
 *
 *     group: prefer_node1
 *         nodes node1:2,node2
 *         restricted 1
 *
 * A header `<type>: <id>` starts a section; indented `key value` lines belong to it; blank lines end
 * it. Parsing keeps every line's number so errors can point at it.
 */
export interface SectionProperty {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export interface Section {
  readonly type: string;
  readonly id: string;
  readonly line: number;
  readonly properties: SectionProperty[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
  }
}

const HEADER = /^([a-z][a-z0-9_-]*):\s*(\S+)\s*$/;
const PROPERTY = /^[ \t]+([a-z][a-z0-9_-]*)(?:[ \t]+(.*?))?[ \t]*$/;

export function parseSectionConfig(text: string, file: string): Section[] {
  if (text.includes('\u0000')) throw new ConfigError(file, undefined, 'Binary data, not a text config file');
  const sections: Section[] = [];
  let current: Section | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') {
      current = undefined;
      return;
    }
    if (raw.trimStart().startsWith('#')) return;
    const header = HEADER.exec(raw);
    if (header) {
      current = { type: header[1]!, id: header[2]!, line, properties: [] };
      sections.push(current);
      return;
    }
    const property = PROPERTY.exec(raw);
    if (!property) throw new ConfigError(file, line, `Cannot parse line '${truncate(raw)}'`);
    if (!current) throw new ConfigError(file, line, `Property '${property[1]}' outside of a section`);
    if (current.properties.some((p) => p.key === property[1])) {
      throw new ConfigError(file, line, `Duplicate property '${property[1]}' in ${current.type} ${current.id}`);
    }
    current.properties.push({ key: property[1]!, value: property[2] ?? '', line });
  });
  return sections;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
