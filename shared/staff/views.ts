import { findingKinds, findingPlaces } from '../publication/findings.ts';
import { channels } from '../workflow/records.ts';
import { stages } from '../workflow/stages.ts';
import { actions, roles } from '../workflow/transitions.ts';
import * as z from '../zod.ts';

/**
 * What the staff API answers, as zod schemas: the one description of each response,
 * which the dispatcher parses every answer through (so no storage attribute such as PK,
 * SK, GSI1PK or searchText can reach a client: an object schema keeps only its declared
 * keys), which the OpenAPI document is generated from, and which the staff UI's types
 * are inferred from. Pure: no Node APIs, so the browser bundle can share it.
 */

const isoTime = z.string().check(z.describe('an ISO 8601 date and time'));
const isoDate = z.string().check(z.describe('a calendar date, YYYY-MM-DD'));

export const senderView = z.object({
  address: z
    .optional(z.string())
    .check(z.describe('absent for a request opened by hand without an email address')),
  name: z.string(),
});

const channelView = z
  .enum(channels)
  .check(z.describe('how it reached the office: email, or recorded by hand (post, phone, office)'));

const attendeeView = z.object({
  name: z.string(),
  role: z.string(),
  organisation: z.string(),
  email: z.optional(z.string()),
  host: z.boolean(),
  invitedGuest: z.boolean(),
});

const meetingView = z.object({
  start: isoTime,
  end: isoTime,
  location: z.string(),
  attendees: z.array(attendeeView),
  officeHolder: z.optional(z.string()),
});

const redactionDecisionsView = z.object({
  reinstated: z.array(z.object({ id: z.string(), reason: z.string() })),
  texts: z.array(z.string()),
  patterns: z.array(z.string()),
  clearedAttachments: z.optional(z.array(z.string())),
  clearingReasons: z.optional(z.array(z.object({ key: z.string(), reason: z.string() }))),
});

/** A request's own fields: the record the workflow keeps, without the table's keys. */
export const requestView = z.object({
  id: z.string(),
  reference: z.string(),
  stage: z.enum(stages),
  version: z.number().check(z.int()),
  eventSeq: z.number().check(z.int()),
  subject: z.string(),
  sender: senderView,
  organisation: z.optional(z.string()),
  channel: z.optional(channelView),
  receivedAt: isoTime,
  replyBy: isoDate,
  flags: z.array(z.string()),
  messageCount: z.number().check(z.int()),
  lastMessageAt: isoTime,
  assignee: z.optional(z.string()),
  meeting: z.optional(z.extend(meetingView, { sequence: z.number().check(z.int()) })),
  noteDueBy: z.optional(isoDate),
  draft: z.optional(
    z.object({
      version: z.number().check(z.int()),
      title: z.optional(z.string()),
      body: z.string(),
      editors: z.array(z.string()),
      submittedBy: z.optional(z.string()),
      savedBy: z.optional(z.string()),
      savedAt: z.optional(isoTime),
      meeting: z.optional(meetingView),
      organisations: z.optional(z.array(z.string())),
    }),
  ),
  publishAt: z.optional(isoTime),
  pendingCorrection: z.optional(z.string()),
  redactions: z.optional(redactionDecisionsView),
  corrections: z.optional(z.array(z.object({ at: isoTime, note: z.string() }))),
  closedReason: z.optional(z.string()),
  deadlineChanges: z.optional(
    z.array(
      z.object({
        deadline: z.enum(['replyBy', 'noteDueBy']),
        from: z.string(),
        until: z.string(),
        reason: z.string(),
        by: z.string(),
        at: isoTime,
      }),
    ),
  ),
  closedAt: z.optional(isoTime).check(z.describe('when it closed; retention counts from here')),
  legalHold: z
    .optional(z.object({ reason: z.string(), by: z.string(), since: isoTime }))
    .check(z.describe('while set, retention disposes of nothing of the request')),
});

