/**
 * Largest gap between keepalives written to the emulated watchdog device, idle and with every core
 * saturated by busy child processes. Starts ha-watchdog-emulator and ha-watchdog-mux --emulated (real
 * processes, keepalive every second), two watchdog clients feeding every second, and prints the figures.
 *
 *   node --import tsx bench/watchdog-gap.ts [--seconds 8] [--busy 2]
 *
 * The emulator polls its FIFO every 2 ms, so gaps are exact to about 2 ms. A gap near the keepalive
 * period (1000 ms) is ideal; what matters is its distance to the device timeout (10 s by default).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WatchdogClient } from '../src/watchdog/watchdog-client.ts';

const MUX_BIN = new URL('../bin/ha-watchdog-mux', import.meta.url).pathname;
const EMULATOR_BIN = new URL('../bin/ha-watchdog-emulator', import.meta.url).pathname;
const POLL_MS = 2;
const STARTUP_LIMIT_MS = 20_000;
/** The clients announce Proxmox's client timeout: the bench measures gaps, far below it. */
const CLIENT_TIMEOUT_MS = 60_000;

interface Figures {
  keepaliveCount: number;
  largestGapMs: number;
  resetCount: number;
}

const sleepMs = (durationMs: number) => new Promise((resolve) => setTimeout(resolve, durationMs));

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleepMs(20);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Busy loops, one process each, for `durationMs`. */
function saturate(count: number, durationMs: number): ChildProcess[] {
  const loop = `const end = Date.now() + ${durationMs}; let x = 0; while (Date.now() < end) { x += Math.sqrt(x + 1); }`;
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', loop], { stdio: 'ignore' }));
}

async function measure(label: string, options: { seconds: number; busy: number }): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'ha-watchdog-gap-'));
  const device = join(dir, 'watchdog');
  const socketPath = join(dir, 'mux.sock');
  const children: ChildProcess[] = [];
  try {
    const emulator = spawn(EMULATOR_BIN, ['--device', device, '--node-dir', join(dir, 'node'), '--poll-ms', String(POLL_MS)], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(emulator);
    let emulatorOut = '';
    emulator.stdout!.on('data', (data) => (emulatorOut += data.toString()));
    await until(() => emulatorOut.startsWith('ready'), 'the emulator');
    const mux = spawn(MUX_BIN, ['--device', device, '--emulated', '--socket', socketPath], { stdio: 'ignore' });
    children.push(mux);
    await until(() => existsSync(socketPath), 'the mux');
    const clients = ['crm', 'lrm'].map((daemon) => new WatchdogClient({ socketPath, daemon, timeoutMs: CLIENT_TIMEOUT_MS }));
    for (const client of clients) client.open();
    const busy = saturate(options.busy, options.seconds * 1000);
    children.push(...busy);
    for (let second = 0; second < options.seconds; second += 1) {
      await sleepMs(1000);
      for (const client of clients) client.feed();
    }
    await Promise.all(busy.map(exited));
    for (const client of clients) client.close();
    await Promise.all(clients.map((client) => client.settled()));
    mux.kill('SIGTERM');
    await exited(mux);
    emulator.kill('SIGTERM');
    await exited(emulator);
    const figures = JSON.parse(emulatorOut.split('\n')[1] ?? '') as Figures;
    console.log(`${label}: largest keepalive gap ${figures.largestGapMs} ms over ${figures.keepaliveCount} keepalives, resets ${figures.resetCount}`);
    return figures;
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    rmSync(dir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' }, busy: { type: 'string', default: String(cpus().length) } } });
const seconds = Number(values.seconds);
const busy = Number(values.busy);
if (!Number.isInteger(seconds) || seconds < 2) throw new Error(`--seconds must be an integer of at least 2, got ${values.seconds}`);
if (!Number.isInteger(busy) || busy < 0) throw new Error(`--busy must be a non-negative integer, got ${values.busy}`);
console.log(`watchdog keepalive gap: ${cpus().length} cores, keepalive every 1000 ms, device timeout 10000 ms, resolution ${POLL_MS} ms`);
await measure('idle', { seconds, busy: 0 });
await measure(`${busy} busy processes`, { seconds, busy });
