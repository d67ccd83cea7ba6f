import { strict as assert } from 'node:assert';
import { ConfigError } from '../../src/config/section-config.ts';
import { fenceLevelsFor, type FenceConfig } from '../../src/fence/fence-config.ts';
import { formatFenceConfig, parseFenceConfig } from '../../src/fence/fence-config-file.ts';

const FILE = '/etc/ha-manager/fence.cfg';

const EXAMPLE = `# IPMI first; if it fails, both PDUs must switch the node off
device ipmi fence_ipmilan ip=10.0.0.1 username=admin password_file=/etc/ha-manager/bmc.pw lanplus timeout=30
connect ipmi node=node1 ipport=623

device pdu:1 fence_apc ip=10.0.0.10 username=apc password="a \\"b\\" c\\\\d"
device pdu:2 fence_apc ip=10.0.0.11 username=apc password=plain   # trailing comment
connect pdu:1 node=node1 plug=3
connect pdu:2 node=node1 plug=3
connect pdu:1 node=node2 plug=4
node node1 watchdog=none soft_check="ssh node1 true" soft_fence="ssh node1 systemctl restart ha-lrm" soft_grace=30
node node2
proxy node3 node2
`;

/** A config without its line numbers, and connects in the order the formatter writes them (by device). */
function canonical(config: FenceConfig): unknown {
  const deviceIndex = (id: string) => config.devices.findIndex((device) => device.id === id);
  const connects = config.connects.map(({ line: _line, ...rest }) => rest).sort((a, b) => deviceIndex(a.deviceId) - deviceIndex(b.deviceId));
  return {
    devices: config.devices.map(({ line: _line, ...rest }) => rest),
    connects,
    nodes: Object.fromEntries(Object.entries(config.nodes).map(([node, { line: _line, ...rest }]) => [node, rest])),
    proxyOrder: config.proxyOrder,
  };
}

function errorOf(text: string): ConfigError {
  try {
    parseFenceConfig(text, FILE);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
    return error;
  }
  assert.fail(`parsed: ${text}`);
}

function assertRefused(text: string, line: number, pattern: RegExp): void {
  const error = errorOf(text);
  assert.equal(error.file, FILE);
  assert.equal(error.line, line, error.message);
  assert.match(error.message, pattern);
  assert.ok(error.message.startsWith(`${FILE}:${line}: `), error.message);
}

describe('parseFenceConfig', () => {
  it('reads devices, connects, node settings and the proxy order', () => {
    const config = parseFenceConfig(EXAMPLE, FILE);
    assert.deepEqual(
      config.devices.map((device) => [device.id, device.name, device.agent, device.line]),
      [
        ['ipmi', 'ipmi', 'fence_ipmilan', 2],
        ['pdu:1', 'pdu', 'fence_apc', 5],
        ['pdu:2', 'pdu', 'fence_apc', 6],
      ],
    );
    assert.deepEqual(config.devices[0]!.options, { ip: '10.0.0.1', username: 'admin', password_file: '/etc/ha-manager/bmc.pw', lanplus: '', timeout: '30' });
    assert.equal(config.devices[1]!.options.password, 'a "b" c\\d');
    assert.equal(config.devices[2]!.options.password, 'plain');
    assert.deepEqual(config.connects[0], { deviceId: 'ipmi', node: 'node1', options: { ipport: '623' }, line: 3 });
    assert.deepEqual(config.nodes.node1, { watchdog: 'none', softCheck: 'ssh node1 true', softFence: 'ssh node1 systemctl restart ha-lrm', softGraceS: 30, line: 10 });
    assert.deepEqual(config.nodes.node2, { watchdog: 'default', line: 11 });
    assert.deepEqual(config.proxyOrder, ['node3', 'node2']);
  });

  it('forms levels by name in the order names first appear; a node not on every device of a level skips it', () => {
    const config = parseFenceConfig(EXAMPLE, FILE);
    const node1 = fenceLevelsFor(config, 'node1');
    assert.deepEqual(
      node1.map((level) => [level.name, level.steps.map((step) => step.deviceId)]),
      [
        ['ipmi', ['ipmi']],
        ['pdu', ['pdu:1', 'pdu:2']],
      ],
    );
    assert.equal(node1[0]!.steps[0]!.timeoutS, 30);
    assert.equal(node1[1]!.steps[0]!.options.plug, '3');
    assert.deepEqual(fenceLevelsFor(config, 'node2'), []);
  });

  it('reads an empty file, comments and blank lines as no fencing, and accepts CRLF line ends', () => {
    assert.deepEqual(parseFenceConfig('', FILE), { devices: [], connects: [], nodes: {}, proxyOrder: [] });
    assert.deepEqual(parseFenceConfig('# nothing\n\n   \t\n  # indented\n', FILE).devices, []);
    const crlf = parseFenceConfig('device d fence_dummy type=file\r\nconnect d node=n1\r\n', FILE);
    assert.deepEqual(crlf.connects[0]!.options, {});
    assert.equal(crlf.devices[0]!.options.type, 'file');
  });

  it('reads quoted values: blanks, escapes, an empty value, a # inside, other backslashes kept', () => {
    const config = parseFenceConfig('device d fence_dummy a="x y" b="" c="#not a comment" d="C:\\dir" e=\\\\n\n', FILE);
    assert.deepEqual(config.devices[0]!.options, { a: 'x y', b: '', c: '#not a comment', d: 'C:\\dir', e: '\\\\n' });
  });
});

