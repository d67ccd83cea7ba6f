import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of test/fence/fake-bin/fence_fake, a fence agent that records how it was called. */
export const FAKE_AGENT_BIN = fileURLToPath(new URL('./fake-bin', import.meta.url));

/** A fresh record folder for fence_fake and the environment that finds it on PATH. */
export function fakeAgent() {
  const dir = mkdtempSync(join(tmpdir(), 'ha-fence-fake-'));
  const env = { ...process.env, PATH: `${FAKE_AGENT_BIN}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, FAKE_AGENT_DIR: dir };
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
  return {
    dir,
    env,
    /** Every stdin the agent got, one per call. */
    stdins: () => read('stdin').split('\n--\n').filter((text) => text.trim() !== ''),
    /** Its /proc/self/cmdline per call (NULs as spaces). */
    cmdlines: () => read('cmdline'),
    /** The number of arguments per call. */
    argcs: () => read('argc').split('\n').filter(Boolean).map(Number),
    /** The actions called, in order. */
    actions: () => read('actions').split('\n').filter(Boolean),
    read,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