/** One row of the request list. */
export const requestSummaryView = z.object({
  id: z.string(),
  reference: z.string(),
  stage: z.enum(stages),
  version: z.number().check(z.int()),
  subject: z.string(),
  sender: senderView,
  organisation: z.nullable(z.string()),
  channel: channelView,
  receivedAt: isoTime,
  dueAt: isoDate.check(z.describe('whatever is due next, on the office’s calendar')),
  assignee: z.nullable(z.string()),
  dueForRecordHeld: z
    .boolean()
    .check(z.describe('a scheduled meeting that has ended, due to be recorded as held')),
});

export const requestPageView = z.object({
  items: z.array(requestSummaryView),
  nextToken: z.nullable(z.string()),
});

const link = z.object({
  key: z.string(),
  url: z.string().check(z.describe('a 5-minute download link')),
});

export const messageView = z.object({
  key: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  channel: z
    .optional(z.enum(channels))
    .check(z.describe('for correspondence staff recorded by hand, how it came')),
  at: isoTime,
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  messageId: z.optional(z.string()),
  sentAt: z.optional(isoTime),
  kind: z
    .optional(z.string())
    .check(z.describe('for mail postroom sent, which notification it was')),
  machine: z.optional(z.string()).check(z.describe('why received mail looked automatic')),
  duplicateOf: z
    .optional(z.string())
    .check(z.describe('the same message delivered again: its first copy')),
  cc: z.optional(z.array(z.string())),
  notSentTo: z
    .optional(z.array(z.string()))
    .check(z.describe('on a reply sent: addresses left out because they bounced or complained')),
  author: z
    .optional(z.string())
    .check(z.describe('on a reply staff wrote: who wrote it (postroom’s own mail has none)')),
  status: z
    .optional(z.enum(['sending', 'sent', 'failed', 'unknown']))
    .check(
      z.describe(
        'on a reply: sent once SES took it; failed or unknown (it may have been delivered) until staff send it again',
      ),
    ),
  documents: z.optional(
    z.object({
      text: link,
      html: z.nullable(link),
      attachments: z.array(
        z.object({
          filename: z.string(),
          contentType: z.string(),
          size: z.number().check(z.int()),
          key: z.string(),
          inline: z.boolean(),
          url: z.string(),
        }),
      ),
    }),
  ),
});

