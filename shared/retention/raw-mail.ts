/**
 * How long raw mail is kept. A request's raw MIME stays in the inbound bucket while the
 * request is open; once it closes (declined, published or withdrawn) its objects are
 * marked, and the bucket's lifecycle rule expires marked objects after the retention
 * period. S3 counts that period from an object's creation, so marking rewrites the
 * object in place: the clock starts when the request closes, not when the mail came.
 * A correction reopens a published request, and the mark comes off again; so does a legal
 * hold (the lifecycle rule would otherwise delete held mail), and releasing the hold on a
 * closed request marks it again, restarting the clock there. Held mail that staff discard
 * belongs to no request; its raw object is marked when it is discarded.
 *
 * The lifecycle rule is the backstop for raw mail; disposal (./disposal.ts) deletes it
 * with every other copy of a closed request once its retention period has passed.
 */
import type { AuditEvent } from '../workflow/audit.ts';
import { closedStages } from '../workflow/stages.ts';

/** The object tag the lifecycle rule filters on. */
export const retentionTag = { key: 'postroom-retention', closed: 'closed', open: 'open' } as const;

export type RetentionState = 'open' | 'closed';

export interface ObjectRef {
  bucket: string;
  key: string;
}

const isClosed = (stage: string | null) =>
  stage !== null && (closedStages as readonly string[]).includes(stage);

/** What an audit event means for its request's raw mail, if anything. */
export function retentionAfter(event: Pick<AuditEvent, 'from' | 'to'>): RetentionState | undefined {
  if (isClosed(event.to)) return 'closed';
  if (isClosed(event.from)) return 'open';
  return undefined;
}

export interface RetentionPorts {
  /** The raw MIME objects of a request's inbound messages, and whether it is on legal hold. */
  rawMailOf(requestId: string): Promise<{ objects: ObjectRef[]; legalHold: boolean }>;
  /** The object's current mark; undefined when it has none (or has gone). */
  retentionOf(object: ObjectRef): Promise<RetentionState | undefined>;
  /** Marks the object; `closed` restarts its lifecycle clock. */
  mark(object: ObjectRef, state: RetentionState): Promise<void>;
}

/**
 * Marks a request's raw mail after a stage change. Objects already in the wanted state
 * are left alone, so a repeated delivery (or a comment on a closed request) changes
 * nothing and the clock keeps counting from the first closure. A request on legal hold
 * keeps its mail unmarked whatever the event: the hold is read as it stands now, so a
 * late delivery of an older event cannot undo a newer hold or release.
 */
export async function applyRetention(
  event: Pick<AuditEvent, 'requestId' | 'from' | 'to'>,
  ports: RetentionPorts,
): Promise<{ state: RetentionState; marked: string[]; unchanged: number } | undefined> {
  const after = retentionAfter(event);
  if (!after) return undefined;
  const { objects, legalHold } = await ports.rawMailOf(event.requestId);
  const state: RetentionState = legalHold ? 'open' : after;
  const marked: string[] = [];
  let unchanged = 0;
  for (const object of objects) {
    const current = await ports.retentionOf(object);
    // Open mail with no mark at all is already open: nothing to undo.
    if (current === state || (state === 'open' && current === undefined)) {
      unchanged += 1;
      continue;
    }
    await ports.mark(object, state);
    marked.push(object.key);
  }
  return { state, marked, unchanged };
}

/**
 * Marks a discarded held message's raw object, as a closed request's would be. Discarding
 * is final (held mail cannot be un-discarded), so there is no reopening; an object already
 * marked is left alone, so a repeated delivery does not restart the clock.
 */
export async function applyDiscardRetention(
  raw: ObjectRef,
  ports: Pick<RetentionPorts, 'retentionOf' | 'mark'>,
): Promise<{ state: 'closed'; marked: string[]; unchanged: number }> {
  if ((await ports.retentionOf(raw)) === 'closed')
    return { state: 'closed', marked: [], unchanged: 1 };
  await ports.mark(raw, 'closed');
  return { state: 'closed', marked: [raw.key], unchanged: 0 };
}

/** What retention acts on: a request closing or reopening, or held mail discarded. */
export type RetentionChange =
  | { event: Pick<AuditEvent, 'requestId' | 'seq' | 'from' | 'to'> }
  | { discarded: { heldId: string; raw: ObjectRef } };

/** Which request or held message a change is about, for the logs. */
export const retentionSubject = (change: RetentionChange) =>
  'discarded' in change
    ? { heldId: change.discarded.heldId }
    : { requestId: change.event.requestId, seq: change.event.seq };

export function applyRetentionChange(change: RetentionChange, ports: RetentionPorts) {
  return 'discarded' in change
    ? applyDiscardRetention(change.discarded.raw, ports)
    : applyRetention(change.event, ports);
}
