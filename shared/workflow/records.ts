import type { Stage } from './stages.ts';

/** The shapes postroom keeps, independent of how the table stores them. */
export interface Sender {
  address: string;
  name: string;
}

export interface RequestRecord {
  id: string;
  reference: string;
  stage: Stage;
  /** Bumped by every staff action; the optimistic-concurrency token the API exposes. */
  version: number;
  /** The seq of the newest audit event and its hash: where the chain continues. */
  eventSeq: number;
  lastHash: string;
  subject: string;
  sender: Sender;
  organisation?: string;
  receivedAt: string;
  replyBy: string;
  flags: string[];
  messageCount: number;
  lastMessageAt: string;
}

export interface StoredAttachment {
  filename: string;
  contentType: string;
  size: number;
  key: string;
  inline: boolean;
}

export interface MessageRecord {
  requestId: string;
  key: string;
  direction: 'inbound' | 'outbound';
  at: string;
  from: string;
  to: string[];
  subject: string;
  messageId?: string;
  /** Where the raw MIME is kept (inbound) or what SES called the message (outbound). */
  raw?: { bucket: string; key: string };
  sesMessageId?: string;
  documents?: { text: string; html?: string; attachments: StoredAttachment[] };
  machine?: string;
  kind?: string;
}

export interface HeldMailRecord {
  id: string;
  reason: string;
  detail: string;
  receivedAt: string;
  raw: { bucket: string; key: string };
  from?: string;
  subject?: string;
}

/** Where an inbound object ended up; the idempotency record keyed on its S3 key. */
export type Filing =
  | { place: 'request'; requestId: string; reference: string; messageKey: string }
  | { place: 'held'; heldId: string; reason: string };
