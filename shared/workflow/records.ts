import type { Stage } from './stages.ts';

/** The shapes postroom keeps, independent of how the table stores them. */
export interface Sender {
  /**
   * Where mail to the requester goes. Every letter that came by email has one; a request
   * staff opened by hand (a phone call, a letter by post) may not, and then no mail is
   * sent to the requester at all.
   */
  address?: string;
  name: string;
}

/**
 * How correspondence reached the office: by email (intake; absent on requests filed
 * before channels were recorded), or recorded by staff by hand.
 */
export const channels = ['email', 'post', 'phone', 'office'] as const;
export type Channel = (typeof channels)[number];
/** How each channel reads after "it came": in alerts, and the audit trail's words. */
export const channelWords: Record<Channel, string> = {
  email: 'by email',
  post: 'by post',
  phone: 'by phone',
  office: 'from the office itself (a meeting it arranged)',
};

export interface RequestRecord {
  id: string;
  reference: string;
  stage: Stage;
  /** Bumped by every staff action; the optimistic-concurrency token the API exposes. */
  version: number;
  /**
   * The head of the request's audit chain: the seq of the newest event (so also how many
   * there are, seqs running 1, 2, 3…) and its hash. Every writer that appends an event
   * updates both in the same transaction, so verification can tell a missing tail.
   */
  eventSeq: number;
  lastHash: string;
  subject: string;
  sender: Sender;
  organisation?: string;
  /** How it reached the office; absent means email. */
  channel?: Channel;
  receivedAt: string;
  replyBy: string;
  flags: string[];
  /** Addresses whose mail joined the request though it did not know them (flagged once). */
  participants?: string[];
  messageCount: number;
  lastMessageAt: string;
  /** The caseworker responsible, by email address. */
  assignee?: string;
  meeting?: Meeting;
  /** The note of the meeting is due by this date (M working days after it). */
  noteDueBy?: string;
  draft?: DraftState;
  publishAt?: string;
  /** What the pending correction changes; shown, dated, on the republished page. */
  pendingCorrection?: string;
  /** Staff's redaction decisions for the public copy (detected data is redacted unless reinstated). */
  redactions?: {
    reinstated: Array<{ id: string; reason: string }>;
    texts: string[];
    patterns: string[];
    clearedAttachments?: string[];
    clearingReasons?: Array<{ key: string; reason: string }>;
  };
  corrections?: Array<{ at: string; note: string }>;
  /**
   * Everyone who changed what will be published (saved the note, decided redactions,
   * wrote a correction): none of them may approve it (transitions.ts, approvalRefusal).
   */
  publicCopyAuthors?: string[];
  /** Why a request was declined, withdrawn or closed. */
  closedReason?: string;
  /** Each deadline staff moved, with why: shown on the request, audited. */
  deadlineChanges?: DeadlineChange[];
  /**
   * When the request last went from an open stage to a closed one: the retention period
   * counts from here (shared/retention/disposal.ts). Cleared when a correction reopens it.
   * Absent on requests closed before it was recorded; disposal then reads the audit trail.
   */
  closedAt?: string;
  /** Set by an admin: nothing of the request is disposed of while it stands. */
  legalHold?: LegalHold;
  /**
   * Set when disposal has claimed the request: from then on it takes no action, so a hold
   * or a correction cannot land halfway through the deletions.
   */
  disposing?: { since: string };
}

export interface DeadlineChange {
  deadline: 'replyBy' | 'noteDueBy';
  /** The deadline before, and after, as office dates. */
  from: string;
  until: string;
  reason: string;
  by: string;
  at: string;
}

export interface LegalHold {
  reason: string;
  /** The admin who set it, by email address. */
  by: string;
  since: string;
}

export interface Meeting {
  start: string;
  end: string;
  location: string;
  attendees: Array<{
    name: string;
    role: string;
    organisation: string;
    email?: string;
    host: boolean;
    invitedGuest: boolean;
  }>;
  /** The iCalendar SEQUENCE: 0 when first scheduled, one more at each reschedule. */
  sequence: number;
  /**
   * Who met them for the office, when not the office-holder OFFICE_HOLDER names (a deputy,
   * say): the quarterly return's first column. Absent on most meetings.
   */
  officeHolder?: string;
}

