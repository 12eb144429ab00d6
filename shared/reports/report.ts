import { addDays, type CalendarDate, dayOfWeek, officeDate, officeDater } from '../dates.ts';
import { type HolidayCalendar, isWorkingDay } from '../workflow/deadlines.ts';
import { type Channel, channels } from '../workflow/records.ts';
import { openStages, type Stage, stages } from '../workflow/stages.ts';
import { deadlineOf } from '../workflow/transitions.ts';
import type { RequestFacts } from './facts.ts';
import type { OnTimeFigure, Period, Report } from './figures.ts';

export type { OnTimeFigure, Period, Report };

/**
 * The management report (GET /api/reports): figures over a period, made from the
 * catalogue's facts of every request (shared/reports/facts.ts), which come from the
 * request items and their audit events and nothing else. Pure and deterministic: the same
 * facts, period, `now` and rules give the same report, every list in a stated order, so a
 * seeded set gives exact figures.
 *
 * Dates are the office's (OFFICE_TIMEZONE): an instant belongs to the day the office's
 * clock shows. Working days skip weekends and the office's bank holidays, as deadlines do.
 */

export interface ReportRules {
  timeZone: string;
  calendar: HolidayCalendar;
  /** How many organisations topOrganisations lists (10 unless said). */
  topOrganisations?: number;
}

/** The stages whose time is reported: where work happens. Closed stages are where requests rest. */
export const timedStages: readonly Stage[] = openStages;

const DAY_MS = 86_400_000;
const dayNumber = (date: CalendarDate) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;

/** A pure function of a date, worked out once per distinct date (a report has a few hundred). */
function perDate<T>(work: (date: CalendarDate) => T): (date: CalendarDate) => T {
  const known = new Map<CalendarDate, T>();
  return (date) => {
    let found = known.get(date);
    if (found === undefined) {
      found = work(date);
      known.set(date, found);
    }
    return found;
  };
}

/**
 * Working days between two office dates: the days after `start` up to and including
 * `end` that are working days. A stay that ends the day it began is 0; Friday to the
 * Monday after is 1. This is how deadlines count (addWorkingDays): the first day never
 * counts. Cumulative counts are kept per day, so each difference costs two look-ups.
 */
function workingDayCounter(calendar: HolidayCalendar, first: CalendarDate, last: CalendarDate) {
  const origin = dayNumber(first);
  const length = Math.max(0, dayNumber(last) - origin) + 1;
  const cumulative = new Int32Array(length);
  let date = first;
  let count = 0;
  for (let index = 0; index < length; index += 1) {
    if (isWorkingDay(date, calendar)) count += 1;
    cumulative[index] = count;
    date = addDays(date, 1);
  }
  const at = perDate((day) => cumulative[dayNumber(day) - origin] ?? 0);
  return (start: CalendarDate, end: CalendarDate) => Math.max(0, at(end) - at(start));
}

/**
 * The nearest-rank percentile: the smallest value with at least p% of the values at or
 * below it (the ⌈p/100 × n⌉-th smallest). Always one of the values, never an average, so
 * a median of working days is a whole number of days; the median of an even count is the
 * lower of the middle two.
 */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** The Monday that starts a date's ISO week. */
export const weekOf = (date: CalendarDate) => addDays(date, -((dayOfWeek(date) + 6) % 7));

const within = (date: CalendarDate | undefined, period: Period) =>
  date !== undefined && date >= period.from && date <= period.to;

/**
 * The facts with every instant a report compares read as an office date, in id order: the
 * costly part of a report (an office date is a time-zone conversion), made once for a
 * catalogue and reused by every report made from it, whatever its period.
 */
export class DatedFacts {
  readonly requests: ReadonlyArray<{
    request: RequestFacts;
    received: CalendarDate;
    stays: ReadonlyArray<{ stage: Stage; on: CalendarDate }>;
    answered: CalendarDate | undefined;
    published: CalendarDate | undefined;
  }>;
  /** The earliest and latest days a stay begins or ends on. */
  readonly first: CalendarDate | undefined;
  readonly last: CalendarDate | undefined;

