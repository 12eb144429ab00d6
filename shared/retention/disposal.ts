/**
 * Disposal: what the retention policy does to a closed request once its period has passed.
 *
 * A request closes (declined, withdrawn, published) and `closedAt` is recorded with the
 * action that closed it. REQUEST_RETENTION_DAYS later, the daily disposal run deletes every
 * copy of its personal data: raw mail in the inbound bucket; parsed bodies, sanitised HTML,
 * attachments, note versions and the kept copies of mail sent, in the documents bucket;
 * and its records in the table (the request, audit events, messages, notification
 * records, threading pointers, filing records, and held mail it was filed from).
 *
 * What is not deleted:
 * - a request on legal hold keeps everything, however long ago it closed;
 * - a published request keeps what was published: the public site is not touched, and
 *   the attachments staff cleared for publication stay in the documents bucket. The note
 *   versions stay private copies (unredacted), so they go with the rest;
 * - every disposal leaves a record (DisposalRecord) saying what kinds of thing went and
 *   how many, when and under which rule, with the minimum needed to account for a
 *   publication (reference, dates, page URL) and the head of the audit chain as it ended,
 *   so a restored backup can be checked against it. It holds no personal data: no names,
 *   addresses or subjects, and no object keys (attachment keys carry file names), only a
 *   digest of them.
 *
 * A disposal runs in an order that a crash or a second delivery of the schedule can
 * resume: claim the request (from then on no action lands on it, so a hold set a moment
 * later is refused rather than ignored), write the record (only the first write counts),
 * delete objects, delete records, the request itself last. Until the request is gone the
 * next run finds it again and carries on; once it is gone, a run finds nothing to do.
 */
import { createHash } from 'node:crypto';
import { officeDate } from '../dates.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { MessageRecord, RequestRecord } from '../workflow/records.ts';
import { closedStages, type Stage } from '../workflow/stages.ts';
import type { ObjectRef } from './raw-mail.ts';

export interface DisposalRules {
  /** REQUEST_RETENTION_DAYS: how long a closed request is kept, counted from its closing. */
  retentionDays: number;
  /** The office's clock, which the stage index's days are on. */
  timeZone: string;
}

/** Who disposals are recorded as. */
export const DISPOSER = 'system:retention';

const DAY_MS = 86_400_000;

const isClosed = (stage: string | null | undefined) =>
  stage !== null && stage !== undefined && (closedStages as readonly string[]).includes(stage);

/**
 * When a request closed: as recorded on it, or for requests closed before that was
 * recorded, the last move from an open stage to a closed one in its audit trail.
 */
export function closedAtOf(
  request: Pick<RequestRecord, 'stage' | 'closedAt'>,
  events: readonly Pick<AuditEvent, 'seq' | 'at' | 'from' | 'to'>[] = [],
): string | undefined {
  if (!isClosed(request.stage)) return undefined;
  if (request.closedAt) return request.closedAt;
  let closedAt: string | undefined;
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    if (!isClosed(event.to)) closedAt = undefined;
    else if (!isClosed(event.from)) closedAt = event.at;
  }
  return closedAt;
}

export type DisposalDecision =
  | { dispose: true; closedAt: string }
  | { dispose: false; reason: 'open' | 'legal-hold' | 'closing-unknown' }
  | { dispose: false; reason: 'within-period'; due: string };

/**
 * Whether a request is disposed of now. `closedAt` is closedAtOf the request (undefined
 * when only its trail could say). A disposal already under way is finished whatever the
 * clock says: it was decided, and claimed, when it started.
 */
