import type { Argv } from 'yargs';
import { RESOURCE_OPTIONS, type ResourceOption } from '../config/resources.ts';
import type { ResourceChange } from '../config/resource-edit.ts';

export type ResourceOptionArgs = Partial<Record<ResourceOption, string>>;

/** The resource options of add and set, named as in resources.cfg (Proxmox's names). */
export function withResourceOptions<T>(yargs: Argv<T>): Argv<T & ResourceOptionArgs> {
  let result = yargs as Argv<T & ResourceOptionArgs>;
  for (const [key, describe] of Object.entries(RESOURCE_OPTIONS)) {
    result = result.option(key, { type: 'string', describe, requiresArg: true }) as Argv<T & ResourceOptionArgs>;
  }
  return result;
}

/** The options given on the command line, as they are written in resources.cfg. */
export function resourceOptionsOf(args: ResourceOptionArgs): ResourceChange['set'] {
  const options: Partial<Record<ResourceOption, string>> = {};
  for (const key of Object.keys(RESOURCE_OPTIONS) as ResourceOption[]) {
    const value = args[key];
    if (value !== undefined) options[key] = String(value);
  }
  return options;
}
