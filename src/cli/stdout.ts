import { writeSync } from 'node:fs';

/**
 * Writes a command's output to file descriptor 1 itself. The first use of process.stdout loads Node's
 * stream modules, which are not in Node's startup snapshot: some 6 ms compiled at every start, more
 * than `status` needs to read the cluster. A descriptor that another process made non-blocking may
 * take part of the text and answer EAGAIN: the rest then goes through process.stdout, which waits
 * for the reader. Any other error (EPIPE: the reader is gone) is the command's error.
 */
/** Once text went through process.stdout, all that follows must too: a direct write would overtake what it still queues. */
let isHandedOver = false;

export function writeOutput(text: string): void {
  if (isHandedOver) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) {
    let written = 0;
    try {
      written = writeSync(1, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
    // Each turn writes at least one byte or hands the rest over: the loop ends within bytes.length turns.
    if (written === 0) {
      isHandedOver = true;
      process.stdout.write(bytes.subarray(offset));
      return;
    }
    offset += written;
  }
}