export function decideDisposal(
  request: Pick<RequestRecord, 'stage' | 'legalHold' | 'disposing'>,
  closedAt: string | undefined,
  now: Date,
  rules: Pick<DisposalRules, 'retentionDays'>,
): DisposalDecision {
  // Claimed only when it was due; by the time its trail is gone, the record has its closing.
  if (request.disposing) return { dispose: true, closedAt: closedAt ?? request.disposing.since };
  if (!isClosed(request.stage)) return { dispose: false, reason: 'open' };
  if (request.legalHold) return { dispose: false, reason: 'legal-hold' };
  if (!closedAt) return { dispose: false, reason: 'closing-unknown' };
  const due = new Date(Date.parse(closedAt) + rules.retentionDays * DAY_MS);
  if (now.getTime() < due.getTime())
    return { dispose: false, reason: 'within-period', due: due.toISOString() };
  return { dispose: true, closedAt };
}

/**
 * The stage-index day before which closed requests may be due: a day later than the exact
 * cut-off, so a closing late in the office's day is not missed (decideDisposal is exact).
 */
export function candidatesBefore(now: Date, rules: DisposalRules): string {
  return officeDate(new Date(now.getTime() - (rules.retentionDays - 1) * DAY_MS), rules.timeZone);
}

/** Where a request's documents live in the documents bucket (README, "Storage"). */
export const requestDocumentsPrefix = (requestId: string) => `requests/${requestId}/`;

export type DocumentKind = 'bodies' | 'attachments' | 'noteVersions' | 'outboundMail' | 'other';

