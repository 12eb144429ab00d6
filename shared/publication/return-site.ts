import { officeDate } from '../dates.ts';
import type { HolidayCalendar } from '../workflow/deadlines.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { parseQuarter, previousQuarter } from './quarters.ts';
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

/**
 * Writes a quarter's CSV and page, each only if it changed. Says whether either did, and
 * which references the return now names.
 */
async function writeReturn(
  quarter: Quarter,
  ports: ReturnSitePorts,
  site: Site,
  rules: ReturnRules,
  publishedAt: string,
  now: Date,
): Promise<{ changed: boolean; references: string[] }> {
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
  return { changed: csv || page, references: [...new Set(rows.map((row) => row.reference))] };
}

/** After an outage, the sweep publishes the returns it missed, at most this many at once. */
export const MAX_RETURNS_CAUGHT_UP = 8;

/**
 * The quarters whose returns are due and not out, oldest first: the latest due quarter,
 * and, once any return is out, every quarter between the newest out and it (a sweep that
 * stopped for more than a quarter missed them), the oldest MAX_RETURNS_CAUGHT_UP of them
 * (the next sweep goes on). A new installation starts at the latest due quarter and
 * never goes further back.
 */
function quartersDue(published: readonly PublishedReturn[], latest: Quarter): Quarter[] {
  const newest = published
    .map((entry) => entry.quarter)
    .sort()
    .at(-1);
  if (newest === undefined) return [latest];
  const due: Quarter[] = [];
  // Names sort as quarters do: four-digit years, then Q1 to Q4.
  for (let quarter = latest; quarterName(quarter) > newest; quarter = previousQuarter(quarter))
    due.unshift(quarter);
  return due.slice(0, MAX_RETURNS_CAUGHT_UP);
}

/**
 * The sweep's part: each quarter whose return is due (RETURN_WORKING_DAYS working days
 * after it ended, on the office's calendar) and not yet out is published, once. A return
 * already out is left alone here, and the lease is not taken: what changes it later is a
 * correction or a takedown (refreshReturnOf).
 * Returns the quarters published, oldest first, if any.
 */
export async function publishReturnIfDue(
  ports: ReturnSitePorts,
  site: Site,
  rules: ReturnRules,
  now: Date,
): Promise<string[] | undefined> {
  const latest = latestDueQuarter(
    officeDate(now, site.timeZone),
    rules.workingDays,
    rules.calendar,
  );
  const read = async () => (await ports.readState<PublishedReturn[]>(STATE)) ?? [];
  if (quartersDue(await read(), latest).length === 0) return undefined;
  return ports.exclusive(async () => {
    // Read again under the lease: another run may have published them meanwhile.
    const published = await read();
    const due = quartersDue(published, latest);
    if (due.length === 0) return undefined;
    const publishedAt = now.toISOString();
    const returns = [...published];
    for (const quarter of due) {
      const { references } = await writeReturn(quarter, ports, site, rules, publishedAt, now);
      returns.push({ quarter: quarterName(quarter), publishedAt, references });
    }
    returns.sort((a, b) => b.quarter.localeCompare(a.quarter));
    await writeIfChanged(ports, RETURNS_INDEX, renderReturnsIndex(returns, site));
    // Last: a run cut short before this publishes them again, unchanged pages unwritten.
    await ports.writeState(STATE, returns);
    return due.map(quarterName);
  });
}

/**
 * After a meeting is published, corrected or taken down: each return out that names it, or
 * that covers the quarter it is now in, is made again. So a takedown's or a correction's
 * removal of personal data reaches the return too, a meeting whose date a correction moved
 * to another quarter leaves its old quarter's return, and a note published late gains its
 * address. Rewrites only what changed. Returns the quarters rewritten, if any.
 */
export async function refreshReturnOf(
  request: RequestRecord | undefined,
  ports: ReturnSitePorts,
  site: Site,
  rules: ReturnRules,
  now: Date,
): Promise<string[] | undefined> {
  if (!request) return undefined;
  const start = meetingOf(request)?.start;
  const current = start && quarterName(quarterOf(officeDate(new Date(start), site.timeZone)));
  const affected = (returns: readonly PublishedReturn[]) =>
    returns.filter(
      (entry) => entry.quarter === current || entry.references?.includes(request.reference),
    );
  // Most meetings' quarters have no return out yet: then the lease is not taken at all.
  if (affected((await ports.readState<PublishedReturn[]>(STATE)) ?? []).length === 0)
    return undefined;
  return ports.exclusive(async () => {
    const returns = (await ports.readState<PublishedReturn[]>(STATE)) ?? [];
    const rewritten: string[] = [];
    let stateChanged = false;
    for (const entry of affected(returns)) {
      const quarter = parseQuarter(entry.quarter);
      if (!quarter) continue;
      const { changed, references } = await writeReturn(
        quarter,
        ports,
        site,
        rules,
        entry.publishedAt,
        now,
      );
      if (references.join() !== entry.references?.join()) {
        entry.references = references;
        stateChanged = true;
      }
      if (!changed) continue;
      rewritten.push(entry.quarter);
      await ports.invalidate(
        [`/${returnPaths(quarter).csv}`, `/returns/${entry.quarter}/*`],
        `${request.reference}:v${request.version}:return:${entry.quarter}`,
      );
    }
    if (stateChanged) await ports.writeState(STATE, returns);
    return rewritten.length > 0 ? rewritten : undefined;
  });
}
