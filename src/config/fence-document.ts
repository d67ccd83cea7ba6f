import { assert } from '../common/assert.ts';
import { parseFenceConfig } from '../fence/fence-config-file.ts';
import type { FenceConfig } from '../fence/fence-config.ts';
import { ConfigRefused } from './config-edit.ts';
import { ConfigError, splitLines } from './section-config.ts';

/**
 * fence.cfg as lines, for the `ha-manager fence` commands: an edit replaces, removes or inserts whole
 * lines and leaves every other line (comments, blank lines, an operator's layout) as it was, so that an
 * add then a remove gives back the file byte for byte. After each edit the text is parsed again: the
 * config an edit leaves is checked by the daemons' own parser before anything is written.
 */
export class FenceDocument {
  private lines: string[];
  private parsed: FenceConfig;

  private constructor(
    readonly file: string,
    lines: string[],
  ) {
    this.lines = lines;
    this.parsed = parseFenceConfig(this.render(), file);
  }

  /** Throws ConfigError (file:line) when the text does not parse: a broken file is reported, not overwritten. */
  static parse(text: string, file: string): FenceDocument {
    return new FenceDocument(file, splitLines(text).lines);
  }

  get config(): FenceConfig {
    return this.parsed;
  }

  render(): string {
    return this.lines.map((line) => `${line}\n`).join('');
  }

  /** Replaces line `line` (1-based) with `text`. */
  replaceLine(line: number, text: string): void {
    this.checkLine(line);
    this.apply([...this.lines.slice(0, line - 1), text, ...this.lines.slice(line)]);
  }

  /** Removes the lines `lines` (1-based), all in one edit. */
  removeLines(lines: readonly number[]): void {
    for (const line of lines) this.checkLine(line);
    const removed = new Set(lines);
    this.apply(this.lines.filter((_text, index) => !removed.has(index + 1)));
  }

  /** Inserts `text` after line `line`; 0 inserts at the top, lineCount appends. */
  insertAfter(line: number, text: string): void {
    assert(Number.isInteger(line) && line >= 0 && line <= this.lines.length, `Line ${line} is outside of ${this.file} (${this.lines.length} lines)`);
    this.apply([...this.lines.slice(0, line), text, ...this.lines.slice(line)]);
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** The first line whose first word is `kind` (`proxy`), or undefined. */
  firstLineOf(kind: string): number | undefined {
    const index = this.lines.findIndex((text) => text.trimStart().split(/[ \t]/, 1)[0] === kind);
    return index === -1 ? undefined : index + 1;
  }

  private checkLine(line: number): void {
    assert(Number.isInteger(line) && line >= 1 && line <= this.lines.length, `Line ${line} is outside of ${this.file} (${this.lines.length} lines)`);
  }

  /**
   * Takes the new lines if they parse; else refuses the change with the parser's problem (its line
   * number would point into text that was never written, so the problem alone is given).
   */
  private apply(lines: string[]): void {
    let parsed: FenceConfig;
    try {
      parsed = parseFenceConfig(lines.map((line) => `${line}\n`).join(''), this.file);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigRefused(`Change refused, ${this.file} would not load: ${error.problem}`);
      throw error;
    }
    this.lines = lines;
    this.parsed = parsed;
  }
}