describe('parseFenceConfig errors', () => {
  const device = 'device d fence_dummy\n';
  it('refuses a duplicate device id, naming the first line', () => assertRefused(`${device}\n${device}`, 3, /Duplicate device 'd' \(first defined on line 1\)/));
  it('refuses a node connected twice to one device', () => assertRefused(`${device}connect d node=n1\nconnect d node=n1 plug=2\n`, 3, /Node n1 is connected to 'd' twice \(first on line 2\)/));
  it('refuses a connect to an unknown device, listing the known ones', () => assertRefused(`${device}connect e node=n1\n`, 2, /Unknown device 'e' \(known: d\)/));
  it('refuses a connect before its device, naming the line that defines it', () => assertRefused(`connect d node=n1\n${device}`, 1, /Device 'd' is defined later, on line 2/));
  it("refuses a level mixing 'power' and 'power:1' either way", () => {
    assertRefused('device power fence_dummy\ndevice power:1 fence_dummy\n', 2, /mixes 'power' and 'power:<n>'/);
    assertRefused('device power:1 fence_dummy\ndevice power fence_dummy\n', 2, /mixes 'power' and 'power:<n>' \(line 1 has 'power:1'\)/);
  });
  it('refuses a bad node name in connect, node and proxy lines', () => {
    assertRefused(`${device}connect d node=bad_name\n`, 2, /Bad node name 'bad_name'/);
    assertRefused('node -x\n', 1, /Bad node name '-x'/);
    assertRefused('proxy n1 n/2\n', 1, /Bad node name 'n\/2'/);
  });
  it('refuses an unknown line kind', () => assertRefused('# c\nfencing d\n', 2, /Unknown line kind 'fencing': expected one of device, connect, node, proxy/));
  it('refuses an unterminated quote without showing the value', () => {
    assertRefused('device d fence_dummy password="secret\n', 1, /Unterminated quote in the value of 'password'/);
    assert.doesNotMatch(errorOf('device d fence_dummy password="secret\n').message, /secret/);
  });
  it('refuses quotes outside a value and text glued to a closing quote', () => {
    assertRefused('device "d" fence_dummy\n', 1, /Unexpected quote in word 2/);
    assertRefused('device d fence_dummy a=x"y"\n', 1, /Unexpected quote in the value of 'a'/);
    assertRefused('device d fence_dummy a="x"y\n', 1, /Text right after the closing quote of 'a'/);
  });
  it('refuses a connect without node=, a missing agent, a bad device id and a bad agent name', () => {
    assertRefused(`${device}connect d plug=1\n`, 2, /Connect to 'd' without node=<node>/);
    assertRefused('device d\n', 1, /Expected 'device <name>\[:<n>\] <agent>/);
    assertRefused('device d:01 fence_dummy\n', 1, /Bad device id 'd:01'/);
    assertRefused('device d /usr/sbin/fence_dummy\n', 1, /Bad agent '\/usr\/sbin\/fence_dummy'/);
  });
  it('refuses an option given twice, a bad option name and action=', () => {
    assertRefused('device d fence_dummy a=1 a=2\n', 1, /Option 'a' given twice/);
    assertRefused('device d fence_dummy 1a=2\n', 1, /Bad option name '1a'/);
    assertRefused('device d fence_dummy action=reboot\n', 1, /Option 'action' is set by the fence runner/);
  });
  it('refuses a relative password_file and a timeout that is not a positive whole number of seconds', () => {
    assertRefused('device d fence_dummy password_file=bmc.pw\n', 1, /Bad password_file: an absolute path/);
    for (const timeout of ['0', '-1', '1.5', 'x', '', '3601']) assertRefused(`device d fence_dummy timeout=${timeout}\n`, 1, /Bad timeout: a whole number of seconds from 1 to 3600/);
  });
  it('refuses watchdog=none for a node without a complete level, naming the node line', () => {
    assertRefused('node n1 watchdog=none\n', 1, /Node n1 has watchdog=none but no complete fence level/);
    assertRefused('device p:1 fence_dummy\ndevice p:2 fence_dummy\nconnect p:1 node=n1\nnode n1 watchdog=none\n', 4, /no complete fence level/);
    assert.equal(parseFenceConfig('node n1 watchdog=none\ndevice p fence_dummy\nconnect p node=n1\n', FILE).nodes.n1!.watchdog, 'none');
  });
  it('refuses soft_check without soft_fence, soft_grace without them, bad values and unknown node options', () => {
    assertRefused('node n1 soft_check=true\n', 1, /soft_check and soft_fence come together/);
    assertRefused('node n1 soft_fence=true\n', 1, /soft_check and soft_fence come together/);
    assertRefused('node n1 soft_grace=10\n', 1, /soft_grace without soft_check and soft_fence/);
    assertRefused('node n1 soft_check=true soft_fence=true soft_grace=0\n', 1, /Bad soft_grace '0'/);
    assertRefused('node n1 soft_check soft_fence=true\n', 1, /need a command/);
    assertRefused('node n1 watchdog=off\n', 1, /Bad watchdog 'off': none or default/);
    assertRefused('node n1 fence=none\n', 1, /Unknown node option 'fence'/);
    assertRefused('node n1\nnode n1\n', 2, /Duplicate node line for n1 \(first on line 1\)/);
  });
  it('refuses a second proxy line, a node listed twice and an empty proxy line', () => {
    assertRefused('proxy n1\nproxy n2\n', 2, /Duplicate proxy line \(first on line 1\)/);
    assertRefused('proxy n1 n1\n', 1, /Node n1 is listed twice/);
    assertRefused('proxy\n', 1, /Expected 'proxy <node>/);
  });
  it('refuses a control character', () => assertRefused('device d fence_dummy a=\u0001\n', 1, /Control character/));
});

describe('formatFenceConfig', () => {
  it('writes text that parses back to the same config, and formatting that again gives the same text', () => {
    const config = parseFenceConfig(EXAMPLE, FILE);
    const text = formatFenceConfig(config);
    const again = parseFenceConfig(text, FILE);
    assert.deepEqual(canonical(again), canonical(config));
    assert.equal(formatFenceConfig(again), text);
  });

  it('quotes values with blanks, quotes, backslashes, # and empty ones only where needed', () => {
    const options = { plain: 'x', blank: 'a b', quote: 'say "hi"', backslash: 'a\\b', hash: '#1', tail: 'a\\', empty: '', eq: 'a=b' };
    const config: FenceConfig = { devices: [{ id: 'd', name: 'd', agent: 'fence_dummy', options, line: 1 }], connects: [], nodes: {}, proxyOrder: [] };
    const text = formatFenceConfig(config);
    assert.equal(text, 'device d fence_dummy plain=x blank="a b" quote="say \\"hi\\"" backslash="a\\\\b" hash="#1" tail="a\\\\" empty eq=a=b\n');
    assert.deepEqual(parseFenceConfig(text, FILE).devices[0]!.options, options);
  });

  it('round-trips random option values made of awkward characters', () => {
    const alphabet = ['a', ' ', '"', '\\', '#', '=', "'", 'é', '\t'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let round = 0; round < 300; round++) {
      const length = next() % 8;
      const value = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
      const config: FenceConfig = { devices: [{ id: 'd:1', name: 'd', agent: 'fence_dummy', options: { v: value }, line: 1 }], connects: [], nodes: {}, proxyOrder: [] };
      assert.equal(parseFenceConfig(formatFenceConfig(config), FILE).devices[0]!.options.v, value, JSON.stringify(value));
    }
  });
});
