import { strict as assert } from 'node:assert';
import { ConfigError } from '../../src/config/section-config.ts';
import { SectionDocument } from '../../src/config/section-document.ts';

const PROXMOX = 'vm: 100\n\tgroup g1\n\tstate started\n\nct: 200\n\tstate stopped\n\n';

function edited(text: string, edit: (document: SectionDocument) => void): string {
  const document = SectionDocument.parse(text, 'resources.cfg');
  edit(document);
  return document.render();
}

describe('SectionDocument', () => {
  it('renders unchanged text byte for byte, whatever its layout', () => {
    for (const text of [PROXMOX, '', '\n', '# only a comment', 'vm: 1\r\n\tstate started\r\n', 'vm: 100\n    state started\n\n\n# end', 'group: a\n  nodes n1']) {
      assert.equal(SectionDocument.parse(text, 'f').render(), text);
    }
  });

  it('lists sections with their properties and line numbers', () => {
    const sections = SectionDocument.parse(PROXMOX, 'f').sections();
    assert.deepEqual(
      sections.map((section) => [section.type, section.id, section.line, section.lastLine, section.properties.map((p) => `${p.line}:${p.key}=${p.value}`)]),
      [
        ['vm', '100', 1, 3, ['2:group=g1', '3:state=started']],
        ['ct', '200', 5, 6, ['6:state=stopped']],
      ],
    );
  });

  it('changes a value in place and keeps the indentation of that line', () => {
    assert.equal(
      edited('vm: 100\n    state started\n    group g1\n', (d) => d.setProperty('vm', '100', 'state', 'stopped')),
      'vm: 100\n    state stopped\n    group g1\n',
    );
  });

  it('inserts a new key in sorted position, comment first, as Proxmox orders them', () => {
    assert.equal(edited(PROXMOX, (d) => d.setProperty('vm', '100', 'max_restart', '3')), 'vm: 100\n\tgroup g1\n\tmax_restart 3\n\tstate started\n\nct: 200\n\tstate stopped\n\n');
    assert.equal(edited(PROXMOX, (d) => d.setProperty('ct', '200', 'comment', 'db')), 'vm: 100\n\tgroup g1\n\tstate started\n\nct: 200\n\tcomment db\n\tstate stopped\n\n');
    assert.equal(edited(PROXMOX, (d) => d.setProperty('ct', '200', 'zone', 'x')), 'vm: 100\n\tgroup g1\n\tstate started\n\nct: 200\n\tstate stopped\n\tzone x\n\n');
  });

  it('deletes a property line and nothing else', () => {
    assert.equal(edited(PROXMOX, (d) => d.deleteProperty('vm', '100', 'group')), 'vm: 100\n\tstate started\n\nct: 200\n\tstate stopped\n\n');
  });

  it('appends a section the way Proxmox writes it', () => {
    assert.equal(edited('', (d) => d.addSection('vm', '100', [['state', 'started'], ['comment', 'web']])), 'vm: 100\n\tcomment web\n\tstate started\n\n');
    assert.equal(edited(PROXMOX, (d) => d.addSection('vm', '101', [['node', 'n1']])), `${PROXMOX}vm: 101\n\tnode n1\n\n`);
    assert.equal(edited('vm: 100\n\tnode n1', (d) => d.addSection('vm', '101', [['node', 'n2']])), 'vm: 100\n\tnode n1\n\nvm: 101\n\tnode n2');
  });

  it('keeps CRLF line endings in new and changed lines', () => {
    assert.equal(
      edited('vm: 100\r\n\tstate started\r\n', (d) => {
        d.setProperty('vm', '100', 'state', 'stopped');
        d.setProperty('vm', '100', 'node', 'n1');
      }),
      'vm: 100\r\n\tnode n1\r\n\tstate stopped\r\n',
    );
  });

  it('removes a section with one separating blank line, so add then remove restores the text', () => {
    for (const text of [PROXMOX, 'vm: 100\n\tnode n1', '# head\nvm: 100\n\tnode n1\n\n\nct: 200\n\tnode n2\n']) {
      const added = edited(text, (d) => d.addSection('vm', '999', [['node', 'x']]));
      assert.notEqual(added, text);
      assert.equal(edited(added, (d) => d.removeSection('vm', '999')), text);
    }
    assert.equal(edited(PROXMOX, (d) => d.removeSection('vm', '100')), 'ct: 200\n\tstate stopped\n\n');
    assert.equal(edited(PROXMOX, (d) => d.removeSection('ct', '200')), 'vm: 100\n\tgroup g1\n\tstate started\n\n');
    assert.equal(edited('vm: 100\n\tnode n1\n\n', (d) => d.removeSection('vm', '100')), '');
  });

  it('refuses bad lines with the file and line', () => {
    assert.throws(() => SectionDocument.parse('vm: 100\n\tstate started\nfoo bar\n', 'r.cfg'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, "r.cfg:3: Bad section header 'foo bar', expected '<type>: <id>'");
      assert.equal(error.line, 3);
      return true;
    });
  });
});
