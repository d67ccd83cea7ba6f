import { readFileSync } from 'node:fs';

/** Which OCF agent runs an `ocf:<instance>` service, and with which parameters. */
export interface OcfSpec {
  /** `heartbeat` in `ocf:heartbeat:IPaddr2`: the folder under `$OCF_ROOT/resource.d`. */
  readonly provider: string;
  /** The agent's file name in the provider folder. */
  readonly agent: string;
  /** Instance parameters, passed as `OCF_RESKEY_<name>`. */
  readonly params: Readonly<Record<string, string>>;
  /** Pacemaker's `allow-migrate`: the agent implements migrate_to/migrate_from. */
  readonly allowMigrate: boolean;
}

/** Provider and agent names become path components: no slash, no leading dot. */
const AGENT_PATH_PART = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Parameter names become environment variable names. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Bounds what one spec may put into an agent's environment. */
const PARAMS_MAX = 64;

/** Validates one spec as read from JSON; throws a one-line error naming the field and the value. */
export function parseOcfSpec(instance: string, raw: unknown): OcfSpec {
  const where = `OCF resource ${instance}`;
  if (typeof raw !== 'object' || raw === null) throw new Error(`${where}: not an object: ${JSON.stringify(raw)}`);
  const { provider, agent, params = {}, allowMigrate = false } = raw as Record<string, unknown>;
  if (typeof provider !== 'string' || !AGENT_PATH_PART.test(provider)) throw new Error(`${where}: bad provider: ${JSON.stringify(provider)}`);
  if (typeof agent !== 'string' || !AGENT_PATH_PART.test(agent)) throw new Error(`${where}: bad agent: ${JSON.stringify(agent)}`);
  if (typeof allowMigrate !== 'boolean') throw new Error(`${where}: bad allowMigrate: ${JSON.stringify(allowMigrate)}`);
  if (typeof params !== 'object' || params === null) throw new Error(`${where}: bad params: ${JSON.stringify(params)}`);
  const entries = Object.entries(params);
  if (entries.length > PARAMS_MAX) throw new Error(`${where}: ${entries.length} params, more than ${PARAMS_MAX}`);
  for (const [name, value] of entries) {
    if (!PARAM_NAME.test(name)) throw new Error(`${where}: bad param name: ${JSON.stringify(name)}`);
    if (typeof value !== 'string' || value.includes('\0')) throw new Error(`${where}: bad value of param ${name}: ${JSON.stringify(value)}`);
  }
  return { provider, agent, params: Object.fromEntries(entries) as Record<string, string>, allowMigrate };
}

/**
 * Reads OCF resource specs from a JSON file `{ "<instance>": { provider, agent, params?, allowMigrate? } }`
 * (the instance is the name in the sid: `ocf:web-ip` → `web-ip`).
 */
export function readOcfSpecs(path: string): Map<string, OcfSpec> {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${path}: not a JSON object`);
  return new Map(Object.entries(raw).map(([instance, spec]) => [instance, parseOcfSpec(instance, spec)]));
}
