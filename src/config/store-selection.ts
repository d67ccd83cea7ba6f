import { readFileSync } from 'node:fs';
import type { EtcdConnectionOptions } from '../store/etcd/etcd-gateway.ts';
import { DEFAULT_ETCD_PREFIX } from '../store/etcd/etcd-keys.ts';
import { ConfigError } from './section-config.ts';

/**
 * Which store a node's daemons and its CLI use (DESIGN.md "The store"). This is node-local, not cluster
 * config: it says where the cluster config is. Only the selection: opening it is store-config.ts, which
 * loads the etcd code; the CLI imports this module alone, so a command on a dir store never loads it.
 * In order, the first that says:
 *
 * 1. the command line: `--store dir|etcd`, `--endpoints URL[,URL...]`, `--dir PATH`;
 * 2. `HA_MANAGER_STORE`: `dir`, `dir:PATH` or `etcd:URL[,URL...]`; then `HA_MANAGER_DIR` (a dir store);
 * 3. the store file, `/etc/ha-manager/store.cfg` (or the file `HA_MANAGER_STORE_CFG` names):
 *    `key: value` lines, `#` comments —
 *    `store dir|etcd`, `dir`, `endpoints`, `prefix`, `ca-file`, `cert-file`, `key-file`, `user`,
 *    `password-file`, `call-timeout-ms`;
 * 4. the shared directory /etc/ha-manager.
 *
 * TLS files and the etcd password come only from the store file (paths and secrets do not belong on a
 * command line). A bad value is a StoreConfigError naming the flag, variable, or file and line.
 */
export type StoreSelection =
  | { readonly kind: 'dir'; readonly dir: string; readonly from: string }
  | { readonly kind: 'etcd'; readonly connection: EtcdConnectionOptions; readonly prefix: string; readonly from: string; readonly dir: string | undefined };

export interface StoreFlags {
  readonly store?: string;
  readonly endpoints?: string;
  readonly dir?: string;
}

export class StoreConfigError extends Error {
  override name = 'StoreConfigError';
}

export const STORE_CFG_DEFAULT = '/etc/ha-manager/store.cfg';
export const DIR_DEFAULT = '/etc/ha-manager';
const STORE_KINDS = ['dir', 'etcd'] as const;
const STORE_CFG_KEYS = ['store', 'dir', 'endpoints', 'prefix', 'ca-file', 'cert-file', 'key-file', 'user', 'password-file', 'call-timeout-ms'] as const;
type StoreCfgKey = (typeof STORE_CFG_KEYS)[number];

/** The store the flags, environment and store file select (see above). */
export function selectStore(flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): StoreSelection {
  if (flags.store !== undefined && !(STORE_KINDS as readonly string[]).includes(flags.store)) {
    throw new StoreConfigError(`--store: '${flags.store}' is not a store (dir or etcd)`);
  }
  const cfgFile = env.HA_MANAGER_STORE_CFG ?? STORE_CFG_DEFAULT;
  const readCfg = () => readStoreCfg(cfgFile);
  if (flags.store === 'etcd' || (flags.store === undefined && flags.endpoints !== undefined)) {
    const cfg = readCfg();
    const endpoints = flags.endpoints !== undefined ? parseEndpoints(flags.endpoints, '--endpoints') : cfg?.values.store === 'etcd' ? cfg.endpoints : undefined;
    if (endpoints === undefined) throw new StoreConfigError(`--store etcd needs --endpoints URL[,URL...] (or a store file ${cfgFile} with store: etcd)`);
    const base = cfg?.values.store === 'etcd' ? etcdOfCfg(cfg) : undefined;
    return { kind: 'etcd', connection: { ...base?.connection, endpoints }, prefix: base?.prefix ?? DEFAULT_ETCD_PREFIX, from: '--store etcd', dir: flags.dir ?? env.HA_MANAGER_DIR };
  }
  if (flags.store === 'dir' || flags.dir !== undefined) {
    if (flags.endpoints !== undefined) throw new StoreConfigError(`--endpoints: only with --store etcd`);
    return { kind: 'dir', dir: flags.dir ?? env.HA_MANAGER_DIR ?? readCfg()?.values.dir ?? DIR_DEFAULT, from: flags.dir !== undefined ? '--dir' : '--store dir' };
  }
  const fromEnv = env.HA_MANAGER_STORE;
  if (fromEnv !== undefined && fromEnv !== '') return selectionOfEnv(fromEnv, env, readCfg);
  if (env.HA_MANAGER_DIR !== undefined) return { kind: 'dir', dir: env.HA_MANAGER_DIR, from: 'HA_MANAGER_DIR' };
  const cfg = readCfg();
  if (cfg?.values.store === 'etcd') return { ...etcdOfCfg(cfg), kind: 'etcd', from: cfgFile, dir: cfg.values.dir };
  if (cfg !== undefined) return { kind: 'dir', dir: cfg.values.dir ?? DIR_DEFAULT, from: cfgFile };
  return { kind: 'dir', dir: DIR_DEFAULT, from: 'the default' };
}

/** The selection as flags a child process takes (the demo starting daemons, `web` starting itself). */
export function storeFlagsOf(selection: StoreSelection): string[] {
  if (selection.kind === 'dir') return ['--dir', selection.dir];
  return ['--store', 'etcd', '--endpoints', selection.connection.endpoints.join(','), ...(selection.dir !== undefined ? ['--dir', selection.dir] : [])];
}

