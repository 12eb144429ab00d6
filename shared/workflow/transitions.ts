import { officeDate } from '../dates.ts';
import { isMailableOrigin, MAILABLE_ORIGIN_RULE } from '../mail/links.ts';
import * as z from '../zod.ts';
import { addWorkingDays } from './deadlines.ts';
import { emailAddressSchema, notificationIdSchema } from './ids.ts';
import type { RequestRecord } from './records.ts';
import type { Actor, ActRules, Refusal } from './rules.ts';
import { closedStages, openStages, type Stage } from './stages.ts';

/**
 * The workflow as data: every (stage, action) that is allowed, who may do it, what it
 * needs, where it leads and who hears of it. The staff API validates against it, the
 * notifier plans mail from it, the UI lists the actions it offers, and the tests walk it.
 */
/** The staff roles: Cognito groups on AWS, the seeded users' groups locally. */
export const roles = ['caseworker', 'approver', 'admin'] as const;
/**
 * A staff role, or `system`: postroom itself (the publisher). No token can carry
 * `system` (identity.ts keeps only the staff roles), so what only the system may do,
 * no person can, admin included.
 */
export type Role = (typeof roles)[number] | 'system';

/**
 * Text staff type: trimmed, then between `min` and `max` characters; `tooShort` is the
 * message when it is shorter (an empty reason, say), zod's own otherwise.
 */
export const trimmedText = (min: number, max: number, tooShort?: string) =>
  z.string().check(z.trim(), z.minLength(min, tooShort), z.maxLength(max));

/** At most `max` of something, none when left out. */
const listOf = <T extends z.ZodMiniType>(item: T, max: number) =>
  z._default(z.array(item).check(z.maxLength(max)), []);

export const attendeeSchema = z.object({
  name: trimmedText(1, 200),
  role: trimmedText(1, 200),
  organisation: trimmedText(1, 200),
  email: z.optional(emailAddressSchema),
  host: z._default(z.boolean(), false),
  invitedGuest: z._default(z.boolean(), false),
});
export type Attendee = z.infer<typeof attendeeSchema>;

const reason = z.object({
  reason: trimmedText(1, 4000, 'a reason is required'),
});

/**
 * Who met them for the office, when not the office-holder the settings name
 * (OFFICE_HOLDER): the quarterly return's first column. Left out, the setting stands.
 */
const officeHolder = z.optional(trimmedText(1, 200));

const meeting = z
  .object({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    location: trimmedText(1, 500),
    attendees: z
      .array(attendeeSchema)
      .check(z.minLength(1, 'at least one attendee is required'), z.maxLength(100)),
    officeHolder,
  })
  .check(
    z.refine((value) => Date.parse(value.end) > Date.parse(value.start), {
      message: 'the meeting must end after it starts',
      path: ['end'],
    }),
  );

/** What deciding an action knows: the request as read, who acts, when, and the office's rules. */
export interface ActionContext {
  request: RequestRecord;
  actor: Actor;
  now: Date;
  rules: ActRules;
}

/** One action: its fields, and what it does beyond moving the stage (all in one place). */
interface ActionSpec<S extends z.ZodMiniType> {
  fields: S;
  /** Refuses this action on this request by this person, beyond stage, role and fields. */
  guard?: (context: ActionContext, fields: z.output<S>) => Refusal | undefined;
  /** What the action changes on the request, beyond its stage, version and audit chain. */
  effect?: (fields: z.output<S>, context: ActionContext) => Partial<RequestRecord>;
  /**
   * What its audit event records, when not the fields as given; `context.request` is the
   * request as it was before the action.
   */
  audit?: (
    fields: z.output<S>,
    next: RequestRecord,
    context: ActionContext,
  ) => Record<string, unknown>;
  /**
   * Whether the action applies to this request at all, beyond its stage: one that does
   * not is neither offered (allowedActions) nor allowed, whoever asks.
   */
  offered?: (request: RequestRecord) => boolean;
  /**
   * Refuses this person, whatever the fields: the action is then not offered to them
   * (the staff UI says why instead of showing a button that can only fail).
   */
  withheld?: (
    request: RequestRecord,
    actor: Actor,
    rules: Pick<ActRules, 'separateApproval'>,
  ) => Refusal | undefined;
}
const action = <S extends z.ZodMiniType>(spec: ActionSpec<S>) => spec;

