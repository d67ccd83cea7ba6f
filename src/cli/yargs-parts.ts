/**
 * The files of yargs and its dependencies that src/cli/load-yargs.ts assembles the light yargs from.
 * yargs' package exports do not list its internal files, so they are imported by a file URL computed
 * from where `yargs` (or `cliui`) resolves; they have no type declarations: plain records.
 *
 * `npm run build` bundles the CLI (build/build.mjs), and a computed specifier cannot be bundled:
 * there this module is replaced by one that imports the files YARGS_PART_FILES names, resolved by
 * partSpecifier at build time, statically: yargs becomes part of the bundle instead of some thirty
 * modules (one of them CommonJS) that Node would load one by one at every command. The bundle has no
 * full yargs (importFullYargs fails there; bin/launcher.cjs runs the sources for HA_MANAGER_FULL_YARGS=1).
 */
import type { YargsFactory } from './load-yargs.ts';

export type YargsPartName = 'factory' | 'processArgv' | 'cliui' | 'parser' | 'y18n' | 'escalade' | 'callerFile';

export interface YargsParts {
  /** The file URL of yargs' entry module: its locales/ and the package.json it reads are found from it. */
  readonly yargsUrl: string;
  readonly modules: Readonly<Record<YargsPartName, Record<string, unknown>>>;
}

interface PartFile {
  /** The package the path is inside of (`yargs`, `cliui`), or none: `path` is a package name itself. */
  readonly inside?: 'yargs' | 'cliui';
  readonly path: string;
}

export const YARGS_PART_FILES: Readonly<Record<YargsPartName, PartFile>> = {
  factory: { inside: 'yargs', path: 'build/lib/yargs-factory.js' },
  processArgv: { inside: 'yargs', path: 'build/lib/utils/process-argv.js' },
  cliui: { inside: 'cliui', path: 'build/lib/index.js' },
  parser: { path: 'yargs-parser' },
  y18n: { path: 'y18n' },
  escalade: { path: 'escalade/sync' },
  callerFile: { path: 'get-caller-file' },
};

/** What `import()` takes for a part: a file URL inside its package, or the package name. */
export function partSpecifier(part: PartFile, resolve: (name: string) => string): string {
  return part.inside === undefined ? part.path : new URL(part.path, resolve(part.inside)).href;
}

export async function importYargsParts(): Promise<YargsParts> {
  const resolved = new Map<string, string>();
  const resolve = (specifier: string) => resolved.get(specifier) ?? resolved.set(specifier, import.meta.resolve(specifier)).get(specifier)!;
  const names = Object.keys(YARGS_PART_FILES) as YargsPartName[];
  const modules = await Promise.all(names.map((name) => import(partSpecifier(YARGS_PART_FILES[name], resolve)) as Promise<Record<string, unknown>>));
  return { yargsUrl: resolve('yargs'), modules: Object.fromEntries(names.map((name, index) => [name, modules[index]!])) as YargsParts['modules'] };
}

/** yargs as its package exports it, with its own platform shim (string-width, wrap-ansi and the rest). */
export async function importFullYargs(): Promise<YargsFactory> {
  return (await import('yargs')).default;
}
