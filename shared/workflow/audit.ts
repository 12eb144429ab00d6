import { createHash } from 'node:crypto';

/**
 * Audit events are append-only and hash-chained: each stores the hash of the one before,
 * so rewriting or removing any event breaks every hash after it.
 */
export interface AuditEvent {
  requestId: string;
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

export type UnsealedEvent = Omit<AuditEvent, 'prevHash' | 'hash'>;

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

/** Only the audit fields are hashed, so storage attributes (keys, index fields) never count. */
function hashOf(event: UnsealedEvent, prevHash: string): string {
  const { requestId, seq, action, actor, at, from, to, details } = event;
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ requestId, seq, action, actor, at, from, to, details }))
    .digest('hex');
}

export function sealEvent(event: UnsealedEvent, prevHash: string): AuditEvent {
  return { ...event, prevHash, hash: hashOf(event, prevHash) };
}

/** The seq of the first event whose chain is broken, or undefined when all are intact. */
export function findBrokenLink(events: readonly AuditEvent[]): number | undefined {
  let prevHash = GENESIS_HASH;
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    if (event.prevHash !== prevHash || hashOf(event, prevHash) !== event.hash) return event.seq;
    prevHash = event.hash;
  }
  return undefined;
}