/**
 * Everyone who has changed what will be published: scheduled the meeting (its details are
 * published), saved the note, decided its redactions (reinstated, marked, cleared an
 * attachment) or wrote a correction. Kept on
 * the request, and added to by each of those actions, through authorsWith below.
 */
export function publicCopyAuthors(request: RequestRecord): string[] {
  return [...new Set([...(request.publicCopyAuthors ?? []), ...(request.draft?.editors ?? [])])];
}

const authorsWith = (request: RequestRecord, actor: Actor) => ({
  publicCopyAuthors: [...new Set([...publicCopyAuthors(request), actor.email])],
});

/**
 * Separation of duties, the one rule: no one who changed what will be published may
 * approve it. SEPARATE_APPROVAL=false turns it off, for an office of one.
 */
export function approvalRefusal(
  request: RequestRecord,
  actor: Actor,
  rules: Pick<ActRules, 'separateApproval'>,
): Refusal | undefined {
  if (!rules.separateApproval) return undefined;
  if (!publicCopyAuthors(request).includes(actor.email)) return undefined;
  return {
    code: 'forbidden',
    message:
      'you changed what will be published (the note, its redactions or a correction), so someone else must approve it (separation of duties)',
  };
}

/** Who had a meeting's invitation: its attendees with an address, by name and address. */
export function invitees(
  attendees: ReadonlyArray<{ name: string; email?: string }> | undefined,
): Array<{ name: string; email: string }> {
  return (attendees ?? []).flatMap(({ name, email }) => (email ? [{ name, email }] : []));
}

/**
 * Calling off the meeting of a scheduled request, which every action that closes one from
 * `scheduled` does (withdraw; close): its SEQUENCE goes one past the last invitation's, and
 * the audit event records the meeting with that SEQUENCE and who had the invitation, so
 * the cancellations are planned from the event alone, the same on every delivery of it
 * (shared/notify/plan.ts `closingMail`). From any other stage there is nothing to call
 * off: no meeting yet, or one already held. Spread into the action's spec:
 * `effect: (fields, context) => ({ ...yours, ...cancelling.effect(context) })` and
 * `audit: (fields, next, context) => ({ ...fields, ...cancelling.audit(next, context) })`.
 */
export const cancelling = {
  effect: ({ request }: ActionContext): Partial<RequestRecord> =>
    request.stage === 'scheduled' && request.meeting
      ? { meeting: { ...request.meeting, sequence: request.meeting.sequence + 1 } }
      : {},
  audit: (next: RequestRecord, { request }: ActionContext): Record<string, unknown> =>
    request.stage === 'scheduled' && next.meeting
      ? {
          meetingCancelled: true,
          start: next.meeting.start,
          end: next.meeting.end,
          location: next.meeting.location,
          attendees: invitees(next.meeting.attendees),
          sequence: next.meeting.sequence,
        }
      : {},
};

const closing = action({
  fields: reason,
  effect: (fields, context) => ({ closedReason: fields.reason, ...cancelling.effect(context) }),
  audit: (fields, next, context) => ({ ...fields, ...cancelling.audit(next, context) }),
});

/** The deadline a stage runs against: the reply before the meeting, the note after it. */
export function deadlineOf(stage: Stage): 'replyBy' | 'noteDueBy' | undefined {
  if (stage === 'received' || stage === 'accepted') return 'replyBy';
  if (stage === 'held' || stage === 'drafting' || stage === 'in_review') return 'noteDueBy';
  return undefined;
}

/** A date staff type: the office's calendar day, YYYY-MM-DD. */
const calendarDate = z.iso.date({ error: 'must be a date, YYYY-MM-DD' });
const scheduling = (moved: boolean) =>
  action({
    fields: meeting,
    // The meeting's time, place and attendees are published unless the note gives its
    // own: whoever set them changed the public copy too.
    effect: (fields, { request, actor }) => ({
      meeting: { ...fields, sequence: moved ? (request.meeting?.sequence ?? 0) + 1 : 0 },
      ...authorsWith(request, actor),
    }),
    // Who had the last invitation, so those no longer listed are sent a cancellation.
    audit: (fields, next, { request }) => ({
      ...fields,
      sequence: next.meeting?.sequence ?? 0,
      ...(moved ? { previousAttendees: invitees(request.meeting?.attendees) } : {}),
    }),
  });

