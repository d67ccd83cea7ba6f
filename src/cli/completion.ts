import { loadHaConfig } from '../config/load-config.ts';
import { resolveSharedDir, sharedPaths } from '../store/shared-dir.ts';
import { knownNodes } from './known-nodes.ts';

const SID_COMMANDS = new Set(['set', 'remove', 'migrate', 'relocate', 'stop']);
const GROUP_COMMANDS = new Set(['groupset', 'groupremove']);
const NODE_AFTER_SID_COMMANDS = new Set(['migrate', 'relocate']);

type Done = (completions: string[]) => void;
type DefaultCompletion = (onCompleted?: (error: Error | null, completions: string[] | undefined) => void) => void;

/**
 * Shell completion (`ha-manager completion >> ~/.bashrc`): commands and options as yargs knows them,
 * and, for the arguments that name them, the sids, groups and nodes of the shared directory.
 */
export function completeWords(current: string, argv: { _: Array<string | number>; dir?: string }, defaultCompletion: DefaultCompletion, done: Done): void {
  // argv._ holds the program name, the words before the cursor, and the word being completed last.
  const words = argv._.map(String);
  if (words[words.length - 1] === current) words.pop();
  const [command, ...rest] = words.filter((word) => word !== 'ha-manager' && word !== 'crm-command');
  const candidates = command !== undefined && !current.startsWith('-') ? argumentCandidates(command, rest.length, argv.dir) : undefined;
  if (candidates === undefined) {
    defaultCompletion();
    return;
  }
  done(candidates.filter((candidate) => candidate.startsWith(current)));
}

function argumentCandidates(command: string, position: number, dir: string | undefined): string[] | undefined {
  try {
    const sharedDir = resolveSharedDir(dir);
    const loaded = loadHaConfig(sharedDir);
    const { config } = loaded;
    if (SID_COMMANDS.has(command) && position === 0) return Object.keys(config.resources).sort();
    if (GROUP_COMMANDS.has(command) && position === 0) return Object.keys(config.groups).sort();
    if (NODE_AFTER_SID_COMMANDS.has(command) && position === 1) return [...knownNodes(sharedPaths(sharedDir), loaded).nodes];
    if (command === 'node-maintenance' && position === 0) return ['enable', 'disable'];
    if (command === 'node-maintenance' && position === 1) return [...knownNodes(sharedPaths(sharedDir), loaded).nodes];
  } catch {
    return []; // Completion never prints an error into the operator's command line.
  }
  return undefined;
}
