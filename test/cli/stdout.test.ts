import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const STDOUT_MODULE = pathToFileURL(resolve('src/cli/stdout.ts')).href;
/** Larger than a pipe's buffer (64 KiB on Linux): the writer has to wait for the reader. */
const TEXT_BYTES = 1 << 20;

/** Runs writeOutput(text) in a child whose stdout is a pipe this test reads slowly; returns what came. */
function slowlyRead(touchStdoutFirst: boolean): Promise<string> {
  const script = [
    `import { writeOutput } from ${JSON.stringify(STDOUT_MODULE)};`,
    touchStdoutFirst ? 'void process.stdout.columns; process.stdout.write("first\\n");' : '',
    `let text = ''; for (let i = 0; text.length < ${TEXT_BYTES}; i++) text += \`line \${i} é\\n\`;`,
    'writeOutput(text);',
    "writeOutput('last\\n');",
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 2);
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(Buffer.concat(chunks).toString('utf8')) : fail(new Error(`child exited ${code}`))));
  });
}

function expected(touchStdoutFirst: boolean): string {
  let text = '';
  for (let i = 0; text.length < TEXT_BYTES; i++) text += `line ${i} é\n`;
  return `${touchStdoutFirst ? 'first\n' : ''}${text}last\n`;
}

describe('command output straight to file descriptor 1 (src/cli/stdout.ts)', function () {
  this.timeout(60_000);

  it('a text larger than the pipe arrives whole and in order while the reader is slow', async () => {
    assert.equal(await slowlyRead(false), expected(false));
  });

  it('the same after process.stdout was used (Node may have made the descriptor non-blocking: the rest goes through it)', async () => {
    assert.equal(await slowlyRead(true), expected(true));
  });
});
