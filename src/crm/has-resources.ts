import type { HaConfig } from '../env/env.ts';

/** Whether the config has resources, remembered per config object and generation. */
const answers = new WeakMap<HaConfig, { generation: number; hasResources: boolean }>();

/**
 * True when at least one resource is configured. Listing the keys of a large record costs time in
 * every round of every CRM, so the answer is kept while the config's generation stands still.
 */
export function hasResources(config: HaConfig): boolean {
  const known = answers.get(config);
  if (known && config.generation !== undefined && known.generation === config.generation) return known.hasResources;
  let hasResources = false;
  for (const _sid in config.resources) {
    hasResources = true;
    break;
  }
  if (config.generation !== undefined) answers.set(config, { generation: config.generation, hasResources });
  return hasResources;
}
