import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentParameters, unknownOptions } from '../../src/fence/fence-metadata.ts';

/** A directory on PATH with fake agents; each counts its calls in <agent>.calls. */
const binDir = mkdtempSync(join(tmpdir(), 'fence-bin-'));
const originalPath = process.env.PATH;

function fakeAgent(name: string, body: string): void {
  const file = join(binDir, name);
  writeFileSync(file, `#!/bin/sh\necho x >> "${file}.calls"\n${body}\n`);
  chmodSync(file, 0o755);
}

const callsOf = (name: string) => readFileSync(join(binDir, `${name}.calls`), 'utf8').split('\n').filter(Boolean).length;

describe('fence agent metadata', () => {
  before(() => {
    process.env.PATH = `${binDir}:${originalPath}`;
  });
  after(() => {
    process.env.PATH = originalPath;
  });

  it("reads the real fence_dummy's and fence_ipmilan's parameters", () => {
    const dummy = agentParameters('fence_dummy');
    assert.equal(dummy.kind, 'known');
    if (dummy.kind !== 'known') return;
    for (const name of ['status_file', 'type', 'action']) assert.ok(dummy.names.has(name), name);
    const ipmi = agentParameters('fence_ipmilan');
    assert.ok(ipmi.kind === 'known');
    for (const name of ['ip', 'ipport', 'username', 'password', 'lanplus', 'cipher', 'plug']) assert.ok(ipmi.names.has(name), name);
    assert.deepEqual(unknownOptions(['ip', 'pasword', 'timeout', 'password_file', 'ipprot'], ipmi.names), [
      { key: 'pasword', closest: ['password', 'passwd', 'port'] },
      { key: 'ipprot', closest: ['ipport', 'ip', 'port'] },
    ]);
  });

  it('asks a fake agent on PATH once per process, with only -o metadata in argv', () => {
    fakeAgent('fence_fake_once', `echo "$@" > "${binDir}/fence_fake_once.argv"\ncat <<'EOF'\n<?xml version="1.0" ?>\n<resource-agent name="fence_fake_once">\n<parameters>\n<parameter name="zone" unique="0"/>\n<parameter name="secret_key" unique="0"/>\n</parameters>\n</resource-agent>\nEOF`);
    const first = agentParameters('fence_fake_once');
    const second = agentParameters('fence_fake_once');
    assert.ok(first.kind === 'known');
    assert.deepEqual([...first.names], ['zone', 'secret_key']);
    assert.equal(second, first);
    assert.equal(callsOf('fence_fake_once'), 1);
    assert.equal(readFileSync(join(binDir, 'fence_fake_once.argv'), 'utf8'), '-o metadata\n');
  });

  it('says an agent is not installed, or printed no parameters, or failed', () => {
    const missing = agentParameters('fence_not_installed_here');
    assert.deepEqual(missing, { kind: 'unavailable', reason: 'fence_not_installed_here is not installed on this node (not found on PATH)' });
    fakeAgent('fence_fake_empty', 'echo "no xml"');
    assert.deepEqual(agentParameters('fence_fake_empty'), { kind: 'unavailable', reason: 'fence_fake_empty -o metadata printed no parameters (exit 0)' });
    fakeAgent('fence_fake_fails', 'echo \'<parameter name="a"/>\'; exit 3');
    assert.deepEqual(agentParameters('fence_fake_fails'), { kind: 'unavailable', reason: 'fence_fake_fails -o metadata printed no parameters (exit 3)' });
  });
});
