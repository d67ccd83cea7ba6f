import { readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ShutdownKind } from '../lrm/lrm-local.ts';

/** A systemctl query that hangs must not hold the LRM's stop. */
const SYSTEMCTL_TIMEOUT_MS = 2_000;

/** `<state-dir>/shutdown-request`: one word, `shutdown`, `reboot` or `restart`, consumed by the next stop. */
export function shutdownRequestFile(stateDir: string): string {
  return join(stateDir, 'shutdown-request');
}

/**
 * Why the LRM is being stopped, as Proxmox's LRM asks: is the node shutting down, rebooting, or is only
 * the LRM restarting (services stay frozen in place)? An explicit request file wins (tests, demo, an
 * operator's script); otherwise systemd is asked whether the system is stopping and whether a reboot
 * is queued; anything else is an LRM restart.
 */
export function shutdownKindOf(stateDir: string): ShutdownKind {
  const file = shutdownRequestFile(stateDir);
  let requested: string | undefined;
  try {
    requested = readFileSync(file, 'utf8').trim();
    rmSync(file, { force: true });
  } catch {
    requested = undefined;
  }
  if (requested === 'shutdown' || requested === 'reboot' || requested === 'restart') return requested;
  const running = spawnSync('systemctl', ['is-system-running'], { encoding: 'utf8', timeout: SYSTEMCTL_TIMEOUT_MS });
  if (running.stdout?.trim() !== 'stopping') return 'restart';
  const jobs = spawnSync('systemctl', ['list-jobs', '--no-legend'], { encoding: 'utf8', timeout: SYSTEMCTL_TIMEOUT_MS });
  return /\breboot\.target\b/.test(jobs.stdout ?? '') ? 'reboot' : 'shutdown';
}