export const actionSpecs = {
  accept: action({
    fields: z.object({ note: z.optional(z.string().check(z.trim(), z.maxLength(4000))) }),
    // Whoever accepts a request nobody holds is the one who will see it through.
    effect: (_fields, { request, actor }) => ({ assignee: request.assignee ?? actor.email }),
    audit: (fields, next) => ({ ...fields, assignee: next.assignee }),
  }),
  decline: closing,
  schedule: scheduling(false),
  reschedule: scheduling(true),
  record_held: action({
    fields: z.object({}),
    effect: (_fields, { request, now, rules }) => ({
      noteDueBy: addWorkingDays(
        officeDate(new Date(request.meeting?.end ?? now), rules.timeZone),
        rules.noteWorkingDays,
        rules.calendar,
      ),
    }),
    audit: (_fields, next) => ({ noteDueBy: next.noteDueBy }),
  }),
  // Kept in the request item for now, which DynamoDB caps at 400 KB with everything else.
  save_draft: action({
    fields: z.object({
      title: z.optional(trimmedText(1, 300)),
      body: z.string().check(z.maxLength(60_000, 'a note may be at most 60,000 characters')),
      /** The meeting as the note records it, where it differs from what was scheduled. */
      meeting: z.optional(
        z.object({
          start: z.iso.datetime({ offset: true }),
          end: z.iso.datetime({ offset: true }),
          location: trimmedText(1, 500),
          attendees: z.array(attendeeSchema).check(z.minLength(1), z.maxLength(100)),
          officeHolder,
        }),
      ),
      organisations: z.optional(z.array(trimmedText(1, 200)).check(z.maxLength(50))),
    }),
    effect: (fields, { request, actor, now }) => ({
      ...authorsWith(request, actor),
      draft: {
        version: (request.draft?.version ?? 0) + 1,
        title: fields.title ?? request.draft?.title,
        body: fields.body,
        savedBy: actor.email,
        savedAt: now.toISOString(),
        editors: [...new Set([...(request.draft?.editors ?? []), actor.email])],
        submittedBy: request.draft?.submittedBy,
        meeting: fields.meeting ?? request.draft?.meeting,
        organisations: fields.organisations ?? request.draft?.organisations,
      },
    }),
    // A note is long; the event records its version, the note store keeps the text.
    audit: (fields, next) => ({ draftVersion: next.draft?.version, length: fields.body.length }),
  }),
  submit_note: action({
    fields: z.object({}),
    guard: ({ request }) =>
      request.draft
        ? undefined
        : {
            code: 'not_allowed',
            message: 'there is no draft note to submit; save a draft first',
            allowed: ['save_draft'],
          },
    effect: (_fields, { request, actor }) =>
      request.draft ? { draft: { ...request.draft, submittedBy: actor.email } } : {},
  }),
  request_changes: action({
    fields: z.object({
      comment: trimmedText(1, 4000, 'a comment is required'),
    }),
  }),
  approve: action({
    fields: z.object({ publishAt: z.optional(z.iso.datetime({ offset: true })) }),
    withheld: approvalRefusal,
    effect: (fields, { now }) => ({ publishAt: fields.publishAt ?? now.toISOString() }),
    audit: (_fields, next) => ({ publishAt: next.publishAt }),
  }),
  withdraw: closing,
  review_redactions: action({
    fields: z.object({
      /** Attachment keys staff cleared for publication; the rest never go out. */
      clearedAttachments: listOf(z.string().check(z.minLength(1), z.maxLength(1000)), 50),
      /**
       * Why a cleared attachment may go out though detection found personal data in it, or
       * could not read it: required for each such one (PUT /redactions checks), audited.
       */
      clearingReasons: listOf(
        z.object({
          key: z.string().check(z.minLength(1), z.maxLength(1000)),
          reason: trimmedText(1, 1000, 'say why this attachment may be published'),
        }),
        50,
      ),
      reinstated: listOf(
        z.object({
          id: z.string().check(z.minLength(1)),
          reason: trimmedText(1, 1000, 'say why this may be published'),
        }),
        200,
      ),
      texts: listOf(trimmedText(2, 200), 200),
      /**
       * RE2 syntax, case-insensitive. Checked against RE2 where they are decided
       * (PUT /redactions, a 422 saying why), which keeps RE2 out of every other function.
       */
      patterns: listOf(z.string().check(z.minLength(1), z.maxLength(500)), 50),
    }),
    effect: (fields, { request, actor }) => ({
      redactions: fields,
      ...authorsWith(request, actor),
    }),
  }),
  correct: action({
    fields: z.object({
      note: trimmedText(1, 1000, 'say what is being corrected'),
    }),
    effect: (fields, { request, actor }) => ({
      pendingCorrection: fields.note,
      ...authorsWith(request, actor),
    }),
  }),
  takedown: closing,
  /**
   * Ends a request at any open stage, with a reason: before the meeting it is withdrawn
   * (closed without a meeting); after it, closed, and no note will be published.
   */
  close: action({
    ...closing,
    // A note being corrected is still on the public site: closing would strand its pages
    // (a takedown is only from published), so it is finished or taken down instead.
    guard: ({ request }) =>
      request.pendingCorrection === undefined
        ? undefined
        : {
            code: 'not_allowed',
            message:
              'this note is published and being corrected: finish the correction, or an admin takes the note down after it is republished; it cannot be closed while its pages are public',
          },
  }),
  /**
   * Takes back an approval (and so its embargo) before the note is published: the note
   * goes back to review and nothing is published until someone approves it again.
   */
  revoke_approval: action({
    fields: reason,
    effect: () => ({ publishAt: undefined }),
    audit: (fields, next) => ({ ...fields, publishAt: undefined, stage: next.stage }),
  }),
  /** A declined request considered again: back to triage, with a new reply deadline. */
  reopen: action({
    fields: reason,
    effect: (_fields, { now, rules }) => ({
      closedReason: undefined,
      replyBy: addWorkingDays(
        officeDate(now, rules.timeZone),
        rules.replyWorkingDays,
        rules.calendar,
      ),
    }),
    audit: (fields, next) => ({ ...fields, replyBy: next.replyBy }),
  }),
  /**
   * Moves the deadline the request runs against (the reply, or the note) to a later day,
   * with a reason; shown on the request, audited. A pause is an extension to the day work
   * can resume.
   */
  extend_deadline: action({
    fields: z.object({
      reason: trimmedText(1, 4000, 'a reason is required'),
      until: calendarDate,
    }),
    guard: ({ request }, fields) => {
      const deadline = deadlineOf(request.stage);
      const current = deadline ? request[deadline] : undefined;
      if (!deadline || !current)
        return {
          code: 'not_allowed',
          message: `a request that is ${request.stage} has no deadline to extend`,
        };
      return fields.until > current
        ? undefined
        : {
            code: 'unprocessable',
            message: 'the new deadline must be later than the current one',
            fields: [{ path: 'until', message: `must be a date after ${current}` }],
          };
    },
    effect: (fields, { request, actor, now }) => {
      const deadline = deadlineOf(request.stage) ?? 'replyBy';
      return {
        [deadline]: fields.until,
        deadlineChanges: [
          ...(request.deadlineChanges ?? []),
          {
            deadline,
            from: request[deadline] ?? '',
            until: fields.until,
            reason: fields.reason,
            by: actor.email,
            at: now.toISOString(),
          },
        ],
      };
    },
    audit: (fields, next) => ({
      ...fields,
      deadline: next.deadlineChanges?.at(-1)?.deadline,
      from: next.deadlineChanges?.at(-1)?.from,
    }),
  }),
  /** Done by the publish function, as the system, once the pages are out. */
  publish: action({
    fields: z.object({
      // Put in mail to the requester and the office: https, or the local site.
      pageUrl: z.url().check(z.refine(isMailableOrigin, MAILABLE_ORIGIN_RULE)),
      noteVersion: z.number().check(z.int(), z.gte(1)),
    }),
    effect: (_fields, { request, now }) =>
      request.pendingCorrection
        ? {
            corrections: [
              ...(request.corrections ?? []),
              { at: now.toISOString(), note: request.pendingCorrection },
            ],
            pendingCorrection: undefined,
          }
        : {},
  }),
  assign: action({
    fields: z.object({ assignee: emailAddressSchema }),
    effect: (fields) => ({ assignee: fields.assignee }),
  }),
  comment: action({
    fields: z.object({
      text: trimmedText(1, 4000, 'a comment cannot be empty'),
    }),
  }),
  /**
   * A legal hold: while it stands, retention disposes of nothing of the request (not its
   * raw mail, documents or records), however long ago it closed. Set and cleared by an
   * admin, each with a reason for the audit trail.
   */
  hold: action({
    fields: reason,
    offered: (request) => !request.legalHold,
    effect: (fields, { actor, now }) => ({
      legalHold: { reason: fields.reason, by: actor.email, since: now.toISOString() },
    }),
  }),
  release_hold: action({
    fields: reason,
    offered: (request) => Boolean(request.legalHold),
    effect: () => ({ legalHold: undefined }),
  }),
  /**
   * A member of staff wrote to the requester (and whoever they copied) on the thread. Taken
   * at POST /replies, which composes the mail, keeps its exact copy and records it as an
   * outbound message in the same transaction; the event says who wrote to whom, what
   * about, and the attachments' hashes, and the notifier sends the copy (once).
   */
  reply: action({
    fields: z.object({
      messageKey: z.string().check(z.minLength(1), z.maxLength(200)),
      messageId: z.string().check(z.minLength(3), z.maxLength(1000)),
      to: z.array(emailAddressSchema).check(z.minLength(1), z.maxLength(50)),
      cc: listOf(emailAddressSchema, 50),
      subject: trimmedText(1, 998),
      inReplyTo: z.optional(z.string().check(z.maxLength(1000))),
      /** Addresses not on the request that an approver chose to write to. */
      addedRecipients: listOf(emailAddressSchema, 50),
      templateId: z.optional(z.string().check(z.maxLength(64))),
      bodySha256: z.string().check(z.length(64)),
      attachments: listOf(
        z.object({
          filename: z.string().check(z.minLength(1), z.maxLength(255)),
          contentType: z.string().check(z.minLength(1), z.maxLength(255)),
          size: z.number().check(z.int(), z.gte(0)),
          sha256: z.string().check(z.length(64)),
        }),
        20,
      ),
    }),
  }),
  /** Sends a failed (or possibly undelivered) notification again; named by its id. */
  resend_notification: action({
    fields: z.object({
      failure: notificationIdSchema,
      seq: z.number().check(z.int(), z.gte(1)),
      kind: z.string().check(z.minLength(1), z.maxLength(100)),
      recipient: emailAddressSchema,
    }),
  }),
} as const;

