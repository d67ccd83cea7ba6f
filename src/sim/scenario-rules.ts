import { existsSync, readFileSync } from 'node:fs';
import type { RuleConfig } from '../common/ha-config.ts';
import { rulesFromSections } from '../config/rules.ts';
import { ConfigError, decodeConfigText, parseSectionConfig } from '../config/section-config.ts';
import { ScenarioError } from './scenario.ts';

/**
 * A scenario's `rules_config` (README-5.2 §1.11): rules.cfg's section text, read by the parser of the
 * shared directory's rules.cfg. Absent: no rules.
 */
export function parseRulesFile(file: string): RuleConfig[] {
  if (!existsSync(file)) return [];
  try {
    return rulesFromSections(parseSectionConfig(decodeConfigText(readFileSync(file), file), file), file);
  } catch (error) {
    if (error instanceof ConfigError) throw new ScenarioError(error.message);
    throw new ScenarioError(`${file}: Cannot read: ${(error as Error).message}`);
  }
}
