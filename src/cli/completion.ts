import { loadHaConfig, type LoadedConfig } from '../config/load-config.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { OUTPUT_FORMATS } from './cli-options.ts';
import { knownNodes } from './known-nodes.ts';

const SID_COMMANDS = new Set(['set', 'remove', 'migrate', 'relocate', 'stop']);
const GROUP_COMMANDS = new Set(['groupset', 'groupremove']);
const NODE_AFTER_SID_COMMANDS = new Set(['migrate', 'relocate']);
const REQUESTED_STATES = ['started', 'stopped', 'disabled', 'ignored'];

/** The command line being completed: the words before the cursor's word (no program name), and that word. */
export interface CompletionRequest {
  readonly words: readonly string[];
  readonly current: string;
  /** The store the command line selects (--dir, --store, --endpoints, else the environment); undefined when it cannot be opened. */
  readonly store: ClusterStore | undefined;
  /** The options of the command that take no value (its booleans, --help): the word after one is an argument. */
  readonly valueless: ReadonlySet<string>;
}

/**
 * Shell completion (`ha-manager completion`, src/cli/commands/completion.ts prints the bash script):
 * the values of an option (`--state <TAB>`: the requested states; `--node`, `--group`, `--output-format`,
 * the 0/1 group flags) and the arguments that name things of the cluster's store (sids, groups, nodes
 * after a sid). Returns undefined where yargs' default (command and option names) is the answer.
 */
export function completionCandidates(request: CompletionRequest): string[] | undefined {
  const { words, current } = request;
  const inline = /^(--[^=]+)=(.*)$/.exec(current);
  if (inline !== null) return optionValues(inline[1]!, request)?.map((value) => `${inline[1]}=${value}`);
  const previous = words[words.length - 1];
  if (previous !== undefined && previous.startsWith('-') && !previous.includes('=') && !request.valueless.has(previous)) return optionValues(previous, request) ?? [];
  if (current.startsWith('-')) return undefined;
  const [command, ...rest] = positionals(words, request.valueless).filter((word) => word !== 'crm-command');
  if (command === undefined) return undefined;
  return argumentCandidates(command, rest.length, request);
}

/** The candidates that fit what is typed so far. */
export function completeWords(request: CompletionRequest): string[] | undefined {
  return completionCandidates(request)?.filter((candidate) => candidate.startsWith(request.current));
}

function positionals(words: readonly string[], valueless: ReadonlySet<string>): string[] {
  const result: string[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (!word.startsWith('-')) result.push(word);
    else if (!word.includes('=') && !valueless.has(word)) index++;
  }
  return result;
}

function optionValues(option: string, request: CompletionRequest): string[] | undefined {
  switch (option) {
    case '--state':
      return REQUESTED_STATES;
    case '--output-format':
      return [...OUTPUT_FORMATS];
    case '--restricted':
    case '--nofailback':
    case '--strict':
    case '--disable':
    case '--failback':
      return ['1', '0'];
    case '--affinity':
      return ['positive', 'negative'];
    case '--watchdog':
      return ['none', 'default'];
    case '--resources':
      return fromStore(request.store, ({ config }) => Object.keys(config.resources).sort());
    case '--group':
      return fromStore(request.store, ({ config }) => Object.keys(config.groups).sort());
    case '--node':
    case '--nodes':
      return fromStore(request.store, (config, store) => [...knownNodes(store, config).nodes]);
    case '--type':
      return fromStore(request.store, ({ config }) => [...new Set(['vm', 'ct', ...Object.keys(config.resources).map((sid) => sid.slice(0, sid.indexOf(':')))])].sort());
    default:
      return undefined; // a free value (--comment, --dir: the shell completes file names)
  }
}

function argumentCandidates(command: string, position: number, request: CompletionRequest): string[] | undefined {
  if (command === 'node-maintenance' && position === 0) return ['enable', 'disable'];
  if (command === 'rules') return ruleArguments(position, request);
  if (command === 'fence') return fenceArguments(position, request);
  if (command === 'disarm-ha' && position === 0) return ['freeze', 'ignore'];
  const isOurs =
    (SID_COMMANDS.has(command) && position === 0) ||
    (GROUP_COMMANDS.has(command) && position === 0) ||
    (NODE_AFTER_SID_COMMANDS.has(command) && position === 1) ||
    (command === 'node-maintenance' && position === 1) ||
    (command === 'fence-test' && position === 0);
  if (!isOurs) return undefined;
  return fromStore(request.store, (loaded, store) => {
    if (GROUP_COMMANDS.has(command)) return Object.keys(loaded.config.groups).sort();
    if (position === 0 && command !== 'node-maintenance' && command !== 'fence-test') return Object.keys(loaded.config.resources).sort();
    return [...knownNodes(store, loaded).nodes];
  });
}

/** `rules add|set <type> <rule>`, `rules remove <rule>`: the types, then the rule ids of rules.cfg. */
function ruleArguments(position: number, request: CompletionRequest): string[] | undefined {
  const subcommand = positionals(request.words, request.valueless)[1];
  const ruleIds = () => fromStore(request.store, ({ config }) => config.rules.map((rule) => rule.id).sort());
  if (subcommand === 'remove' && position === 1) return ruleIds();
  if ((subcommand === 'add' || subcommand === 'set') && position === 1) return ['node-affinity', 'resource-affinity'];
  if (subcommand === 'set' && position === 2) return ruleIds();
  return undefined;
}

/**
 * `fence device set|remove <id>`, `fence connect [add|set|remove] <id> <node>`, `fence node|plan <node>`,
 * `fence proxy <node>...`: the devices of fence.cfg, the known nodes.
 */
function fenceArguments(position: number, request: CompletionRequest): string[] | undefined {
  const [, subcommand, second] = positionals(request.words, request.valueless);
  const deviceIds = () => fromStore(request.store, ({ config }) => (config.fence?.devices ?? []).map((device) => device.id));
  const nodes = () => fromStore(request.store, (loaded, store) => [...knownNodes(store, loaded).nodes]);
  const isVerb = second === 'add' || second === 'set' || second === 'remove';
  switch (subcommand) {
    case 'device':
      return position === 2 && (second === 'set' || second === 'remove') ? deviceIds() : undefined;
    case 'connect':
      if (position === 1) return ['add', 'set', 'remove', ...deviceIds()];
      if (position === 2) return isVerb ? deviceIds() : nodes();
      return position === 3 && isVerb ? nodes() : [];
    case 'node':
    case 'plan':
      return position === 1 ? nodes() : [];
    case 'proxy':
      return position >= 1 ? nodes() : undefined;
    default:
      return undefined;
  }
}

function fromStore(store: ClusterStore | undefined, pick: (loaded: LoadedConfig, store: ClusterStore) => string[]): string[] {
  if (store === undefined) return [];
  try {
    return pick(loadHaConfig(store), store);
  } catch {
    return []; // Completion never prints an error into the operator's command line.
  }
}