  constructor(
    facts: Iterable<RequestFacts>,
    readonly timeZone: string,
  ) {
    const dateOf = officeDater(timeZone);
    const optional = (at: string | undefined) => (at ? dateOf(at) : undefined);
    this.requests = [...facts]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((request) => ({
        request,
        received: dateOf(request.receivedAt),
        stays: request.stages.map((entered) => ({ stage: entered.stage, on: dateOf(entered.at) })),
        answered: optional(request.answeredAt),
        published: optional(request.publishedAt),
      }));
    let first: CalendarDate | undefined;
    let last: CalendarDate | undefined;
    for (const { stays } of this.requests)
      for (const { on } of stays) {
        if (!first || on < first) first = on;
        if (!last || on > last) last = on;
      }
    this.first = first;
    this.last = last;
  }

  facts(): RequestFacts[] {
    return this.requests.map(({ request }) => request);
  }
}

/** Stages where a note is owed: a note deadline still running. */
const noteOwed: readonly Stage[] = ['held', 'drafting', 'in_review', 'approved'];

/**
 * The report. Each figure, exactly:
 *
 * - `received`: requests whose receivedAt falls on an office date in [from, to], counted by
 *   the ISO week it falls in (weeks start on Monday and are labelled by it; the first and
 *   last may reach outside the period, but only days inside it count) and by channel.
 * - `byStage`: those same requests, by the stage each is in now.
 * - `timeInStage`: a stay is the time between entering a stage (the audit event that moved
 *   the request into it) and entering the next; a request that enters a stage twice has
 *   two stays. For each timed stage (the open ones), the stays that ended on an office date
 *   in the period, measured in working days (see workingDayCounter): their count, and the
 *   nearest-rank median and 90th percentile. A stay not yet ended is in no figure; the
 *   requests in the stage now are counted as `ongoing` beside it.
 * - `onTime.replies`: the reply deadline is replyBy as it stands (after any extension). A
 *   request is counted when it was answered (first accepted or declined) on a date in the
 *   period, or when its deadline fell in the period and either it has been answered or
 *   the deadline has passed (it is before today) with the request still in `received`.
 *   It is on time when answered on or before replyBy; a request withdrawn or closed
 *   without an answer owed none, and is not counted.
 * - `onTime.notes`: likewise, with the note deadline (noteDueBy) and the first
 *   publication; a request is outstanding while a note is owed (held, drafting, in review,
 *   approved). Requests closed without a note are not counted.
 * - `byAssignee`: every request in an open stage now (whenever it was received: this
 *   figure is the office's load today, not the period's), by assignee; overdue when the
 *   deadline its stage runs against (deadlineOf: the reply for received and accepted, the
 *   note for held, drafting and in review) is before today. Scheduled and approved
 *   requests have no deadline of their own here, so they are never overdue.
 * - `topOrganisations`: the requests received in the period that name an organisation,
 *   by organisation (exactly as recorded), with how many of them reached a meeting held
 *   (entered `held` at any time); the most requests first, then the most meetings, then
 *   by name; at most `rules.topOrganisations` (10).
 */
