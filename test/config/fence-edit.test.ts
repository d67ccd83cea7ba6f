import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigRefused } from '../../src/config/config-edit.ts';
import { FenceDocument } from '../../src/config/fence-document.ts';
import {
  addConnect,
  addDevice,
  editFenceConfig,
  removeConnect,
  removeDevice,
  setConnect,
  setDevice,
  setNodeSettings,
  setProxyOrder,
} from '../../src/config/fence-edit.ts';
import { ConfigError } from '../../src/config/section-config.ts';
import { DirClusterStore } from '../../src/store/dir-cluster-store.ts';

const FILE = '/x/fence.cfg';
const HAND_WRITTEN = `# our fencing
device ipmi fence_ipmilan ip=10.0.0.1   password="p w"   # keep my spacing
connect ipmi node=node1 ipport=623

# the PDUs
device pdu:1 fence_apc ip=10.0.0.10
connect pdu:1 node=node1 plug=3
`;

const doc = (text = HAND_WRITTEN) => FenceDocument.parse(text, FILE);
const refused = (edit: () => void, pattern: RegExp) => assert.throws(edit, (error: unknown) => error instanceof ConfigRefused && pattern.test(error.message));

describe('fence.cfg edits', () => {
  it('adds a device to its level after the level, a new level last, and removes them again byte for byte', () => {
    const document = doc();
    addDevice(document, { id: 'pdu:2', agent: 'fence_apc', options: { ip: '10.0.0.11' } });
    addDevice(document, { id: 'kdump', agent: 'fence_kdump', options: {} });
    assert.equal(document.render(), `${HAND_WRITTEN.replace('plug=3\n', 'plug=3\ndevice pdu:2 fence_apc ip=10.0.0.11\n')}device kdump fence_kdump\n`);
    removeDevice(document, { id: 'kdump', force: false });
    removeDevice(document, { id: 'pdu:2', force: false });
    assert.equal(document.render(), HAND_WRITTEN);
  });

  it("adds a connect after its device's last connect and removes it again; set rewrites only its line", () => {
    const document = doc();
    addConnect(document, { deviceId: 'ipmi', node: 'node2', options: { ipport: '624' } });
    assert.match(document.render(), /connect ipmi node=node1 ipport=623\nconnect ipmi node=node2 ipport=624\n\n# the PDUs/);
    removeConnect(document, { deviceId: 'ipmi', node: 'node2' });
    assert.equal(document.render(), HAND_WRITTEN);
    setConnect(document, { deviceId: 'pdu:1', node: 'node1', change: { set: { plug: '4' }, delete: [] } });
    assert.equal(document.render(), HAND_WRITTEN.replace('plug=3', 'plug=4'));
  });

  it('sets and deletes device options and the agent; a line it rewrites is written plainly', () => {
    const document = doc();
    setDevice(document, { id: 'ipmi', agent: 'fence_ilo3', change: { set: { timeout: '30' }, delete: ['password'] } });
    assert.equal(document.config.devices[0]!.agent, 'fence_ilo3');
    assert.deepEqual(document.config.devices[0]!.options, { ip: '10.0.0.1', timeout: '30' });
    assert.match(document.render(), /^# our fencing\ndevice ipmi fence_ilo3 ip=10\.0\.0\.1 timeout=30\nconnect ipmi/);
    refused(() => setDevice(document, { id: 'ipmi', change: { set: {}, delete: ['nothing'] } }), /Device 'ipmi' has no option 'nothing' to delete/);
  });

  it('refuses what the file would not allow, and changes nothing then', () => {
    const document = doc();
    refused(() => addDevice(document, { id: 'ipmi', agent: 'fence_ipmilan', options: {} }), /Device 'ipmi' exists \(\/x\/fence\.cfg line 2\); change it with 'ha-manager fence device set ipmi'/);
    refused(() => addDevice(document, { id: 'pdu', agent: 'fence_apc', options: {} }), /would not load: Device 'pdu' mixes 'pdu' and 'pdu:<n>'/);
    refused(() => addDevice(document, { id: 'a b', agent: 'fence_apc', options: {} }), /Bad device id 'a b'/);
    refused(() => addDevice(document, { id: 'a', agent: '../fence_apc', options: {} }), /Bad agent '\.\.\/fence_apc'/);
    refused(() => addDevice(document, { id: 'a', agent: 'fence_apc', options: { timeout: '0' } }), /would not load: Bad timeout/);
    refused(() => addConnect(document, { deviceId: 'nope', node: 'node1', options: {} }), /No fence device 'nope' in \/x\/fence\.cfg \(devices: ipmi, pdu:1\)/);
    refused(() => addConnect(document, { deviceId: 'ipmi', node: 'node1', options: {} }), /Node node1 is connected to 'ipmi' already \(\/x\/fence\.cfg line 3\)/);
    refused(() => removeConnect(document, { deviceId: 'ipmi', node: 'node2' }), /Node node2 is not connected to 'ipmi' \(connected: node1\)/);
    refused(() => removeDevice(document, { id: 'ipmi', force: false }), /Device 'ipmi' is connected to node1: remove those connects first/);
    assert.equal(document.render(), HAND_WRITTEN);
  });

  it('removes a connected device with its connects when forced', () => {
    const document = doc();
    removeDevice(document, { id: 'ipmi', force: true });
    assert.equal(document.render(), '# our fencing\n\n# the PDUs\ndevice pdu:1 fence_apc ip=10.0.0.10\nconnect pdu:1 node=node1 plug=3\n');
  });

  it('writes node lines: watchdog none only with a level, soft fencing together, a line of defaults removed', () => {
    const document = doc();
    setNodeSettings(document, { node: 'node1', change: { set: { watchdog: 'none' }, delete: [] } });
    refused(() => setNodeSettings(document, { node: 'node2', change: { set: { watchdog: 'none' }, delete: [] } }), /would not load: Node node2 has watchdog=none but no complete fence level/);
    refused(() => setNodeSettings(document, { node: 'node1', change: { set: { soft_check: 'true' }, delete: [] } }), /Node node1: soft_check and soft_fence come together/);
    setNodeSettings(document, { node: 'node1', change: { set: { soft_check: 'ssh node1 true', soft_fence: 'ssh node1 systemctl restart ha-lrm', soft_grace: '60' }, delete: [] } });
    assert.match(document.render(), /\nnode node1 watchdog=none soft_check="ssh node1 true" soft_fence="ssh node1 systemctl restart ha-lrm" soft_grace=60\n$/);
    removeConnect(document, { deviceId: 'ipmi', node: 'node1' });
    refused(() => removeDevice(document, { id: 'pdu:1', force: true }), /would not load: Node node1 has watchdog=none but no complete fence level/);
    setNodeSettings(document, { node: 'node1', change: { set: { watchdog: 'default' }, delete: ['soft_check', 'soft_fence', 'soft_grace'] } });
    assert.equal(document.render(), HAND_WRITTEN.replace('connect ipmi node=node1 ipport=623\n', ''));
  });

  it('sets, replaces and removes the proxy line', () => {
    const document = doc();
    setProxyOrder(document, ['node3', 'node2']);
    assert.ok(document.render().endsWith('proxy node3 node2\n'));
    setProxyOrder(document, ['node2']);
    assert.deepEqual(document.config.proxyOrder, ['node2']);
    setProxyOrder(document, []);
    assert.equal(document.render(), HAND_WRITTEN);
  });
});

describe('editFenceConfig', () => {
  it('creates fence.cfg with mode 0600, rewrites an exposed one with 0600, and writes nothing when nothing changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fence-edit-'));
    const file = join(dir, 'fence.cfg');
    editFenceConfig(new DirClusterStore(dir), (document) => addDevice(document, { id: 'pdu', agent: 'fence_dummy', options: { password: 'x' } }));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    writeFileSync(file, readFileSync(file), { mode: 0o644 });
    const before = statSync(file);
    editFenceConfig(new DirClusterStore(dir), () => {});
    assert.equal(statSync(file).ino, before.ino, 'not rewritten');
    editFenceConfig(new DirClusterStore(dir), (document) => setDevice(document, { id: 'pdu', change: { set: { type: 'file' }, delete: [] } }));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), 'device pdu fence_dummy password=x type=file\n');
  });

  it('reports a broken fence.cfg with its line and leaves it as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fence-edit-'));
    writeFileSync(join(dir, 'fence.cfg'), 'device pdu fence_dummy\nbogus\n');
    assert.throws(() => editFenceConfig(new DirClusterStore(dir), (document) => setProxyOrder(document, ['node1'])), (error: unknown) => error instanceof ConfigError && error.line === 2);
    assert.equal(readFileSync(join(dir, 'fence.cfg'), 'utf8'), 'device pdu fence_dummy\nbogus\n');
  });
});
