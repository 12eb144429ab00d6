import { officeDate } from '../dates.ts';
import {
  auditDigestKey,
  type ChainHeadEntry,
  renderAuditDigest,
} from '../workflow/audit-digest.ts';

/** What publishing the daily audit digest reads and writes. */
export interface AuditDigestPorts {
  /** The head every request and held item records (ids, counts, hashes: nothing else). */
  chainHeads(): Promise<{ requests: ChainHeadEntry[]; heldMail: ChainHeadEntry[] }>;
  /** Whether the public site has an object at this key. */
  isPublished(key: string): Promise<boolean>;
  /** Publishes an object unless one is there already; false when it was. */
  publishOnce(key: string, body: string, contentType: string): Promise<boolean>;
}

export interface AuditDigestReport {
  key: string;
  published: boolean;
  chains?: number;
}

/**
 * Anchors the audit chains once a day: the first sweep of each office day publishes the
 * head of every chain to the public site (see shared/workflow/audit-digest.ts), where
 * whoever can change the table cannot quietly change it too. A digest is never replaced:
 * a later run the same day finds it there and changes nothing, so the day's digest says
 * what the chains were when it first went out.
 */
export async function publishAuditDigest(
  ports: AuditDigestPorts,
  timeZone: string,
  now: Date,
): Promise<AuditDigestReport> {
  const day = officeDate(now, timeZone);
  const key = auditDigestKey(day);
  // Checked before the heads are read, which scans the table: most runs stop here.
  if (await ports.isPublished(key)) return { key, published: false };
  const heads = await ports.chainHeads();
  const published = await ports.publishOnce(key, renderAuditDigest(day, heads), 'application/json');
  return { key, published, chains: heads.requests.length + heads.heldMail.length };
}
