import type { StatusReport } from './status-report.ts';

/**
 * `ha-manager status --output-format json` and the web console's `GET /api/status`: one rendering, so
 * that a script reads the same JSON from either.
 */
export function statusJson(report: StatusReport, options: { isPretty?: boolean } = {}): string {
  return `${JSON.stringify(report, null, options.isPretty === true ? 2 : undefined)}\n`;
}
