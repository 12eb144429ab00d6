import type { HolidayCalendar } from './deadlines.ts';
import type { Role } from './transitions.ts';

/** Who is acting, as the identity provider vouches for them. */
export interface Actor {
  id: string;
  email: string;
  name: string;
  roles: Role[];
}

export interface ActRules {
  calendar: HolidayCalendar;
  timeZone: string;
  noteWorkingDays: number;
  /** A reopened request is due a reply this many working days on, as a new letter is. */
  replyWorkingDays: number;
  /** Separation of duties: a note's approver may not be anyone who edited it. */
  separateApproval: boolean;
}

/**
 * Why something staff asked for was refused, in the domain's words; the staff API maps
 * each code to its HTTP status in one place (shared/staff/errors.ts).
 */
export type Refusal =
  | { code: 'invalid'; message: string; fields: Array<{ path: string; message: string }> }
  | { code: 'forbidden'; message: string }
  | { code: 'not_found'; message: string }
  | { code: 'conflict'; message: string; currentVersion?: number }
  | { code: 'not_allowed'; message: string; allowed?: readonly string[] }
  /** Well-formed, but what it asks cannot be done (a pattern RE2 cannot run). */
  | { code: 'unprocessable'; message: string; fields: Array<{ path: string; message: string }> };