export function report(
  facts: Iterable<RequestFacts> | DatedFacts,
  period: Period,
  now: Date,
  rules: ReportRules,
): Report {
  const { timeZone, calendar } = rules;
  const today = officeDate(now, timeZone);
  const {
    requests: dated,
    first: earliest,
    last: latest,
  } = facts instanceof DatedFacts && facts.timeZone === timeZone
    ? facts
    : new DatedFacts(facts instanceof DatedFacts ? facts.facts() : facts, timeZone);
  const all = dated.map(({ request }) => request);

  // One table of cumulative working days covers every date a stay begins or ends on: the
  // data's own span, never the period's, so a period in year 9999 costs nothing.
  const workingDaysBetween = workingDayCounter(
    calendar,
    earliest ?? period.from,
    latest ?? period.from,
  );

  const inPeriod = dated.filter(({ received }) => within(received, period));

  // received
  const weekOfDate = perDate(weekOf);
  const weeks = new Map<CalendarDate, number>();
  for (let week = weekOf(period.from); week <= period.to; week = addDays(week, 7))
    weeks.set(week, 0);
  const byChannel = new Map<Channel, number>(channels.map((channel) => [channel, 0]));
  for (const { request, received } of inPeriod) {
    const week = weekOfDate(received);
    weeks.set(week, (weeks.get(week) ?? 0) + 1);
    byChannel.set(request.channel, (byChannel.get(request.channel) ?? 0) + 1);
  }

  // byStage
  const byStage = new Map<Stage, number>(stages.map((stage) => [stage, 0]));
  for (const { request } of inPeriod)
    byStage.set(request.stage, (byStage.get(request.stage) ?? 0) + 1);

  // timeInStage
  const stayDays = new Map<Stage, number[]>(timedStages.map((stage) => [stage, []]));
  for (const { stays } of dated) {
    for (let index = 0; index + 1 < stays.length; index += 1) {
      const stay = stays[index];
      const next = stays[index + 1];
      if (!stay || !next || !within(next.on, period)) continue;
      stayDays.get(stay.stage)?.push(workingDaysBetween(stay.on, next.on));
    }
  }
  const ongoing = new Map<Stage, number>();
  for (const request of all) ongoing.set(request.stage, (ongoing.get(request.stage) ?? 0) + 1);

  // onTime
  const replies = onTimeOf(
    dated.map(({ request, answered }) => ({
      deadline: request.replyBy,
      doneOn: answered,
      owed: request.stage === 'received',
    })),
    period,
    today,
  );
  const notes = onTimeOf(
    dated.flatMap(({ request, published }) =>
      request.noteDueBy
        ? [
            {
              deadline: request.noteDueBy,
              doneOn: published,
              owed: noteOwed.includes(request.stage),
            },
          ]
        : [],
    ),
    period,
    today,
  );

  // byAssignee
  const load = new Map<string | null, { open: number; overdue: number }>();
  for (const request of all) {
    if (!openStages.includes(request.stage)) continue;
    const key = request.assignee?.toLowerCase() ?? null;
    const row = load.get(key) ?? { open: 0, overdue: 0 };
    row.open += 1;
    const deadline = deadlineOf(request.stage);
    const due = deadline ? request[deadline] : undefined;
    if (due && due < today) row.overdue += 1;
    load.set(key, row);
  }
  const byAssignee = [...load.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([assignee, row]) => ({ assignee, ...row }));

  // topOrganisations
  const organisations = new Map<string, { requests: number; meetingsHeld: number }>();
  for (const { request } of inPeriod) {
    const name = request.organisation?.trim();
    if (!name) continue;
    const row = organisations.get(name) ?? { requests: 0, meetingsHeld: 0 };
    row.requests += 1;
    if (request.stages.some((entered) => entered.stage === 'held')) row.meetingsHeld += 1;
    organisations.set(name, row);
  }
  const topOrganisations = [...organisations.entries()]
    .map(([organisation, row]) => ({ organisation, ...row }))
    .sort(
      (a, b) =>
        b.requests - a.requests ||
        b.meetingsHeld - a.meetingsHeld ||
        (a.organisation < b.organisation ? -1 : a.organisation > b.organisation ? 1 : 0),
    )
    .slice(0, rules.topOrganisations ?? 10);

  return {
    period,
    today,
    received: {
      total: inPeriod.length,
      byWeek: [...weeks.entries()].map(([week, count]) => ({ week, count })),
      byChannel: [...byChannel.entries()].map(([channel, count]) => ({ channel, count })),
    },
    byStage: [...byStage.entries()].map(([stage, count]) => ({ stage, count })),
    timeInStage: timedStages.map((stage) => {
      const days = (stayDays.get(stage) ?? []).sort((a, b) => a - b);
      return {
        stage,
        stays: days.length,
        median: nearestRank(days, 50),
        p90: nearestRank(days, 90),
        ongoing: ongoing.get(stage) ?? 0,
      };
    }),
    onTime: { replies, notes },
    byAssignee,
    topOrganisations,
  };
}

/** One deadline: when it falls, the office date it was met (if it was), and whether it is still owed. */
interface Deadline {
  deadline: CalendarDate;
  doneOn: CalendarDate | undefined;
  owed: boolean;
}

function onTimeOf(deadlines: readonly Deadline[], period: Period, today: CalendarDate) {
  let onTime = 0;
  let late = 0;
  let outstanding = 0;
  for (const { deadline, doneOn, owed } of deadlines) {
    if (doneOn) {
      if (!within(doneOn, period) && !within(deadline, period)) continue;
      if (doneOn <= deadline) onTime += 1;
      else late += 1;
    } else if (owed && within(deadline, period) && deadline < today) {
      late += 1;
      outstanding += 1;
    }
  }
  const counted = onTime + late;
  return { counted, onTime, late, outstanding, share: counted ? onTime / counted : null };
}
