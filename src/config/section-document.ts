import { assert } from '../common/assert.ts';
import { scanSections, splitLines, type Section } from './section-config.ts';

/**
 * A section-config file that remembers its exact text, so that what is not edited is written back
 * byte for byte: comments, blank lines, property order, indentation, line endings, a missing final
 * newline. Edits touch only the lines they change; new lines are written the way Proxmox writes them
 * (a tab before `key value`, `comment` first and the other keys sorted, a blank line after a section).
 */
export class SectionDocument {
  private sectionList: Section[];

  private constructor(
    readonly file: string,
    private readonly lines: string[],
    private readonly endsWithNewline: boolean,
    private readonly eolSuffix: string,
  ) {
    this.sectionList = scanSections(lines, file);
  }

  /** Parses `text`; throws ConfigError naming the file and line of the first bad line. */
  static parse(text: string, file: string): SectionDocument {
    const { lines, endsWithNewline } = splitLines(text);
    const isCrlf = lines.length > 0 && lines[0]!.endsWith('\r');
    return new SectionDocument(file, lines, endsWithNewline, isCrlf ? '\r' : '');
  }

  sections(): readonly Section[] {
    return this.sectionList;
  }

  find(type: string, id: string): Section | undefined {
    return this.sectionList.find((section) => section.type === type && section.id === id);
  }

  render(): string {
    if (this.lines.length === 0) return '';
    return this.lines.join('\n') + (this.endsWithNewline ? '\n' : '');
  }

  /** Sets `key` of a section: rewrites its line in place, or inserts a new line in sorted position. */
  setProperty(type: string, id: string, key: string, value: string): void {
    const section = this.mustFind(type, id);
    assert(!/[\r\n]/.test(value), `A config value holds no line break: ${JSON.stringify(value)}`);
    const existing = section.properties.find((property) => property.key === key);
    if (existing) {
      const index = existing.line - 1;
      const indent = /^[ \t]*/.exec(this.lines[index]!)![0];
      this.lines[index] = this.withEol(`${indent}${key} ${value}`);
    } else {
      const first = section.properties[0];
      const indent = first ? /^[ \t]*/.exec(this.lines[first.line - 1]!)![0] : '\t';
      const after = section.properties.find((property) => sortRank(property.key) > sortRank(key));
      const index = after ? after.line - 1 : section.lastLine;
      this.lines.splice(index, 0, this.withEol(`${indent}${key} ${value}`));
    }
    this.rescan();
  }

  deleteProperty(type: string, id: string, key: string): void {
    const section = this.mustFind(type, id);
    const existing = section.properties.find((property) => property.key === key);
    if (!existing) return;
    this.lines.splice(existing.line - 1, 1);
    this.rescan();
  }

  /** Appends a section, separated from the previous one by a blank line. */
  addSection(type: string, id: string, properties: ReadonlyArray<readonly [string, string]>): void {
    assert(this.find(type, id) === undefined, `${this.file}: Section ${type}: ${id} exists already`);
    const isProxmoxStyle = this.lines.length === 0 || isBlank(this.lines[this.lines.length - 1]!);
    if (!isProxmoxStyle) this.lines.push(this.withEol(''));
    this.lines.push(this.withEol(`${type}: ${id}`));
    const sorted = [...properties].sort(([a], [b]) => (sortRank(a) < sortRank(b) ? -1 : 1));
    for (const [key, value] of sorted) this.lines.push(this.withEol(`\t${key} ${value}`));
    if (isProxmoxStyle) this.lines.push(this.withEol(''));
    this.rescan();
  }

  /** Removes a section's header and property lines, and the blank line that separated it. */
  removeSection(type: string, id: string): void {
    const section = this.mustFind(type, id);
    const start = section.line - 1;
    this.lines.splice(start, section.lastLine - start);
    const isBlankAt = (index: number) => index >= 0 && index < this.lines.length && isBlank(this.lines[index]!);
    if (isBlankAt(start) && (start === 0 || isBlankAt(start - 1))) this.lines.splice(start, 1);
    else if (start === this.lines.length && isBlankAt(start - 1)) this.lines.splice(start - 1, 1);
    this.rescan();
  }

  private mustFind(type: string, id: string): Section {
    const section = this.find(type, id);
    assert(section !== undefined, `${this.file}: No section ${type}: ${id} to edit`);
    return section;
  }

  private withEol(text: string): string {
    return text + this.eolSuffix;
  }

  private rescan(): void {
    this.sectionList = scanSections(this.lines, this.file);
  }
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Proxmox writes `comment` first, then the other keys in sorted order. */
function sortRank(key: string): string {
  return key === 'comment' ? '' : key;
}
