import {
  parseQuarter,
  quarterName,
  quarterReturn,
  renderReturnCsv,
} from '../publication/returns.ts';
import { Download } from './http.ts';
import type { Operations } from './operations.ts';
import { managementReport } from './reports.ts';
import { correspondent, search } from './search.ts';

/**
 * The records group's operations: the quarterly return, the management report, and what
 * staff look up across all requests (search, correspondents). Only this group's function
 * bundles MiniSearch.
 */
export const recordsOperations = {
  search: ({ query }, { ports }) => search(query, ports),
  correspondent: ({ query }, { ports }) => correspondent(query, ports),
  report: ({ query, now }, { reports, reportRules }) =>
    managementReport(query, reports, reportRules, now),
  returnCsv: async ({ params, actor, now }, { returns, site, officeHolder }) => {
    // The route's pattern has already checked the form; this only reads it.
    const quarter = parseQuarter(params.quarter.replace(/\.csv$/, ''));
    if (!quarter) throw new Error(`unparsed quarter ${params.quarter}`);
    const rows = await quarterReturn(
      quarter,
      returns,
      site,
      // Only an admin may see private individuals named; everyone else, the public copy.
      { officeHolder, namePrivateIndividuals: actor.roles.includes('admin') },
      now,
    );
    return new Download(renderReturnCsv(rows), 'text/csv', `${quarterName(quarter)}.csv`);
  },
} satisfies Operations<'records'>;