export interface DraftState {
  version: number;
  title?: string;
  body: string;
  /**
   * Who saved this version and when, as the audit event records it. The version's copy in
   * the note store is written from these after the save commits, so they always agree.
   * Absent on drafts saved before they were recorded here.
   */
  savedBy?: string;
  savedAt?: string;
  /** Everyone who saved a version; none of them may approve it. */
  editors: string[];
  /** Who submitted it for review, told when changes are asked for. */
  submittedBy?: string;
  /** The meeting as the note records it (it may differ from what was scheduled). */
  meeting?: Omit<Meeting, 'sequence'>;
  organisations?: string[];
}

/** A notification given up on after retries; kept beside the request for staff to see. */
export interface FailedNotification {
  /** Stable per (event, kind, recipient); what staff name to resend it. */
  id: string;
  seq: number;
  kind: string;
  recipient: string;
  error: string;
  at: string;
  /** Set once staff asked for it to be sent again: by the resend event `seq`. */
  resent?: { seq: number; by: string; at: string };
}

export interface StoredAttachment {
  filename: string;
  contentType: string;
  size: number;
  key: string;
  inline: boolean;
  /** SHA-256 of the bytes, hex: recorded for files staff uploaded, whose audit event names it. */
  sha256?: string;
}

export interface MessageRecord {
  requestId: string;
  key: string;
  direction: 'inbound' | 'outbound';
  /** How an inbound message came: absent means email; otherwise staff recorded it by hand. */
  channel?: Channel;
  at: string;
  /** The sender's address; for correspondence recorded by hand without one, their name. */
  from: string;
  to: string[];
  subject: string;
  messageId?: string;
  /** The Date header of a received message, as ISO, when it had a valid one. */
  sentAt?: string;
  /** Where the raw MIME is kept (inbound) or what SES called the message (outbound). */
  raw?: { bucket: string; key: string };
  sesMessageId?: string;
  documents?: { text: string; html?: string; attachments: StoredAttachment[] };
  machine?: string;
  kind?: string;
  /** A resend of a message already filed: the key of that first copy. */
  duplicateOf?: string;
  /** Copied, on a reply staff wrote. */
  cc?: string[];
  /** The member of staff who wrote it: set on replies, absent on postroom's own mail. */
  author?: string;
  /** The audit event that sent it (a reply), whose notification says how sending went. */
  seq?: number;
  /** On a reply sent: those it was addressed to whom it was not sent (they bounced or complained). */
  notSentTo?: string[];
}

/** Who sent a received message, and when: what tells a resend from a reused Message-ID. */
export interface ReceivedFingerprint {
  /** The request this first copy was filed on (a resend joins it). */
  requestId: string;
  from: string;
  /** The message's own Date header, as ISO; absent when it had none. */
  sentAt?: string;
  /** When postroom filed it. */
  filedAt: string;
  messageKey: string;
}

/** What postroom knows of a Message-ID: the request it threads to, and for mail received, its first copy. */
export interface MessagePointer {
  messageId: string;
  requestId: string;
  received?: ReceivedFingerprint;
  /** An id postroom gave mail it sent. */
  sent?: boolean;
}

/**
 * How a filing ended: filed; already filed (by another delivery, or staff resolved the
 * held mail first); or refused because a copy of the same message was filed meanwhile,
 * so this delivery must be decided again, as a resend.
 */
export type FilingResult =
  | { outcome: 'filed'; request: RequestRecord }
  | { outcome: 'already-filed' | 'resend'; request?: undefined };

export interface HeldMailRecord {
  id: string;
  reason: string;
  detail: string;
  receivedAt: string;
  raw: { bucket: string; key: string };
  from?: string;
  subject?: string;
  /**
   * The head of held mail's own audit chain (shared/intake/held-chain.ts): the seq of its
   * newest event and that event's hash. Absent on mail held before held mail had chains.
   */
  eventSeq?: number;
  lastHash?: string;
}

/** Where an inbound object ended up; the idempotency record keyed on its S3 key. */
export type Filing =
  | { place: 'request'; requestId: string; reference: string; messageKey: string }
  | { place: 'held'; heldId: string; reason: string };

/** How staff took a message out of held mail. */
export interface HeldResolution {
  heldId: string;
  /** refiled: staff had intake try again with mail it could not file. */
  status: 'attached' | 'opened' | 'discarded' | 'refiled';
  by: string;
  detail: string;
  /** When staff resolved it. */
  at: string;
}
