// A process that takes the config lock of a shared directory and holds it, for the liveness tests of
// the config lock: prints `taken` once it holds it (or `held` and exits 1), then holds it for
// <holdMs> ms and releases it (exit 0), or until it is killed when <holdMs> is `forever`.
// It writes the identity it is given, with its own pid: tests plant another host or an older boot.
// Usage: node --import tsx config-lock-holder.ts <sharedDir> <node> <host> <bootId|-> <holdMs|forever>
import { tryConfigLock } from '../../src/store/config-lock.ts';

/** A holder told to hold "forever" is killed by its test; this bounds a test that forgets to. */
const FOREVER_MS_MAX = 300_000;

const [sharedDir, node, host, bootId, holdText] = process.argv.slice(2);
if (!sharedDir || !node || !host || !bootId || !holdText) throw new Error(`Usage: config-lock-holder.ts <sharedDir> <node> <host> <bootId|-> <holdMs|forever>, got ${process.argv.slice(2).join(' ')}`);
const attempt = tryConfigLock(sharedDir, { node, host, bootId: bootId === '-' ? undefined : bootId, pid: process.pid });
if (attempt.kind !== 'taken') {
  process.stdout.write('held\n');
  process.exit(1);
}
process.stdout.write('taken\n');
const holdMs = holdText === 'forever' ? FOREVER_MS_MAX : Number(holdText);
setTimeout(() => {
  attempt.release();
  process.exit(0);
}, holdMs);
