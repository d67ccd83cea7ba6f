// Types of status-patch.js for the tests and the bench, which import the page's own module.
import type { StatusReport } from '../../cli/status-report.ts';
import type { StatusPatch } from '../status-diff.ts';

export declare const LIST_FIELDS: readonly string[];
export declare function applyStatusPatch(report: StatusReport, patch: StatusPatch): StatusReport;
