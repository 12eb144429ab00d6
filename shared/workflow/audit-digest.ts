import * as z from '../zod.ts';
import {
  type ChainEvent,
  type ChainHead,
  type ChainVerification,
  GENESIS_HASH,
  verifyChain,
} from './audit.ts';

/**
 * The daily audit digest: the head of every chain (request and held mail) as it stood
 * when the sweep published it to the public site, at `audit/<yyyy-mm-dd>.json`. Once a
 * digest is public, whoever can write to the table can no longer quietly rewrite the
 * history it covers: a chain must still hold at least the events a digest counted, and
 * its event at that count must still have the hash the digest recorded.
 *
 * A digest carries ids, counts and hashes only: the ids are derived from S3 object keys,
 * and a hash reveals nothing of what it hashes, so no name, address or subject goes out.
 */

export const AUDIT_DIGEST_PREFIX = 'audit/';

/** Where the digest of one office day is published. */
export const auditDigestKey = (day: string) => `${AUDIT_DIGEST_PREFIX}${day}.json`;

export type ChainKind = 'request' | 'held mail';

const chainHeadEntry = z.object({
  id: z.string().check(z.minLength(1)),
  count: z.number().check(z.int(), z.gte(0)),
  head: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash, in hex')),
});
export type ChainHeadEntry = z.infer<typeof chainHeadEntry>;

export const auditDigestSchema = z.object({
  date: z.iso.date(),
  about: z.string(),
  requests: z.array(chainHeadEntry),
  heldMail: z.array(chainHeadEntry),
});
export type AuditDigest = z.infer<typeof auditDigestSchema>;

const ABOUT =
  'The head of every audit chain postroom kept on this day: for each request and each held message, how many events its chain held and the SHA-256 hash of the newest. A chain that later holds fewer events, or a different event at that count, was rewritten after this day.';

/** The digest's bytes: entries sorted by id, so the same heads always give the same file. */
export function renderAuditDigest(
  day: string,
  heads: { requests: readonly ChainHeadEntry[]; heldMail: readonly ChainHeadEntry[] },
): string {
  const sorted = (entries: readonly ChainHeadEntry[]) =>
    [...entries]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ id, count, head }) => ({ id, count, head }));
  const digest: AuditDigest = {
    date: day,
    about: ABOUT,
    requests: sorted(heads.requests),
    heldMail: sorted(heads.heldMail),
  };
  return `${JSON.stringify(digest, null, 2)}\n`;
}

/** A published digest read back; throws naming what is wrong with it. */
export function parseAuditDigest(key: string, text: string): AuditDigest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${key} is not JSON: ${(error as Error).message}`);
  }
  const parsed = auditDigestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${key} is not an audit digest: ${issue?.path.join('.')} ${issue?.message}`);
  }
  if (key !== auditDigestKey(parsed.data.date))
    throw new Error(`${key} says it is the digest of ${parsed.data.date}`);
  return parsed.data;
}

/**
 * The first published digest this chain no longer agrees with: it holds fewer events
 * than the digest counted, or a different event at that count. `events` must already
 * verify as a chain (verifyChain), so event n sits at position n.
 */
export function checkAgainstDigests(
  kind: ChainKind,
  id: string,
  events: readonly ChainEvent[],
  digests: readonly AuditDigest[],
): { brokenAt: number; reason: string } | undefined {
  for (const digest of [...digests].sort((a, b) => a.date.localeCompare(b.date))) {
    const entry = (kind === 'request' ? digest.requests : digest.heldMail).find(
      (candidate) => candidate.id === id,
    );
    if (!entry || entry.count === 0) continue;
    const rewritten = `history rewritten after ${digest.date}`;
    if (events.length < entry.count)
      return {
        brokenAt: events.length + 1,
        reason: `${rewritten}: that day's digest counted ${entry.count} events, but only ${events.length} are stored`,
      };
    if (events[entry.count - 1]?.hash !== entry.head)
      return {
        brokenAt: entry.count,
        reason: `${rewritten}: the chain up to event ${entry.count} is not the one that day's digest recorded (it ended in ${entry.head})`,
      };
  }
  return undefined;
}

/** One chain as the table holds it: its record's head (if any) and its events in key order. */
export interface StoredChain {
  kind: ChainKind;
  id: string;
  /** What staff call it (a request's reference); nothing personal. */
  label?: string;
  /** False when events remain but the request or held item they belong to is gone. */
  recordFound: boolean;
  head?: ChainHead;
  events: ChainEvent[];
}

export interface ChainReport {
  kind: ChainKind;
  id: string;
  label?: string;
  verification: ChainVerification;
}

/**
 * Verifies every stored chain: its own links and head (verifyChain), then against every
 * published digest. A chain a digest counted that is no longer stored at all is reported
 * too, as rewritten history.
 */
export function verifyStoredChains(
  chains: readonly StoredChain[],
  digests: readonly AuditDigest[],
): ChainReport[] {
  const stored = new Map(chains.map((chain) => [`${chain.kind}:${chain.id}`, chain]));
  const vanished: StoredChain[] = [];
  for (const digest of digests) {
    for (const [kind, entries] of [
      ['request', digest.requests],
      ['held mail', digest.heldMail],
    ] as const) {
      for (const entry of entries) {
        const key = `${kind}:${entry.id}`;
        if (stored.has(key)) continue;
        const gone: StoredChain = { kind, id: entry.id, recordFound: false, events: [] };
        stored.set(key, gone);
        vanished.push(gone);
      }
    }
  }
  return [...chains, ...vanished].map((chain) => {
    const { kind, id, label } = chain;
    const report = (verification: ChainVerification): ChainReport => ({
      kind,
      id,
      ...(label ? { label } : {}),
      verification,
    });
    if (!chain.recordFound && chain.events.length > 0) {
      return report({
        intact: false,
        count: chain.events.length,
        head: chain.events.at(-1)?.hash ?? GENESIS_HASH,
        brokenAt: 1,
        reason: `the ${kind} record is gone, but ${chain.events.length} of its events remain`,
      });
    }
    const verification = verifyChain(chain.events, chain.head);
    if (!verification.intact) return report(verification);
    const rewritten = checkAgainstDigests(kind, id, chain.events, digests);
    return report(rewritten ? { ...verification, intact: false, ...rewritten } : verification);
  });
}