/** What a document of the request is, by where intake, notes and notify put it. */
export function documentKind(requestId: string, key: string): DocumentKind {
  const rest = key.slice(requestDocumentsPrefix(requestId).length);
  if (/^messages\/[^/]+\/body\./.test(rest)) return 'bodies';
  if (/^messages\/[^/]+\/attachments\//.test(rest)) return 'attachments';
  if (rest.startsWith('note/')) return 'noteVersions';
  if (rest.startsWith('outbound/')) return 'outboundMail';
  return 'other';
}

/** Everything postroom keeps for one request, as the disposal ports find it. */
export interface RequestInventory {
  request: RequestRecord;
  events: AuditEvent[];
  messages: MessageRecord[];
  /** The raw mail of its messages that is still in the inbound bucket. */
  rawMail: ObjectRef[];
  /** Every key under the request's prefix in the documents bucket. */
  documents: string[];
  /** How many of each other record the table holds for it. */
  records: {
    notificationClaims: number;
    failedNotifications: number;
    /** Message-ID pointers that lead to this request (threading; they hold the sender). */
    threadingPointers: number;
    /** Intake's filing records of its raw mail. */
    filings: number;
    /** Held mail its messages were attached or opened from (they hold sender and subject). */
    heldMail: number;
    /** Anything else in its partition, counted so nothing goes unrecorded. */
    other: number;
  };
}

/** How a publication is accounted for once the request behind it is gone. */
export interface PublicationAccount {
  pageUrl: string;
  firstPublishedAt: string;
  lastPublishedAt: string;
  /** The note version last published. */
  noteVersion: number;
  /** Republications after a correction. */
  corrections: number;
  /** When it was taken down, if it was; otherwise it is still on the public site. */
  takenDownAt?: string;
}

export interface DisposalRecord {
  requestId: string;
  reference: string;
  /** The closed stage it was disposed of in. */
  stage: Stage;
  receivedAt: string;
  closedAt: string;
  disposedAt: string;
  by: typeof DISPOSER;
  rule: {
    name: 'closed-request';
    periodDays: number;
    countedFrom: 'closing';
    /** publication: a published request keeps what was published. */
    keeps: 'publication' | 'nothing';
  };
  /** How many of each kind of copy were deleted. */
  disposed: {
    rawMail: number;
    bodies: number;
    attachments: number;
    noteVersions: number;
    outboundMail: number;
    otherDocuments: number;
    requestRecord: number;
    auditEvents: number;
    messages: number;
    notificationClaims: number;
    failedNotifications: number;
    threadingPointers: number;
    filings: number;
    heldMail: number;
    otherRecords: number;
  };
  kept: { publishedAttachments: number };
  publication?: PublicationAccount;
  /** Where the audit chain ended: its last event's seq and hash. */
  auditChainHead: { seq: number; hash: string };
  /** SHA-256 of the deleted objects' keys (bucket/key, sorted, one a line). */
  keysDigest: string;
}

/** The publication a request's audit trail records, if it was ever published. */
export function publicationOf(
  events: readonly Pick<AuditEvent, 'seq' | 'action' | 'at' | 'details'>[],
): PublicationAccount | undefined {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const published = ordered.filter((event) => event.action === 'publish');
  const first = published[0];
  const last = published.at(-1);
  if (!first || !last) return undefined;
  const takedown = ordered.filter((event) => event.action === 'takedown' && event.seq > last.seq);
  return {
    pageUrl: String(last.details.pageUrl ?? ''),
    firstPublishedAt: first.at,
    lastPublishedAt: last.at,
    noteVersion: Number(last.details.noteVersion ?? 0),
    corrections: published.length - 1,
    ...(takedown.length ? { takenDownAt: takedown.at(-1)?.at } : {}),
  };
}

export interface DisposalPlan {
  rawMail: ObjectRef[];
  /** Documents-bucket keys to delete. */
  documents: string[];
  /** Documents-bucket keys kept: what was published. */
  kept: string[];
  record: DisposalRecord;
}

/** What a disposal deletes and keeps, and the record it leaves. Pure. */
export function planDisposal(
  inventory: RequestInventory,
  closedAt: string,
  now: Date,
  rules: Pick<DisposalRules, 'retentionDays'>,
  documentsBucket: string,
): DisposalPlan {
  const { request, events, messages } = inventory;
  const published = request.stage === 'published';
  // Only what staff cleared was published beside the letter; the rest stayed private.
  const cleared = new Set(published ? (request.redactions?.clearedAttachments ?? []) : []);
  const kept = inventory.documents.filter((key) => cleared.has(key));
  const documents = inventory.documents.filter((key) => !cleared.has(key));
  const countOf = (kind: DocumentKind) =>
    documents.filter((key) => documentKind(request.id, key) === kind).length;
  const head = [...events].sort((a, b) => a.seq - b.seq).at(-1);
  const publication = publicationOf(events);
  const deletedKeys = [
    ...inventory.rawMail.map((object) => `${object.bucket}/${object.key}`),
    ...documents.map((key) => `${documentsBucket}/${key}`),
  ].sort();
  return {
    rawMail: inventory.rawMail,
    documents,
    kept,
    record: {
      requestId: request.id,
      reference: request.reference,
      stage: request.stage,
      receivedAt: request.receivedAt,
      closedAt,
      disposedAt: now.toISOString(),
      by: DISPOSER,
      rule: {
        name: 'closed-request',
        periodDays: rules.retentionDays,
        countedFrom: 'closing',
        keeps: published ? 'publication' : 'nothing',
      },
      disposed: {
        rawMail: inventory.rawMail.length,
        bodies: countOf('bodies'),
        attachments: countOf('attachments'),
        noteVersions: countOf('noteVersions'),
        outboundMail: countOf('outboundMail'),
        otherDocuments: countOf('other'),
        requestRecord: 1,
        auditEvents: events.length,
        messages: messages.length,
        notificationClaims: inventory.records.notificationClaims,
        failedNotifications: inventory.records.failedNotifications,
        threadingPointers: inventory.records.threadingPointers,
        filings: inventory.records.filings,
        heldMail: inventory.records.heldMail,
        otherRecords: inventory.records.other,
      },
      kept: { publishedAttachments: kept.length },
      ...(publication ? { publication } : {}),
      auditChainHead: {
        seq: head?.seq ?? request.eventSeq,
        hash: head?.hash ?? request.lastHash,
      },
      keysDigest: createHash('sha256').update(deletedKeys.join('\n')).digest('hex'),
    },
  };
}

/** What disposal reads and writes; the AWS adapters supply it (shared/aws/disposal-ports.ts). */
export interface DisposalPorts {
  /** The documents bucket, named in the record's digest of deleted keys. */
  documentsBucket: string;
  /** Closed requests whose stage-index day is before `day` (YYYY-MM-DD). */
  closedBefore(day: string): Promise<RequestRecord[]>;
  /** Everything kept for the request; undefined once it is gone. */
  inventory(requestId: string): Promise<RequestInventory | undefined>;
  /**
   * Marks the request as being disposed of, if it is still at this version and not on
   * hold; false when it moved on (the next run decides again).
   */
  claim(request: RequestRecord, since: string): Promise<boolean>;
  /** Stores the record, unless a disposal of the request already stored one. */
  keepRecord(record: DisposalRecord): Promise<void>;
  deleteRawMail(objects: readonly ObjectRef[]): Promise<void>;
  deleteDocuments(keys: readonly string[]): Promise<void>;
  /**
   * Deletes every record the table holds for the request (pointers, filings and held
   * mail first, then its partition, the request itself last) and marks its reference as
   * disposed of, so the number is still accounted for.
   */
  deleteRecords(inventory: RequestInventory, disposedAt: string): Promise<void>;
}

export interface DisposalReport {
  /** References disposed of in this run. */
  disposed: string[];
  /** Past their period but on legal hold. */
  onHold: string[];
  /** Changed while being looked at (an action landed first): decided again next run. */
  changed: string[];
  /** Candidates not yet due. */
  notYet: number;
  /** Left for the next run because this one ran out of time. */
  leftForNextRun: number;
}

/**
 * One disposal run: finds closed requests past their period from the stage index and
 * disposes of each (see the top of this module). `stopBy` (ms since the epoch) leaves the
 * rest for the next run rather than be cut off by the function's timeout mid-request.
 */
export async function disposeClosedRequests(
  ports: DisposalPorts,
  rules: DisposalRules,
  now: Date,
  stopBy = Number.POSITIVE_INFINITY,
): Promise<DisposalReport> {
  const report: DisposalReport = {
    disposed: [],
    onHold: [],
    changed: [],
    notYet: 0,
    leftForNextRun: 0,
  };
  const candidates = await ports.closedBefore(candidatesBefore(now, rules));
  for (const [index, candidate] of candidates.entries()) {
    if (Date.now() >= stopBy) {
      report.leftForNextRun = candidates.length - index;
      break;
    }
    // The index copy answers most cases without reading the request's partition.
    const quick = decideDisposal(candidate, closedAtOf(candidate), now, rules);
    if (!quick.dispose && quick.reason !== 'closing-unknown') {
      tally(report, candidate.reference, quick);
      continue;
    }
    const outcome = await disposeOne(candidate.id, ports, rules, now);
    if (outcome === 'disposed') report.disposed.push(candidate.reference);
    else if (outcome === 'changed') report.changed.push(candidate.reference);
    else if (outcome !== 'gone') tally(report, candidate.reference, outcome);
  }
  return report;
}

function tally(report: DisposalReport, reference: string, decision: DisposalDecision): void {
  if (decision.dispose) return;
  if (decision.reason === 'legal-hold') report.onHold.push(reference);
  else report.notYet += 1;
}

/** Disposes of one request, or says why not. Safe to run again at any point. */
export async function disposeOne(
  requestId: string,
  ports: DisposalPorts,
  rules: DisposalRules,
  now: Date,
): Promise<'disposed' | 'changed' | 'gone' | DisposalDecision> {
  const inventory = await ports.inventory(requestId);
  if (!inventory) return 'gone';
  const { request } = inventory;
  const decision = decideDisposal(request, closedAtOf(request, inventory.events), now, rules);
  if (!decision.dispose) return decision;
  if (!request.disposing && !(await ports.claim(request, now.toISOString()))) return 'changed';
  const plan = planDisposal(inventory, decision.closedAt, now, rules, ports.documentsBucket);
  await ports.keepRecord(plan.record);
  await ports.deleteRawMail(plan.rawMail);
  await ports.deleteDocuments(plan.documents);
  await ports.deleteRecords(inventory, plan.record.disposedAt);
  return 'disposed';
}
