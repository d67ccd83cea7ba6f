import { readFileSync } from 'node:fs';

/** Linux's id of the running boot: a new random one at every boot of the host. */
const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

/** This host's boot id; undefined where there is none (not Linux). A changed one means the host rebooted. */
export function currentBootId(): string | undefined {
  try {
    return readFileSync(BOOT_ID_FILE, 'utf8').trim();
  } catch {
    return undefined;
  }
}
