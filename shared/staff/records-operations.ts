import type { Operations } from './operations.ts';
import { managementReport } from './reports.ts';

/** The records group's operations: reports across every request (and, beside them, returns). */
export const recordsOperations = {
  report: ({ query, now }, { reports, reportRules }) =>
    managementReport(query, reports, reportRules, now),
} satisfies Operations<'records'>;