/** Each action's fields, as the API validates and documents them. */
export const actionFields = Object.fromEntries(
  Object.entries(actionSpecs).map(([name, spec]) => [name, spec.fields]),
) as { [A in keyof typeof actionSpecs]: (typeof actionSpecs)[A]['fields'] };

export type Action = keyof typeof actionFields;
export const actions = Object.keys(actionFields) as Action[];
export type ActionFields<A extends Action> = z.infer<(typeof actionFields)[A]>;

/**
 * Who hears of a transition. `attendees` are those the event's meeting lists with an
 * address; `dropped_attendees` those the last invitation listed and a reschedule does not;
 * `correspondents` whoever a reply staff wrote is addressed to.
 */
export type Audience =
  | 'requester'
  | 'attendees'
  | 'dropped_attendees'
  | 'assignee'
  | 'approvers'
  | 'drafter'
  | 'office'
  | 'correspondents';

export interface TransitionRow {
  from: Stage;
  action: Action;
  /** Where the request goes; the same stage for actions that do not move it. */
  to: Stage;
  roles: readonly Role[];
  notifies: readonly Audience[];
}

const staff: readonly Role[] = ['caseworker', 'approver', 'admin'];
const casework: readonly Role[] = ['caseworker', 'admin'];
const approval: readonly Role[] = ['approver', 'admin'];
const all: readonly Stage[] = [...openStages, ...closedStages];

