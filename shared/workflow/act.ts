import type * as z from 'zod';
import { type AuditEvent, sealEvent } from './audit.ts';
import { addWorkingDays, type HolidayCalendar, officeDate } from './deadlines.ts';
import type { DraftState, RequestRecord } from './records.ts';
import {
  type Action,
  actionFields,
  availableActions,
  findTransition,
  isAction,
  type Role,
} from './transitions.ts';

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
  | { code: 'not_allowed'; message: string; allowed?: Action[] };

export type Decision =
  | { ok: true; request: RequestRecord; event: AuditEvent }
  | { ok: false; refusal: Refusal };

export function fieldErrors(error: z.ZodError, prefix: string[] = []) {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.') || '(body)',
    message: issue.message,
  }));
}

/** The date the list sorts a request by in its stage: whatever is due next. */
export function dueDate(request: RequestRecord, timeZone: string): string {
  switch (request.stage) {
    case 'scheduled':
      // The office's calendar day: a 00:30 BST meeting is on that day, not the UTC one before.
      return request.meeting
        ? officeDate(new Date(request.meeting.start), timeZone)
        : request.replyBy;
    case 'held':
    case 'drafting':
    case 'in_review':
      return request.noteDueBy ?? request.replyBy;
    case 'approved':
      return officeDate(new Date(request.publishAt ?? request.lastMessageAt), timeZone);
    default:
      return request.replyBy;
  }
}

/**
 * Decides an action on a request: validates the fields, checks the stage, the roles and
 * separation of duties, and returns the changed request with its sealed audit event.
 * Pure: the caller writes both in one transaction, conditional on the version.
 */
export function decideAction(
  request: RequestRecord,
  actor: Actor,
  input: { action: unknown; expectedVersion: unknown; [field: string]: unknown },
  now: Date,
  rules: ActRules,
): Decision {
  const refuse = (refusal: Refusal): Decision => ({ ok: false, refusal });
  const { action, expectedVersion, ...fields } = input;
  if (!isAction(action)) {
    return refuse({
      code: 'invalid',
      message: `unknown action ${JSON.stringify(action)}`,
      fields: [
        { path: 'action', message: `must be one of: ${Object.keys(actionFields).join(', ')}` },
      ],
    });
  }
  if (typeof expectedVersion !== 'number' || !Number.isInteger(expectedVersion)) {
    return refuse({
      code: 'invalid',
      message: 'expectedVersion is required',
      fields: [{ path: 'expectedVersion', message: 'must be the integer version you last read' }],
    });
  }
  const parsed = actionFields[action].safeParse(fields);
  if (!parsed.success) {
    return refuse({
      code: 'invalid',
      message: `the fields for ${action} are not valid`,
      fields: fieldErrors(parsed.error),
    });
  }
  if (expectedVersion !== request.version) {
    return refuse({
      code: 'conflict',
      message: `request ${request.reference} is at version ${request.version}, not ${expectedVersion}; someone else changed it, so reload it`,
      currentVersion: request.version,
    });
  }
  const row = findTransition(request.stage, action);
  if (!row) {
    const allowed = availableActions(request.stage, actor.roles);
    return refuse({
      code: 'not_allowed',
      message: `${action} is not allowed when a request is ${request.stage}; allowed: ${allowed.join(', ') || 'none'}`,
      allowed,
    });
  }
  if (!row.roles.some((role) => actor.roles.includes(role))) {
    return refuse({
      code: 'forbidden',
      message: `${action} needs the role ${row.roles.join(' or ')}; you have ${actor.roles.join(', ') || 'no role'}`,
    });
  }
  const editors = request.draft?.editors ?? [];
  if (action === 'approve' && rules.separateApproval && editors.includes(actor.email)) {
    return refuse({
      code: 'forbidden',
      message: 'you edited this note, so someone else must approve it (separation of duties)',
    });
  }

  const values = parsed.data as Record<string, unknown>;
  const next: RequestRecord = { ...request, stage: row.to, version: request.version + 1 };
  switch (action) {
    case 'decline':
    case 'withdraw':
      next.closedReason = String(values.reason);
      break;
    case 'schedule':
    case 'reschedule': {
      const meeting = parsed.data as z.infer<(typeof actionFields)['schedule']>;
      next.meeting = {
        ...meeting,
        sequence: action === 'reschedule' ? (request.meeting?.sequence ?? 0) + 1 : 0,
      };
      break;
    }
    case 'record_held': {
      const meetingDay = officeDate(new Date(request.meeting?.end ?? now), rules.timeZone);
      next.noteDueBy = addWorkingDays(meetingDay, rules.noteWorkingDays, rules.calendar);
      break;
    }
    case 'save_draft':
      next.draft = {
        version: (request.draft?.version ?? 0) + 1,
        title: typeof values.title === 'string' ? values.title : request.draft?.title,
        body: String(values.body),
        savedBy: actor.email,
        savedAt: now.toISOString(),
        editors: [...new Set([...editors, actor.email])],
        submittedBy: request.draft?.submittedBy,
        meeting: (values.meeting as DraftState['meeting']) ?? request.draft?.meeting,
        organisations:
          (values.organisations as string[] | undefined) ?? request.draft?.organisations,
      };
      break;
    case 'submit_note':
      if (!request.draft) {
        return refuse({
          code: 'not_allowed',
          message: 'there is no draft note to submit; save a draft first',
          allowed: ['save_draft'],
        });
      }
      next.draft = { ...request.draft, submittedBy: actor.email };
      break;
    case 'approve':
      next.publishAt = typeof values.publishAt === 'string' ? values.publishAt : now.toISOString();
      break;
    case 'assign':
      next.assignee = String(values.assignee);
      break;
    case 'correct':
      next.pendingCorrection = String(values.note);
      break;
    case 'review_redactions':
      next.redactions = values as NonNullable<RequestRecord['redactions']>;
      break;
    case 'takedown':
      next.closedReason = String(values.reason);
      break;
    case 'publish':
      if (request.pendingCorrection) {
        next.corrections = [
          ...(request.corrections ?? []),
          { at: now.toISOString(), note: request.pendingCorrection },
        ];
        next.pendingCorrection = undefined;
      }
      break;
  }
  // A note is long; the event records its version, the note store keeps the text.
  const details =
    action === 'save_draft'
      ? { draftVersion: next.draft?.version, length: String(values.body).length }
      : action === 'schedule' || action === 'reschedule'
        ? { ...values, sequence: next.meeting?.sequence ?? 0 }
        : action === 'record_held'
          ? { noteDueBy: next.noteDueBy }
          : action === 'approve'
            ? { publishAt: next.publishAt }
            : values;
  const event = sealEvent(
    {
      requestId: request.id,
      seq: request.eventSeq + 1,
      action,
      actor: actor.email,
      at: now.toISOString(),
      from: request.stage,
      to: row.to,
      details,
    },
    request.lastHash,
  );
  next.eventSeq = event.seq;
  next.lastHash = event.hash;
  return { ok: true, request: next, event };
}
