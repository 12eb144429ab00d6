import type { FactsFile } from '../catalogue/catalogue.ts';
import { reportCsv } from '../reports/csv.ts';
import type { reportQuerySchema } from '../reports/period.ts';
import { DatedFacts, type Period, type ReportRules, report } from '../reports/report.ts';
import type * as z from '../zod.ts';
import { Download } from './http.ts';

export interface ReportPorts {
  /** The catalogue's facts of every request; undefined before the catalogue is first written. */
  facts(): Promise<FactsFile | undefined>;
}

/**
 * Each catalogue's facts with their office dates, kept while a warm function keeps the
 * catalogue itself (cachedDocument hands back the same object until it changes), so a
 * second report, for any period, is counting alone.
 */
const dated = new WeakMap<FactsFile, DatedFacts>();
function datedFactsOf(file: FactsFile | undefined, timeZone: string): DatedFacts {
  if (!file) return new DatedFacts([], timeZone);
  let found = dated.get(file);
  if (!found || found.timeZone !== timeZone) {
    found = new DatedFacts(Object.values(file.requests), timeZone);
    dated.set(file, found);
  }
  return found;
}

/** The report for a period, as JSON or as a CSV file named for the period. */
export async function managementReport(
  query: z.output<typeof reportQuerySchema>,
  ports: ReportPorts,
  rules: ReportRules,
  now: Date,
) {
  const file = await ports.facts();
  const period: Period = { from: query.from, to: query.to };
  const figures = report(datedFactsOf(file, rules.timeZone), period, now, rules);
  if (query.format === 'csv')
    return new Download(
      reportCsv(figures),
      'text/csv',
      `postroom-report-${period.from}-to-${period.to}.csv`,
    );
  return { ...figures, catalogueUpdatedAt: file?.updatedAt ?? null };
}
