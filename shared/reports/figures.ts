import type { CalendarDate } from '../dates.ts';
import type { Channel } from '../workflow/records.ts';
import type { Stage } from '../workflow/stages.ts';

/**
 * The management report's shape (report.ts makes it and says what each figure counts).
 * Types only, with no imports beyond other types, so the staff UI can read a report
 * without bundling or type-checking the server's modules.
 */

/** The days the report covers, both included: office dates, YYYY-MM-DD. */
export interface Period {
  from: CalendarDate;
  to: CalendarDate;
}

export interface Report {
  period: Period;
  /** Today's office date, against which "now" figures (overdue, unanswered) are judged. */
  today: CalendarDate;
  received: {
    total: number;
    /** Every ISO week (Monday to Sunday) that overlaps the period, labelled by its Monday. */
    byWeek: Array<{ week: CalendarDate; count: number }>;
    /** Every channel, in the order channels are declared. */
    byChannel: Array<{ channel: Channel; count: number }>;
  };
  /** The requests received in the period, by the stage each is in now; every stage listed. */
  byStage: Array<{ stage: Stage; count: number }>;
  /** Per timed stage: the stays that ended in the period, in working days. */
  timeInStage: Array<{
    stage: Stage;
    /** Stays that ended in the period. */
    stays: number;
    median: number | null;
    p90: number | null;
    /** Requests in the stage now (their stay has not ended, so it is in no figure above). */
    ongoing: number;
  }>;
  onTime: {
    replies: OnTimeFigure;
    notes: OnTimeFigure;
  };
  /** Open requests now, by assignee (alphabetical), then those nobody holds (`assignee: null`). */
  byAssignee: Array<{ assignee: string | null; open: number; overdue: number }>;
  /** The organisations that sent the most requests received in the period. */
  topOrganisations: Array<{ organisation: string; requests: number; meetingsHeld: number }>;
}

export interface OnTimeFigure {
  /** Requests counted: answered (or published) in the period, or whose deadline fell in it and passed. */
  counted: number;
  onTime: number;
  late: number;
  /** Of the late, those still waiting: their deadline has passed and nothing was done yet. */
  outstanding: number;
  /** onTime / counted; null when nothing was counted. */
  share: number | null;
}
