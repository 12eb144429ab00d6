import { createHash } from 'node:crypto';

/**
 * Audit events are append-only and hash-chained: each stores the hash of the one before,
 * so rewriting or removing any event breaks every hash after it. A chain belongs to one
 * record: a request's chain holds everything done to the request; held mail has a short
 * chain of its own (held, then the one decision staff or intake took on it), because a
 * discarded message joins no request whose chain could record it.
 */
interface ChainedEvent {
  /** 1, 2, 3…: an event's place in its chain, so a chain of n events ends at seq n. */
  seq: number;
  action: string;
  actor: string;
  at: string;
  from: string | null;
  to: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditEvent extends ChainedEvent {
  requestId: string;
}

/** A step in held mail's own chain: held by intake, then attached, opened, discarded or refiled. */
export interface HeldMailEvent extends ChainedEvent {
  heldId: string;
}

export type ChainEvent = AuditEvent | HeldMailEvent;

export type UnsealedEvent = Omit<AuditEvent, 'prevHash' | 'hash'>;
export type UnsealedHeldMailEvent = Omit<HeldMailEvent, 'prevHash' | 'hash'>;

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so the same event always hashes alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Only the audit fields are hashed, so storage attributes (keys, index fields) never count.
 * A request event hashes exactly the fields it always has, so chains written before held
 * mail had chains still verify.
 */
function hashOf(event: UnsealedEvent | UnsealedHeldMailEvent, prevHash: string): string {
  const { seq, action, actor, at, from, to, details } = event;
  const owner = 'heldId' in event ? { heldId: event.heldId } : { requestId: event.requestId };
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ ...owner, seq, action, actor, at, from, to, details }))
    .digest('hex');
}

export function sealEvent(event: UnsealedEvent, prevHash: string): AuditEvent {
  return { ...event, prevHash, hash: hashOf(event, prevHash) };
}

export function sealHeldMailEvent(event: UnsealedHeldMailEvent, prevHash: string): HeldMailEvent {
  return { ...event, prevHash, hash: hashOf(event, prevHash) };
}

/** The seq of the first event whose chain is broken, or undefined when all are intact. */
export function findBrokenLink(events: readonly ChainEvent[]): number | undefined {
  let prevHash = GENESIS_HASH;
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    if (linkFault(event, prevHash)) return event.seq;
    prevHash = event.hash;
  }
  return undefined;
}

/** Why an event does not continue the chain from `prevHash`, if it does not. */
function linkFault(event: ChainEvent, prevHash: string): string | undefined {
  if (event.prevHash !== prevHash)
    return `event ${event.seq} does not follow the event before it (the hash it records for that event differs): the chain was cut or reordered here`;
  if (hashOf(event, prevHash) !== event.hash)
    return `event ${event.seq} was altered after it was written: its contents no longer match its hash`;
  return undefined;
}

/**
 * Where a chain ends, as its record (the request or held item) states it, updated in the
 * same transaction as every event appended: how many events, and the newest one's hash.
 * The events alone cannot show that their newest were deleted; the head can.
 */
export interface ChainHead {
  count: number;
  hash: string;
}

/** The head a stored request or held item records, or undefined when it records none. */
export function headOf(record: { eventSeq?: unknown; lastHash?: unknown }): ChainHead | undefined {
  return typeof record.eventSeq === 'number' && typeof record.lastHash === 'string'
    ? { count: record.eventSeq, hash: record.lastHash }
    : undefined;
}

export interface ChainVerification {
  intact: boolean;
  /** How many events are stored, and the hash of the newest (GENESIS_HASH for none). */
  count: number;
  head: string;
  /** The seq where the chain first fails to hold. */
  brokenAt?: number;
  /** Why it is broken; or, for an intact chain with no head to check against, that it is unanchored. */
  reason?: string;
}

export const UNANCHORED =
  'unanchored: the record holds no chain head, so only the links between its events were checked (the removal of its newest events would not show)';

/**
 * Verifies a chain as stored: `events` in storage order (by sort key), which must run 1, 2,
 * 3… with each event hashing to what it records and pointing at the one before, and end
 * where the record's head says (so a missing tail is a break, not a shorter chain). A
 * record without a head (written before heads were kept) is verified by its links alone,
 * and `reason` says it is unanchored.
 */
export function verifyChain(
  events: readonly ChainEvent[],
  recorded: ChainHead | undefined,
): ChainVerification {
  const count = events.length;
  const head = events.at(-1)?.hash ?? GENESIS_HASH;
  const broken = (brokenAt: number, reason: string): ChainVerification => ({
    intact: false,
    count,
    head,
    brokenAt,
    reason,
  });
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const position = index + 1;
    if (event.seq !== position)
      return broken(
        position,
        `events are missing or out of order: event ${event.seq} is stored where event ${position} belongs`,
      );
    const fault = linkFault(event, prevHash);
    if (fault) return broken(position, fault);
    prevHash = event.hash;
  }
  if (!recorded) return { intact: true, count, head, reason: UNANCHORED };
  if (count < recorded.count)
    return broken(
      count + 1,
      `the newest events were removed: the record's head says ${recorded.count} events, but only ${count} are stored`,
    );
  if (count > recorded.count)
    return broken(
      recorded.count + 1,
      `event ${recorded.count + 1} is past the record's head (${recorded.count} events): it was added outside postroom`,
    );
  if (head !== recorded.hash)
    return broken(
      count,
      `the newest event is not the one the record's head names: its hash differs from ${recorded.hash}`,
    );
  return { intact: true, count, head };
}
