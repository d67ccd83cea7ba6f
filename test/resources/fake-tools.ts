import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FAKE_BIN = fileURLToPath(new URL('./fake-bin', import.meta.url));
export const OCF_ROOT_FIXTURE = fileURLToPath(new URL('../../fixtures/agents', import.meta.url));

/** A fresh state folder for the fake tools, and the environment that puts them first on PATH. */
export function fakeToolState(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `ha-${prefix}-`));
  mkdirSync(join(dir, 'units'));
  const env = { PATH: `${FAKE_BIN}:/usr/bin:/bin`, FAKE_STATE: dir };
  return {
    dir,
    env,
    /** The recorded command lines, oldest first. */
    calls(): string[] {
      const log = join(dir, 'calls.log');
      return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    },
    remove(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
