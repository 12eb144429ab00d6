import { officeDate } from '../dates.ts';
import type { HolidayCalendar } from '../workflow/deadlines.ts';
import type { RequestRecord } from '../workflow/records.ts';
import type { Site } from './render.ts';
import {
  latestDueQuarter,
  meetingOf,
  type PublishedReturn,
  type Quarter,
  quarterName,
  quarterOf,
  quarterReturn,
  RETURNS_INDEX,
  type ReturnPorts,
  renderReturnCsv,
  renderReturnPage,
  renderReturnsIndex,
  returnPaths,
} from './returns.ts';
import { type SitePorts, writeIfChanged } from './site.ts';

/**
 * The quarterly returns on the public site: `/returns/<yyyy>-Q<n>.csv`, its page at
 * `/returns/<yyyy>-Q<n>/`, and `/returns/`, listing them all. Which returns are out, and
 * when each first went, is kept in the site's state (`returns.json`), beside the listings'.
 * The public copy is always the redacted one. Pages are written under the site lease,
 * which is taken only when there is something to write: the sweep and every publication
 * ask, and nearly always the answer is no.
 */
export interface ReturnSitePorts extends ReturnPorts, SitePorts {
  /** Clears these paths from the cache in front of the public site; `batch` names the change. */
  invalidate(paths: string[], batch: string): Promise<void>;
  /** Runs `work` holding the site lease, as publication does. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
}

export interface ReturnRules {
  officeHolder: string;
  /** RETURN_WORKING_DAYS: how long after a quarter ends its return is due. */
  workingDays: number;
  calendar: HolidayCalendar;
}

const STATE = 'returns.json';

/** Writes a quarter's CSV and page, each only if it changed; says whether either did. */
async function writeReturn(
  quarter: Quarter,
  ports: ReturnSitePorts,
  site: Site,
  rules: ReturnRules,
  publishedAt: string,
  now: Date,
): Promise<boolean> {
  const rows = await quarterReturn(quarter, ports, site, { officeHolder: rules.officeHolder }, now);
  const paths = returnPaths(quarter);
  const csv = await writeIfChanged(
    ports,
    paths.csv,
    renderReturnCsv(rows),
    'text/csv; charset=utf-8',
  );
  const page = await writeIfChanged(
    ports,
    paths.page,
    renderReturnPage(quarter, rows, site, publishedAt),
  );
  return csv || page;
}

/**
 * The sweep's part: the latest quarter whose return is due (RETURN_WORKING_DAYS working
 * days after it ended, on the office's calendar), published once. A return already out is
 * left alone here, and the lease is not taken: what changes it later is a correction or a
 * takedown (refreshReturnOf).
 * Returns the quarter published, if any.
 */
export async function publishReturnIfDue(
  ports: ReturnSitePorts,
  site: Site,
  rules: ReturnRules,
  now: Date,
): Promise<string | undefined> {
  const quarter = latestDueQuarter(
    officeDate(now, site.timeZone),
    rules.workingDays,
    rules.calendar,
  );
  const name = quarterName(quarter);
  const isOut = async () =>
    ((await ports.readState<PublishedReturn[]>(STATE)) ?? []).some(
      (entry) => entry.quarter === name,
    );
  if (await isOut()) return undefined;
  return ports.exclusive(async () => {
    // Read again under the lease: another run may have published it meanwhile.
    const published = (await ports.readState<PublishedReturn[]>(STATE)) ?? [];
    if (published.some((entry) => entry.quarter === name)) return undefined;
    const publishedAt = now.toISOString();
    await writeReturn(quarter, ports, site, rules, publishedAt, now);
    const returns = [...published, { quarter: name, publishedAt }].sort((a, b) =>
      b.quarter.localeCompare(a.quarter),
    );
    await writeIfChanged(ports, RETURNS_INDEX, renderReturnsIndex(returns, site));
    // Last: a run cut short before this publishes it again, unchanged pages unwritten.
    await ports.writeState(STATE, returns);
    return name;
  });
}

/**
 * After a meeting is published, corrected or taken down: if its quarter's return is out,
 * it is made again, so a takedown's or a correction's removal of personal data reaches the
 * return too, and a note published late gains its address. Rewrites only what changed.
 * Returns the quarter rewritten, if any.
 */
export async function refreshReturnOf(
  request: RequestRecord | undefined,
  ports: ReturnSitePorts,
  site: Site,
  rules: ReturnRules,
  now: Date,
): Promise<string | undefined> {
  const start = request && meetingOf(request)?.start;
  if (!request || !start) return undefined;
  const quarter = quarterOf(officeDate(new Date(start), site.timeZone));
  const name = quarterName(quarter);
  const entryOf = async () =>
    ((await ports.readState<PublishedReturn[]>(STATE)) ?? []).find(
      (candidate) => candidate.quarter === name,
    );
  // Most meetings' quarters have no return out yet: then the lease is not taken at all.
  if (!(await entryOf())) return undefined;
  return ports.exclusive(async () => {
    const entry = await entryOf();
    if (!entry) return undefined;
    const changed = await writeReturn(quarter, ports, site, rules, entry.publishedAt, now);
    if (!changed) return undefined;
    await ports.invalidate(
      [`/${returnPaths(quarter).csv}`, `/returns/${name}/*`],
      `${request.reference}:v${request.version}:return`,
    );
    return name;
  });
}