export const transitions: readonly TransitionRow[] = [
  { from: 'received', action: 'accept', to: 'accepted', roles: staff, notifies: ['requester'] },
  { from: 'received', action: 'decline', to: 'declined', roles: staff, notifies: ['requester'] },
  {
    from: 'accepted',
    action: 'schedule',
    to: 'scheduled',
    roles: casework,
    notifies: ['requester', 'attendees'],
  },
  {
    from: 'scheduled',
    action: 'reschedule',
    to: 'scheduled',
    roles: casework,
    notifies: ['requester', 'attendees', 'dropped_attendees'],
  },
  { from: 'scheduled', action: 'record_held', to: 'held', roles: casework, notifies: ['assignee'] },
  { from: 'held', action: 'save_draft', to: 'drafting', roles: casework, notifies: [] },
  { from: 'drafting', action: 'save_draft', to: 'drafting', roles: casework, notifies: [] },
  {
    from: 'drafting',
    action: 'submit_note',
    to: 'in_review',
    roles: casework,
    notifies: ['approvers'],
  },
  {
    from: 'in_review',
    action: 'request_changes',
    to: 'drafting',
    roles: approval,
    notifies: ['drafter'],
  },
  {
    from: 'in_review',
    action: 'approve',
    to: 'approved',
    roles: approval,
    notifies: ['assignee', 'requester'],
  },
  // Only postroom marks a request published, with the page it wrote: a person cannot
  // claim a page, or bypass an embargo, but by revoking and re-approving.
  {
    from: 'approved',
    action: 'publish',
    to: 'published',
    roles: ['system'],
    notifies: ['requester', 'office'],
  },
  // Redaction decisions are reviewed before approval, and recorded with their reasons.
  ...(['held', 'drafting', 'in_review'] as const).map(
    (from): TransitionRow => ({
      from,
      action: 'review_redactions',
      to: from,
      roles: staff,
      notifies: [],
    }),
  ),
  // A correction reopens the note; approving it republishes at the same address.
  { from: 'published', action: 'correct', to: 'drafting', roles: approval, notifies: [] },
  {
    from: 'published',
    action: 'takedown',
    to: 'withdrawn',
    roles: ['admin'],
    notifies: ['office'],
  },
  // Withdrawn once scheduled, the meeting is called off: its attendees are told too.
  ...(['received', 'accepted', 'scheduled'] as const).map(
    (from): TransitionRow => ({
      from,
      action: 'withdraw',
      to: 'withdrawn',
      roles: casework,
      notifies: from === 'scheduled' ? ['requester', 'attendees'] : ['requester'],
    }),
  ),
  // Every open stage can be closed with a reason. Before the meeting that is a withdrawal
  // (the requester is told, as by withdraw); after it, the request is closed with no note,
  // which stops a publication, so from review or approval only an approver may.
  ...(['received', 'accepted', 'scheduled'] as const).map(
    (from): TransitionRow => ({
      from,
      action: 'close',
      to: 'withdrawn',
      roles: staff,
      notifies: from === 'scheduled' ? ['requester', 'attendees'] : ['requester'],
    }),
  ),
  ...(['held', 'drafting'] as const).map(
    (from): TransitionRow => ({
      from,
      action: 'close',
      to: 'closed',
      roles: staff,
      notifies: ['assignee'],
    }),
  ),
  ...(['in_review', 'approved'] as const).map(
    (from): TransitionRow => ({
      from,
      action: 'close',
      to: 'closed',
      roles: approval,
      notifies: ['assignee'],
    }),
  ),
  {
    from: 'approved',
    action: 'revoke_approval',
    to: 'in_review',
    roles: approval,
    notifies: ['assignee'],
  },
  { from: 'declined', action: 'reopen', to: 'received', roles: staff, notifies: ['requester'] },
  ...openStages
    .filter((from) => deadlineOf(from))
    .map(
      (from): TransitionRow => ({
        from,
        action: 'extend_deadline',
        to: from,
        roles: staff,
        notifies: ['assignee'],
      }),
    ),
  ...openStages.map(
    (from): TransitionRow => ({
      from,
      action: 'assign',
      to: from,
      roles: staff,
      notifies: ['assignee'],
    }),
  ),
  ...all.map(
    (from): TransitionRow => ({ from, action: 'comment', to: from, roles: staff, notifies: [] }),
  ),
  // Staff write to requesters while the request is open; a closed one is the record.
  ...openStages.map(
    (from): TransitionRow => ({
      from,
      action: 'reply',
      to: from,
      roles: staff,
      notifies: ['correspondents'],
    }),
  ),
  // A legal hold can be needed at any stage, before closing as well as after.
  ...all.flatMap((from): TransitionRow[] =>
    (['hold', 'release_hold'] as const).map((action) => ({
      from,
      action,
      to: from,
      roles: ['admin'],
      notifies: [],
    })),
  ),
  // The mail goes to whoever the failed notification was for (shared/notify).
  ...all.map(
    (from): TransitionRow => ({
      from,
      action: 'resend_notification',
      to: from,
      roles: staff,
      notifies: [],
    }),
  ),
];