export const auditEventView = z.object({
  seq: z.number().check(z.int()),
  action: z.string(),
  actor: z.string(),
  at: isoTime,
  from: z.nullable(z.string()),
  to: z.nullable(z.string()),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

export const chainVerificationView = z.object({
  intact: z.boolean(),
  count: z.number().check(z.int(), z.describe('how many events are stored')),
  head: z.string().check(z.describe('the hash of the newest stored event (64 zeros for none)')),
  brokenAt: z
    .optional(z.number().check(z.int()))
    .check(z.describe('the seq where the chain first fails to hold')),
  reason: z
    .optional(z.string())
    .check(
      z.describe(
        'why it is broken; or, for a request that records no chain head, that it is unanchored',
      ),
    ),
});

export const auditTrailView = z.object({
  events: z.array(auditEventView),
  verification: chainVerificationView,
});

export const failedNotificationView = z.object({
  id: z.string().check(z.describe('what to name it to send it again')),
  seq: z.number().check(z.int()),
  kind: z.string(),
  recipient: z.string(),
  error: z.string(),
  at: isoTime,
  resent: z.optional(z.object({ seq: z.number().check(z.int()), by: z.string(), at: isoTime })),
});

export const requestDetailView = z.extend(requestSummaryView, {
  request: requestView,
  allowedActions: z.array(z.enum(actions)),
  /** Actions the caller's roles allow at this stage but which are refused to them, and why. */
  withheldActions: z.array(z.object({ action: z.enum(actions), reason: z.string() })),
  messages: z.array(messageView),
  events: z.array(auditEventView),
  failedNotifications: z.array(failedNotificationView),
});

/** What an action answers: the request as it is now. */
export const actionResultView = z.extend(requestSummaryView, { request: requestView });

export const messageContentView = z.object({
  key: z.string(),
  text: z.string(),
  html: z.nullable(z.string()).check(z.describe('the sanitised HTML, where the mail had HTML')),
});

export const noteDraftView = z.object({
  version: z.number().check(z.int(), z.describe('the note’s own version: 0 before the first save')),
  title: z.string(),
  body: z.string(),
  meeting: z.nullable(z.extend(meetingView, { sequence: z.optional(z.number().check(z.int())) })),
  organisations: z.nullable(z.array(z.string())),
  editors: z.array(z.string()),
});

export const noteVersionView = z.object({
  version: z.number().check(z.int()),
  title: z.string(),
  body: z.string(),
  savedBy: z.string(),
  savedAt: isoTime,
});

export const noteSavedView = z.object({
  version: z.number().check(z.int()),
  title: z.string(),
  body: z.string(),
  request: actionResultView,
});

export const noteVersionsView = z.object({ versions: z.array(noteVersionView) });

export const noteDiffView = z.object({
  from: z.number().check(z.int()),
  to: z.number().check(z.int()),
  diff: z.string().check(z.describe('a unified diff')),
});

export const redactionReviewView = z.object({
  version: z.number().check(z.int()),
  findings: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(findingKinds),
      text: z.string(),
      /** A name of someone attending in an official role: public unless staff mark it. */
      official: z.boolean(),
      where: z.enum(findingPlaces),
      /** For an attachment's name or text: which attachment. */
      attachment: z.optional(z.string()),
      redacted: z.boolean(),
      reinstatedBecause: z.nullable(z.string()),
    }),
  ),
  /**
   * Each attachment of the letter: whether all its text was read (a PDF's text layer, a
   * text file's text; extracted once, when the letter was filed), what was found in it,
   * and whether it is cleared. Clearing one that shows findings, or was not fully read,
   * needs a reason.
   */
  /**
   * How far NLP has read the letter and its attachments for names (the other detectors
   * read all of it): `all`, only the `start` (check the rest by eye), or `pending`.
   */
  namesRead: z.enum(['all', 'start', 'pending']),
  attachments: z.array(
    z.object({
      key: z.string(),
      filename: z.string(),
      contentType: z.string(),
      scanned: z.boolean(),
      /** The text layer's state: `pending` until extraction has read the file. */
      textLayer: z.enum(['extracted', 'empty', 'unreadable', 'unsupported', 'pending']),
      /** Why its text was not all read, for staff; absent when it was. */
      unread: z.optional(z.string()),
      findings: z.number().check(z.int()),
      cleared: z.boolean(),
      needsReason: z.boolean(),
    }),
  ),
  decisions: redactionDecisionsView,
});

export const publishedMeetingView = z.object({
  reference: z.string(),
  title: z.string(),
  start: isoTime,
  end: isoTime,
  location: z.string(),
  organisations: z.array(z.string()),
  attendees: z.array(z.omit(attendeeView, { email: true })),
  purposeSummary: z.string(),
  noteMarkdown: z.string(),
  letterText: z.string(),
  letterDate: z.string(),
  attachments: z.array(z.object({ filename: z.string(), href: z.string() })),
  publishedAt: isoTime,
  corrections: z.array(z.object({ at: isoTime, note: z.string() })),
});

export const publicationPreviewView = z.object({
  page: z.string().check(z.describe('the meeting page, as HTML')),
  letter: z.string().check(z.describe('the letter page, as HTML')),
  meeting: publishedMeetingView,
});

export const heldMailView = z.object({
  id: z.string(),
  reason: z.string(),
  detail: z.string(),
  receivedAt: isoTime,
  from: z.nullable(z.string()),
  subject: z.nullable(z.string()),
  raw: z.object({ bucket: z.string(), key: z.string() }),
});

