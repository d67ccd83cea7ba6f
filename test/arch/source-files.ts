import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file under `root`, recursively, with its text. */
export function sourceFiles(root: string): Array<{ path: string; text: string }> {
  const files: Array<{ path: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push({ path, text: readFileSync(path, 'utf8') });
    }
  };
  walk(root);
  return files;
}

/** Module specifiers of static imports and re-exports (`import type` included, flagged). */
export function importsOf(text: string): Array<{ from: string; isTypeOnly: boolean }> {
  const imports: Array<{ from: string; isTypeOnly: boolean }> = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) imports.push({ from: match[3]!, isTypeOnly: match[2] !== undefined });
  for (const match of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) imports.push({ from: match[1]!, isTypeOnly: false });
  return imports;
}

/** The text with comments and string literals blanked, so words in them are not mistaken for code. */
export function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, ' ')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '""');
}
