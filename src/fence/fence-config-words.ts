/**
 * The words of one fence.cfg line: bare words (`device`, `power:1`, `fence_ipmilan`) and options
 * (`key`, `key=value`, `key="a value with \"quotes\""`). Inside double quotes `\"` is a quote and `\\` a
 * backslash; any other backslash stays as it is. A `#` where a word would start begins a comment.
 *
 * Problems are returned as sentences without the line's text: a line may hold a password, and an error
 * message is printed, logged and put in JSON.
 */

export interface LineWord {
  /** The word as written, for bare words (quotes are not allowed in them). */
  readonly text: string;
  /** For a word `key=value` or `key`: the key, and the value with quotes and escapes resolved. */
  readonly key?: string;
  readonly value?: string;
}

/** Option names as fence agents spell them (`ipport`, `power_wait`, `ssl-insecure`). */
export const OPTION_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** A value needs quotes when it is empty, holds blanks, quotes, backslashes or a `#`. */
const BARE_VALUE_PATTERN = /^[^\s"\\#]+$/;

/** A control character (a newline above all) would add a line to the options an agent reads on stdin; a tab is a blank. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/** Splits a line into words; a string is the problem. */
export function splitLineWords(line: string): LineWord[] | string {
  const words: LineWord[] = [];
  let index = 0;
  // A line is at most CONFIG_FILE_BYTES_MAX long, and every turn consumes at least one character.
  while (index < line.length) {
    const char = line[index]!;
    if (char === ' ' || char === '\t') {
      index++;
      continue;
    }
    if (char === '#') break;
    const word = scanWord(line, index, words.length + 1);
    if (typeof word === 'string') return word;
    words.push(word.word);
    index = word.end;
  }
  return words;
}

function scanWord(line: string, start: number, position: number): { word: LineWord; end: number } | string {
  let end = start;
  while (end < line.length && line[end] !== ' ' && line[end] !== '\t' && line[end] !== '=' && line[end] !== '"') end++;
  const head = line.slice(start, end);
  if (line[end] === '"') return `Unexpected quote in word ${position}: quotes are allowed only around a value (key="value")`;
  if (line[end] !== '=') return { word: { text: head, ...(OPTION_KEY_PATTERN.test(head) ? { key: head, value: '' } : {}) }, end };
  if (!OPTION_KEY_PATTERN.test(head)) return `Bad option name '${head}' in word ${position}: letters, digits, '_' and '-', starting with a letter`;
  const value = line[end + 1] === '"' ? scanQuoted(line, end + 2, head) : scanBare(line, end + 1, head);
  if (typeof value === 'string') return value;
  return { word: { text: line.slice(start, value.end), key: head, value: value.value }, end: value.end };
}

function scanBare(line: string, start: number, key: string): { value: string; end: number } | string {
  let end = start;
  while (end < line.length && line[end] !== ' ' && line[end] !== '\t') {
    if (line[end] === '"') return `Unexpected quote in the value of '${key}': quote the whole value (${key}="...")`;
    end++;
  }
  return { value: line.slice(start, end), end };
}

function scanQuoted(line: string, start: number, key: string): { value: string; end: number } | string {
  let value = '';
  let index = start;
  // Bounded by the line's length: every turn consumes one or two characters.
  while (index < line.length) {
    const char = line[index]!;
    if (char === '"') {
      const after = line[index + 1];
      if (after !== undefined && after !== ' ' && after !== '\t') return `Text right after the closing quote of '${key}': put a blank between options`;
      return { value, end: index + 1 };
    }
    if (char === '\\' && (line[index + 1] === '"' || line[index + 1] === '\\')) {
      value += line[index + 1];
      index += 2;
      continue;
    }
    value += char;
    index++;
  }
  return `Unterminated quote in the value of '${key}'`;
}

/** `key`, `key=value` or `key="..."`, as splitLineWords reads it back. */
export function formatOption(key: string, value: string): string {
  if (value === '') return key;
  if (BARE_VALUE_PATTERN.test(value)) return `${key}=${value}`;
  return `${key}="${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}
