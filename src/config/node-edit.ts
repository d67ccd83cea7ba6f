import { checkNodeName } from '../common/node-name.ts';
import { ConfigRefused } from './config-edit.ts';
import type { ConfigDocuments, LoadedConfig } from './load-config.ts';

/** What `ha-manager node add` writes into the node's section (as ha.cfg spells it: memory in MiB). */
export interface NodeOptions {
  readonly cpus?: string;
  readonly memory?: string;
  readonly comment?: string;
}

/**
 * Declares a node: appends `node: <name>` to ha.cfg. The values are checked by the reload that every
 * config edit does before it writes (so `placement static` refuses a node without capacity there).
 */
export function addNode(documents: ConfigDocuments, request: { node: string; options: NodeOptions }): void {
  const { node, options } = request;
  const name = checkNodeName(node);
  if (!name.ok) throw new ConfigRefused(name.problem);
  const existing = documents.settings.find('node', node);
  if (existing) throw new ConfigRefused(`Node '${node}' is declared already (${documents.settings.file} line ${existing.line})`);
  if ((options.cpus === undefined) !== (options.memory === undefined)) {
    throw new ConfigRefused(`Node '${node}': give both --cpus and --memory (MiB), or neither`);
  }
  const entries: Array<[string, string]> = [];
  if (options.comment !== undefined) entries.push(['comment', options.comment]);
  if (options.cpus !== undefined) entries.push(['cpus', options.cpus]);
  if (options.memory !== undefined) entries.push(['memory', options.memory]);
  documents.settings.addSection('node', node, entries);
}

/**
 * Removes a node's declaration; refused while a resource is on it or a group names it (the caller
 * checks the live side: a node whose LRM is alive is refused too). Each refusal says what to do first.
 */
export function removeNode(documents: ConfigDocuments, request: { current: LoadedConfig; node: string }): void {
  const { current, node } = request;
  if (!documents.settings.find('node', node)) {
    const declared = Object.keys(current.nodes).sort();
    throw new ConfigRefused(`Node '${node}' is not declared in ${documents.settings.file} (declared: ${declared.length > 0 ? declared.join(', ') : 'none'})`);
  }
  const resources = Object.entries(current.config.resources)
    .filter(([, resource]) => resource.node === node)
    .map(([sid]) => sid);
  if (resources.length > 0) {
    throw new ConfigRefused(`Node '${node}' still has ${resources.join(', ')}; move them first ('ha-manager migrate <sid> <node>', or 'ha-manager crm-command node-maintenance enable ${node}')`);
  }
  const groups = Object.entries(current.config.groups)
    .filter(([, group]) => Object.hasOwn(group.nodes, node))
    .map(([name]) => name);
  if (groups.length > 0) {
    throw new ConfigRefused(`Node '${node}' is in group ${groups.join(', ')}; take it out first ('ha-manager groupset <group> --nodes ...')`);
  }
  documents.settings.removeSection('node', node);
}