function selectionOfEnv(value: string, env: NodeJS.ProcessEnv, readCfg: () => StoreCfg | undefined): StoreSelection {
  const [kind, rest] = value.includes(':') ? [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)] : [value, undefined];
  if (kind === 'dir') return { kind: 'dir', dir: rest || (env.HA_MANAGER_DIR ?? DIR_DEFAULT), from: 'HA_MANAGER_STORE' };
  if (kind !== 'etcd') throw new StoreConfigError(`HA_MANAGER_STORE: '${value}' is not a store (dir, dir:PATH, etcd or etcd:URL[,URL...])`);
  const cfg = readCfg();
  const base = cfg?.values.store === 'etcd' ? etcdOfCfg(cfg) : undefined;
  const endpoints = rest ? parseEndpoints(rest, 'HA_MANAGER_STORE') : base?.connection.endpoints;
  if (endpoints === undefined) throw new StoreConfigError(`HA_MANAGER_STORE=etcd needs endpoints (etcd:URL[,URL...]) or a store file with store: etcd`);
  return { kind: 'etcd', connection: { ...base?.connection, endpoints }, prefix: base?.prefix ?? DEFAULT_ETCD_PREFIX, from: 'HA_MANAGER_STORE', dir: env.HA_MANAGER_DIR };
}

interface StoreCfg {
  readonly file: string;
  readonly values: Partial<Record<StoreCfgKey, string>>;
  readonly lines: Partial<Record<StoreCfgKey, number>>;
  readonly endpoints: string[] | undefined;
}

/** The store file, or undefined when there is none; a bad line is a ConfigError with file and line. */
export function readStoreCfg(file: string): StoreCfg | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreConfigError(`${file}: Cannot read: ${(error as Error).message}`);
  }
  const values: Partial<Record<StoreCfgKey, string>> = {};
  const lines: Partial<Record<StoreCfgKey, number>> = {};
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([a-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!match) throw new ConfigError(file, index + 1, `expected 'key: value', got '${line}'`);
    const [, key, value] = match as unknown as [string, string, string];
    if (!(STORE_CFG_KEYS as readonly string[]).includes(key)) throw new ConfigError(file, index + 1, `unknown key '${key}' (known: ${STORE_CFG_KEYS.join(', ')})`);
    if (values[key as StoreCfgKey] !== undefined) throw new ConfigError(file, index + 1, `'${key}' given twice`);
    if (value === '') throw new ConfigError(file, index + 1, `'${key}' has no value`);
    values[key as StoreCfgKey] = value;
    lines[key as StoreCfgKey] = index + 1;
  });
  const at = (key: StoreCfgKey) => `${file}:${lines[key]}`;
  if (values.store !== undefined && !(STORE_KINDS as readonly string[]).includes(values.store)) throw new ConfigError(file, lines.store, `store '${values.store}' is not a store (dir or etcd)`);
  if (values.store === 'etcd' && values.endpoints === undefined) throw new ConfigError(file, lines.store, `store: etcd needs an 'endpoints' line`);
  if (values['call-timeout-ms'] !== undefined && !/^[1-9][0-9]{0,5}$/.test(values['call-timeout-ms'])) throw new ConfigError(file, lines['call-timeout-ms'], `call-timeout-ms must be a number of milliseconds`);
  if ((values.user === undefined) !== (values['password-file'] === undefined)) throw new ConfigError(file, lines.user ?? lines['password-file'], `'user' and 'password-file' go together`);
  const endpoints = values.endpoints === undefined ? undefined : parseEndpoints(values.endpoints, at('endpoints'));
  return { file, values, lines, endpoints };
}

function etcdOfCfg(cfg: StoreCfg): { connection: EtcdConnectionOptions; prefix: string } {
  const { values } = cfg;
  const tlsFiles = { caFile: values['ca-file'], certFile: values['cert-file'], keyFile: values['key-file'] };
  const tls = Object.fromEntries(Object.entries(tlsFiles).filter(([, path]) => path !== undefined)) as NonNullable<EtcdConnectionOptions['tls']>;
  let auth: EtcdConnectionOptions['auth'];
  if (values.user !== undefined && values['password-file'] !== undefined) {
    const passwordFile = values['password-file'];
    let password: string;
    try {
      password = readFileSync(passwordFile, 'utf8').trim();
    } catch (error) {
      throw new StoreConfigError(`${cfg.file}:${cfg.lines['password-file']}: password-file ${passwordFile}: ${(error as Error).message}`);
    }
    auth = { user: values.user, password };
  }
  const prefix = values.prefix ?? DEFAULT_ETCD_PREFIX;
  if (!/^\/[\x21-\x7e]*\/$/.test(prefix)) throw new ConfigError(cfg.file, cfg.lines.prefix, `prefix must start and end with '/', got '${prefix}'`);
  const callTimeoutMs = values['call-timeout-ms'] === undefined ? undefined : Number(values['call-timeout-ms']);
  return { connection: { endpoints: cfg.endpoints!, ...(Object.keys(tls).length > 0 ? { tls } : {}), ...(auth ? { auth } : {}), ...(callTimeoutMs ? { callTimeoutMs } : {}) }, prefix };
}

function parseEndpoints(text: string, where: string): string[] {
  const endpoints = text.split(',').map((endpoint) => endpoint.trim().replace(/\/$/, ''));
  for (const endpoint of endpoints) {
    if (!/^https?:\/\/[^/\s]+$/.test(endpoint)) throw new StoreConfigError(`${where}: '${endpoint}' is not an etcd endpoint (http(s)://host:port)`);
  }
  if (endpoints.length > 9) throw new StoreConfigError(`${where}: ${endpoints.length} endpoints, at most 9`);
  return endpoints;
}