/**
 * What postroom records by itself rather than as a staff transition, and who hears of it:
 * a new letter (acknowledged, and the office alerted) and mail joining a request.
 */
export const recordedEvents = {
  receive: { notifies: ['requester', 'office'] },
  message_received: { notifies: ['office'] },
} as const satisfies Record<string, { notifies: readonly Audience[] }>;

/** Who an audit event's action tells, by the table (or the recorded events above). */
export function audiencesOf(event: { action: string; from: string | null }): readonly Audience[] {
  if (Object.hasOwn(recordedEvents, event.action))
    return recordedEvents[event.action as keyof typeof recordedEvents].notifies;
  if (!event.from || !isAction(event.action)) return [];
  return findTransition(event.from as Stage, event.action)?.notifies ?? [];
}

export function findTransition(from: Stage, action: Action): TransitionRow | undefined {
  return transitions.find((row) => row.from === from && row.action === action);
}

/** The actions a person with these roles may take from this stage, in table order. */
export function availableActions(from: Stage, held: readonly Role[]): Action[] {
  return [
    ...new Set(
      transitions
        .filter((row) => row.from === from && row.roles.some((role) => held.includes(role)))
        .map((row) => row.action),
    ),
  ];
}

/**
 * The actions offered to this person on this request as it is now: the table's for its
 * stage and their roles, less those that do not apply to it (a hold on a request already
 * held), and none at all once disposal has claimed it.
 */
