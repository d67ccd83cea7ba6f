/**
 * Section-config text, the format of Proxmox's /etc/pve/ha/*.cfg files:
 *
 *     group: prefer_node1
 *     	nodes node1:2,node2
 *     	restricted 1
 *
 * A header `<type>: <id>` starts a section; indented `key value` lines (a tab, as Proxmox writes
 * them, or spaces) belong to it; a blank line ends it. Lines starting with `#` are comments and are
 * kept as they are. Parsing keeps every line's number so errors can point at it.
 */
export interface SectionProperty {
  readonly key: string;
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

export interface Section {
  readonly type: string;
  readonly id: string;
  /** 1-based line number of the header. */
  readonly line: number;
  readonly properties: SectionProperty[];
  /** 1-based line number of the last header or property line of the section. */
  lastLine: number;
}

/** A problem in a config file: the message names the file, the line (when there is one) and what is wrong. */
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

/** Config files are small; pmxcfs refuses files over 1 MiB, and so do we, rather than parse junk. */
export const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

const HEADER = /^([a-z][a-z0-9_-]*):[ \t]*(\S+)[ \t]*$/;
const PROPERTY = /^[ \t]+([a-z][a-z0-9_-]*)(?:[ \t]+(.*?))?[ \t]*$/;

/** Checks that `bytes` are a text file and decodes them; the error names the line of the first bad byte. */
export function decodeConfigText(bytes: Uint8Array, file: string): string {
  if (bytes.length > CONFIG_FILE_BYTES_MAX) {
    throw new ConfigError(file, undefined, `File too large: ${bytes.length} bytes, the limit is ${CONFIG_FILE_BYTES_MAX}`);
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw new ConfigError(file, lineOfByte(bytes, nul), `Binary data (a NUL byte at offset ${nul}), not a text config file`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new ConfigError(file, lineOfByte(bytes, bad), `Binary data (invalid UTF-8 at offset ${bad}), not a text config file`);
  }
}

function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index++) if (bytes[index] === 0x0a) line++;
  return line;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let end = 1; end <= bytes.length; end++) {
    try {
      decoder.decode(bytes.subarray(0, end), { stream: true });
    } catch {
      return end - 1;
    }
  }
  return bytes.length;
}

/** Splits text into lines as stored: a trailing `\r` stays on its line, the final newline is dropped. */
export function splitLines(text: string): { lines: string[]; endsWithNewline: boolean } {
  if (text === '') return { lines: [], endsWithNewline: true };
  const lines = text.split('\n');
  const endsWithNewline = lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  return { lines, endsWithNewline };
}

/** Parses the lines of a section-config file; throws ConfigError at the first line that is not valid. */
export function scanSections(lines: readonly string[], file: string): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  lines.forEach((stored, index) => {
    const line = index + 1;
    const raw = stored.endsWith('\r') ? stored.slice(0, -1) : stored;
    if (raw.trim() === '') {
      current = undefined;
      return;
    }
    if (raw.trimStart().startsWith('#')) return;
    if (/[\u0001-\u0008\u000b-\u001f\u007f]/.test(raw)) throw new ConfigError(file, line, 'Control character in line, not a text config file');
    const header = HEADER.exec(raw);
    if (header) {
      current = { type: header[1]!, id: header[2]!, line, properties: [], lastLine: line };
      sections.push(current);
      return;
    }
    if (!/^[ \t]/.test(raw)) throw new ConfigError(file, line, `Bad section header '${truncate(raw)}', expected '<type>: <id>'`);
    const property = PROPERTY.exec(raw);
    if (!property) throw new ConfigError(file, line, `Bad property line '${truncate(raw.trim())}', expected '<key> <value>'`);
    if (!current) throw new ConfigError(file, line, `Property '${property[1]}' outside of a section`);
    if (current.properties.some((p) => p.key === property[1])) {
      throw new ConfigError(file, line, `Duplicate property '${property[1]}' in ${current.type}: ${current.id}`);
    }
    current.properties.push({ key: property[1]!, value: property[2] ?? '', line });
    current.lastLine = line;
  });
  return sections;
}

/** Parses section-config text (kept for callers that need no editing). */
export function parseSectionConfig(text: string, file: string): Section[] {
  if (text.includes('\u0000')) throw new ConfigError(file, undefined, 'Binary data, not a text config file');
  return scanSections(splitLines(text).lines, file);
}

export function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