export const heldPageView = z.object({
  items: z.array(heldMailView),
  nextToken: z.nullable(z.string()),
});

export const heldOutcomeView = z.object({
  ok: z.literal(true),
  status: z.enum(['attached', 'opened', 'discarded', 'refiled']),
  requestId: z.optional(z.string()),
  reference: z.optional(z.string()),
});

const count = z.number().check(z.int());

/**
 * What a disposal under the retention policy deleted and kept (shared/retention/disposal.ts):
 * kinds and counts, dates and the rule, never a name, address, subject or object key.
 */
export const disposalView = z.object({
  requestId: z.string(),
  reference: z.string(),
  stage: z.enum(stages).check(z.describe('the closed stage it was in')),
  receivedAt: isoTime,
  closedAt: isoTime,
  disposedAt: isoTime,
  by: z.string(),
  rule: z.object({
    name: z.string(),
    periodDays: count,
    countedFrom: z.string(),
    keeps: z.enum(['publication', 'nothing']),
  }),
  disposed: z.object({
    rawMail: count,
    bodies: count,
    attachments: count,
    noteVersions: count,
    outboundMail: count,
    otherDocuments: count,
    requestRecord: count,
    auditEvents: count,
    messages: count,
    notificationClaims: count,
    failedNotifications: count,
    threadingPointers: count,
    filings: count,
    heldMail: count,
    otherRecords: count,
  }),
  kept: z.object({ publishedAttachments: count }),
  publication: z
    .nullable(
      z.object({
        pageUrl: z.string(),
        firstPublishedAt: isoTime,
        lastPublishedAt: isoTime,
        noteVersion: count,
        corrections: count,
        takenDownAt: z.optional(isoTime),
      }),
    )
    .check(z.describe('for a request that was published: how to account for the publication')),
  auditChainHead: z
    .object({ seq: count, hash: z.string() })
    .check(z.describe('the last audit event’s seq and hash, for checking a restored backup')),
  keysDigest: z
    .string()
    .check(z.describe('SHA-256 of the deleted objects’ keys, sorted, one a line')),
});

export const disposalPageView = z.object({
  items: z.array(disposalView),
  nextToken: z.nullable(z.string()),
});

export const templateView = z.object({
  id: z.string(),
  name: z.string(),
  subject: z.optional(z.string()),
  body: z.string().check(z.describe('plain text; placeholders are filled when a reply is written')),
  updatedBy: z.string().check(z.describe('who saved it last, by email address')),
  updatedAt: isoTime,
  version: z.number().check(z.int(), z.describe('how many times it has been saved')),
});

export const templateListView = z.object({ items: z.array(templateView) });

export const healthView = z.object({ status: z.literal('ok') });

export const staffListView = z.object({
  items: z.array(z.object({ email: z.string(), name: z.string(), roles: z.array(z.enum(roles)) })),
});

/** Where to PUT one file, and what to name it by once it is there. */
export const uploadView = z.object({
  uploadId: z
    .string()
    .check(z.describe('name it in uploadIds when opening a request or sending a reply')),
  url: z
    .string()
    .check(
      z.describe(
        'PUT the file here within 15 minutes, with exactly the Content-Type and size declared',
      ),
    ),
});

/** A reply as stored when staff sent it. */
export const replyView = z.object({
  key: z.string(),
  direction: z.literal('outbound'),
  at: isoTime,
  from: z.string(),
  to: z.array(z.string()),
  cc: z.optional(z.array(z.string())),
  subject: z.string(),
  messageId: z.string(),
  author: z.string(),
  status: z.literal('sending').check(z.describe('GET the request to see it sent, or failed')),
  attachments: z.array(
    z.object({ filename: z.string(), contentType: z.string(), size: z.number().check(z.int()) }),
  ),
});