export function offeredActions(request: RequestRecord, held: readonly Role[]): Action[] {
  if (request.disposing) return [];
  return availableActions(request.stage, held).filter(
    (action) =>
      (actionSpecs[action] as { offered?: (r: RequestRecord) => boolean }).offered?.(request) ??
      true,
  );
}

type Withheld = NonNullable<ActionSpec<z.ZodMiniType>['withheld']>;

/** Why this person may not take the action on this request, whatever they send; or nothing. */
export function withheldFrom(
  action: Action,
  request: RequestRecord,
  actor: Actor,
  rules: Pick<ActRules, 'separateApproval'>,
): Refusal | undefined {
  return (actionSpecs[action] as { withheld?: Withheld }).withheld?.(request, actor, rules);
}

/**
 * What the staff UI offers this person: the actions their roles may take now, less those
 * withheld from them, which are listed with the reason (a note's editor sees why they
 * cannot approve it, not an Approve button that could only be refused).
 */
export function actionsFor(
  request: RequestRecord,
  actor: Actor,
  rules: Pick<ActRules, 'separateApproval'>,
): { allowed: Action[]; withheld: Array<{ action: Action; reason: string }> } {
  const allowed: Action[] = [];
  const withheld: Array<{ action: Action; reason: string }> = [];
  for (const action of offeredActions(request, actor.roles)) {
    const refusal = withheldFrom(action, request, actor, rules);
    if (refusal) withheld.push({ action, reason: refusal.message });
    else allowed.push(action);
  }
  return { allowed, withheld };
}

/**
 * Whether a name from outside is one of the actions. Own keys only: `in` would also find
 * toString, constructor and __proto__ on the table's prototype chain.
 */
export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && Object.hasOwn(actionFields, value);
}
