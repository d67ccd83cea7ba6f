import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { importFullYargs, importYargsParts } from './yargs-parts.ts';

export type YargsFactory = (typeof import('yargs'))['default'];

/**
 * yargs without the Unicode machinery its entry module loads. `import 'yargs'` builds its platform
 * shim from cliui with string-width (Intl.Segmenter and Unicode property regexes), strip-ansi and
 * wrap-ansi: measured on this 2-core machine, about 40 % of what loading yargs costs, which is itself
 * most of what a CLI command costs above Node's own start. ha-manager's help and messages are plain
 * ASCII without colours, so here yargs gets the same shim with a column count and a word wrap for
 * plain text (test/cli/light-yargs.test.ts compares every command's --help with full yargs').
 *
 * The shim is assembled from yargs' published files the way its lib/platform-shims/esm.mjs does. If
 * they are not where yargs 18 has them (another yargs), ha-manager loads yargs the ordinary way; so
 * does HA_MANAGER_FULL_YARGS=1.
 */
export async function loadYargs(): Promise<YargsFactory> {
  if (process.env.HA_MANAGER_FULL_YARGS !== '1') {
    try {
      return await lightYargs();
    } catch {
      // yargs' files are not laid out as expected: the ordinary entry below still works.
    }
  }
  return importFullYargs();
}

async function lightYargs(): Promise<YargsFactory> {
  const { yargsUrl, modules } = await importYargsParts();
  const { factory, processArgv, cliui, parser, y18n, escalade, callerFile } = modules;
  const yargsFile = fileURLToPath(yargsUrl);
  const mainFilename = yargsFile.substring(0, yargsFile.lastIndexOf('node_modules'));
  const cliuiCore = cliui.cliui as (options: unknown, mixin: unknown) => unknown;
  const getCallerFile = callerFile.default as (position: number) => string;
  const shim = {
    assert: { notStrictEqual, strictEqual }, // not node:assert's: loading it costs some 5 ms (its error colours open stderr)
    cliui: (options: unknown) => cliuiCore(options, { stringWidth: plainWidth, stripAnsi: (text: string) => text, wrap: wrapPlain }),
    findUp: escalade.default,
    getEnv: (key: string) => process.env[key],
    inspect,
    getProcessArgvBin: processArgv.getProcessArgvBin,
    mainFilename: mainFilename || process.cwd(),
    Parser: parser.default,
    path: { basename, dirname, extname, relative, resolve, join },
    process: {
      argv: () => process.argv,
      cwd: process.cwd,
      emitWarning: (warning: string, type: string) => process.emitWarning(warning, type),
      execPath: () => process.execPath,
      exit: (code: number) => process.exit(code),
      nextTick: process.nextTick,
      // Asked only if main.ts set no width (it always does): process.stdout costs its stream modules.
      get stdColumns() {
        return process.stdout.columns ?? null;
      },
    },
    readFileSync,
    readdirSync,
    require: createRequire(yargsUrl),
    getCallerFile: () => {
      const caller = getCallerFile(3);
      return caller.startsWith('file://') ? fileURLToPath(caller) : caller;
    },
    stringWidth: plainWidth,
    y18n: (y18n.default as (options: unknown) => unknown)({ directory: fileURLToPath(new URL('locales', yargsUrl)), updateFiles: false }),
  };
  return (factory.YargsFactory as (shim: unknown) => YargsFactory)(shim);
}

/** yargs' uses of its shim's assert: checks of its own arguments, an Error when they fail. */
function strictEqual(actual: unknown, expected: unknown, message?: string): void {
  if (!Object.is(actual, expected)) throw new Error(message ?? `Expected ${inspect(actual)} to be strictly equal to ${inspect(expected)}`);
}

function notStrictEqual(actual: unknown, expected: unknown, message?: string): void {
  if (Object.is(actual, expected)) throw new Error(message ?? `Expected ${inspect(actual)} not to be strictly equal to ${inspect(expected)}`);
}

/** A lone surrogate or a pair: a code point that takes two UTF-16 units. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Columns of plain text: one per code point (no colours, no wide characters in ha-manager's texts).
 * yargs measures every row of a help text once per row, so the common case (no surrogate) is the length.
 */
function plainWidth(text: string): number {
  if (!SURROGATE.test(text)) return text.length;
  let width = 0;
  for (const _ of text) width++;
  return width;
}

/** wrap-ansi's `hard` wrap for plain text: words to `width` columns, a longer word cut, rows trimmed. */
export function wrapPlain(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => wrapLine(line, width))
    .join('\n');
}

function wrapLine(line: string, width: number): string {
  const rows: string[] = [''];
  for (const word of line.split(' ')) {
    const row = rows[rows.length - 1]!;
    if (row !== '' && plainWidth(row) + 1 + plainWidth(word) > width) {
      rows[rows.length - 1] = row.trimEnd();
      rows.push('');
    }
    let rest = rows[rows.length - 1] === '' ? word : `${rows[rows.length - 1]} ${word}`;
    while (plainWidth(rest) > width) {
      const chars = [...rest];
      rows[rows.length - 1] = chars.slice(0, width).join('');
      rest = chars.slice(width).join('');
      rows.push('');
    }
    rows[rows.length - 1] = rest;
  }
  return rows.map((row) => row.trim()).join('\n');
}