/** A request just opened: where to find it. */
export const openedRequestView = z.object({ id: z.string(), reference: z.string() });

const tally = z.number().check(z.int(), z.gte(0));
const workingDays = z
  .nullable(z.number().check(z.int(), z.gte(0)))
  .check(z.describe('working days, nearest-rank; null when no stay ended in the period'));
const onTimeView = z.object({
  counted: tally,
  onTime: tally,
  late: tally,
  outstanding: tally.check(z.describe('late and still not done: the deadline passed')),
  share: z.nullable(z.number()).check(z.describe('onTime / counted; null when none counted')),
});

/** The management report (shared/reports/report.ts says exactly what each figure counts). */
export const reportView = z.object({
  period: z.object({ from: isoDate, to: isoDate }),
  today: isoDate,
  received: z.object({
    total: tally,
    byWeek: z.array(
      z.object({ week: isoDate.check(z.describe('the Monday the week starts on')), count: tally }),
    ),
    byChannel: z.array(z.object({ channel: channelView, count: tally })),
  }),
  byStage: z.array(z.object({ stage: z.enum(stages), count: tally })),
  timeInStage: z.array(
    z.object({
      stage: z.enum(stages),
      stays: tally,
      median: workingDays,
      p90: workingDays,
      ongoing: tally,
    }),
  ),
  onTime: z.object({ replies: onTimeView, notes: onTimeView }),
  byAssignee: z.array(
    z.object({
      assignee: z.nullable(z.string()).check(z.describe('null: nobody holds them')),
      open: tally,
      overdue: tally,
    }),
  ),
  topOrganisations: z.array(
    z.object({ organisation: z.string(), requests: tally, meetingsHeld: tally }),
  ),
  catalogueUpdatedAt: z
    .nullable(isoTime)
    .check(z.describe('when the catalogue the report is made from was last written')),
});

export type RequestSummaryView = z.infer<typeof requestSummaryView>;
export type RequestDetailView = z.infer<typeof requestDetailView>;
export type RequestViewOf = z.infer<typeof requestView>;
export type MessageView = z.infer<typeof messageView>;
export type AuditEventView = z.infer<typeof auditEventView>;
export type AuditTrailView = z.infer<typeof auditTrailView>;
export type FailedNotificationView = z.infer<typeof failedNotificationView>;
export type MessageContentView = z.infer<typeof messageContentView>;
export type NoteDraftView = z.infer<typeof noteDraftView>;
export type RedactionReviewView = z.infer<typeof redactionReviewView>;
export type PublicationPreviewView = z.infer<typeof publicationPreviewView>;
export type HeldMailView = z.infer<typeof heldMailView>;
export type DisposalView = z.infer<typeof disposalView>;
export type ReportView = z.infer<typeof reportView>;

/** One search result: enough to show and link it, with the passage that matched. */
export const searchResultView = z.object({
  id: z.string(),
  reference: z.string(),
  subject: z.string(),
  stage: z.enum(stages),
  score: z.number().check(z.describe('relevance: higher first; an exact reference ranks first')),
  passage: z
    .string()
    .check(z.describe('plain text around the first match (… where cut); never HTML')),
  terms: z.array(z.string()).check(z.describe('the indexed words that matched, lower case')),
});

export const searchPageView = z.object({
  items: z.array(searchResultView),
  nextToken: z.optional(z.string()),
});

/** A sender's or an organisation's requests and meetings, newest first. */
export const correspondentView = z.object({
  sender: z.optional(z.string()),
  organisation: z.optional(z.string()),
  requests: z.array(
    z.object({
      id: z.string(),
      reference: z.string(),
      subject: z.string(),
      stage: z.enum(stages),
      receivedAt: isoTime,
      senderName: z.string(),
      senderAddress: z.optional(z.string()),
      organisation: z.optional(z.string()),
      meetingStart: z.optional(isoTime),
    }),
  ),
});
