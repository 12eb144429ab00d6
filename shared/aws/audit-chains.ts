import {
  GetCommand,
  QueryCommand,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type ChainEvent, headOf } from '../workflow/audit.ts';
import {
  AUDIT_DIGEST_PREFIX,
  type AuditDigest,
  type ChainHeadEntry,
  type ChainKind,
  type ChainReport,
  parseAuditDigest,
  type StoredChain,
  verifyStoredChains,
} from '../workflow/audit-digest.ts';
import { dynamo } from './clients.ts';
import { listKeys, readObject } from './documents.ts';
import { EVENT_PREFIX, keys } from './keys.ts';

/** The partition prefix and record sort key of each kind of chain (see keys.ts). */
const chainKinds: Record<ChainKind, { prefix: string; record: string }> = {
  request: { prefix: 'REQ#', record: keys.request('').SK },
  'held mail': { prefix: 'HELD#', record: keys.held('').SK },
};

const kindOf = (partition: string): ChainKind | undefined =>
  (Object.keys(chainKinds) as ChainKind[]).find((kind) =>
    partition.startsWith(chainKinds[kind].prefix),
  );

/** An event as the domain sees it: no keys, no item type. */
const eventOf = (item: Record<string, unknown>): ChainEvent => {
  const { PK: _pk, SK: _sk, type: _type, ...event } = item;
  return event as unknown as ChainEvent;
};

/** Only what verification reads, named through placeholders (`from`, `to`, `at` are reserved). */
const chainAttributes = [
  'PK',
  'SK',
  'reference',
  'eventSeq',
  'lastHash',
  'requestId',
  'heldId',
  'seq',
  'action',
  'actor',
  'at',
  'from',
  'to',
  'details',
  'prevHash',
  'hash',
];
const projection = (attributes: readonly string[]) => ({
  ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(
    attributes.map((name, index) => [`#a${index}`, name]),
  ),
});

/**
 * Reads audit chains for verification and for the daily digest: one chain consistently,
 * or every chain in the table.
 */
export function auditChains(tableName: string) {
  const scanAll = async (input: Omit<ScanCommandInput, 'TableName'>) => {
    const found: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new ScanCommand({ ...input, TableName: tableName, ExclusiveStartKey: start }),
      );
      found.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  };

  const readRecord = async (kind: ChainKind, id: string) =>
    (
      await dynamo.send(
        new GetCommand({
          TableName: tableName,
          Key: { PK: `${chainKinds[kind].prefix}${id}`, SK: chainKinds[kind].record },
          ConsistentRead: true,
        }),
      )
    ).Item;

  const readEvents = async (kind: ChainKind, id: string): Promise<ChainEvent[]> => {
    const events: ChainEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :events)',
          ExpressionAttributeValues: {
            ':pk': `${chainKinds[kind].prefix}${id}`,
            ':events': EVENT_PREFIX,
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      events.push(...(page.Items ?? []).map(eventOf));
      start = page.LastEvaluatedKey;
    } while (start);
    return events;
  };

  /**
   * One chain as of one moment. Reading the head and the events are two reads, and an
   * event appended between them would look like a broken chain; appends always move the
   * head, so a head that reads the same before and after the events brackets a snapshot.
   */
  const readChain = async (kind: ChainKind, id: string): Promise<StoredChain | undefined> => {
    let before = await readRecord(kind, id);
    for (let attempt = 0; ; attempt += 1) {
      const events = await readEvents(kind, id);
      const after = await readRecord(kind, id);
      if (!after && events.length === 0) return undefined;
      if (attempt < 5 && after?.eventSeq !== before?.eventSeq) {
        before = after;
        continue;
      }
      return {
        kind,
        id,
        ...(typeof after?.reference === 'string' ? { label: after.reference } : {}),
        recordFound: Boolean(after),
        head: after ? headOf(after) : undefined,
        events,
      };
    }
  };

  return {
    readChain,

    /**
     * Every chain in the table, from one Scan: an offline check, so it reads everything
     * rather than trusting the stage index to list every request. A Scan is no snapshot,
     * so a chain it finds broken is read again on its own (readChain) before it counts.
     */
    async allChains(): Promise<StoredChain[]> {
      const items = await scanAll({
        FilterExpression: 'SK IN (:request, :held) OR begins_with(SK, :events)',
        ExpressionAttributeValues: {
          ':request': chainKinds.request.record,
          ':held': chainKinds['held mail'].record,
          ':events': EVENT_PREFIX,
        },
        ...projection(chainAttributes),
      });
      const chains = new Map<string, StoredChain & { keyed: Array<[string, ChainEvent]> }>();
      for (const item of items) {
        const partition = String(item.PK);
        const kind = kindOf(partition);
        if (!kind) continue;
        const id = partition.slice(chainKinds[kind].prefix.length);
        const chain = chains.get(partition) ?? {
          kind,
          id,
          recordFound: false,
          events: [],
          keyed: [],
        };
        chains.set(partition, chain);
        if (item.SK === chainKinds[kind].record) {
          chain.recordFound = true;
          chain.head = headOf(item);
          if (typeof item.reference === 'string') chain.label = item.reference;
        } else {
          chain.keyed.push([String(item.SK), eventOf(item)]);
        }
      }
      return [...chains.values()].map(({ keyed, ...chain }) => ({
        ...chain,
        // Key order is storage order: an event moved to another key shows as out of order.
        events: keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, event]) => event),
      }));
    },

    /** The head every request and held item records, for the daily digest. */
    async chainHeads(): Promise<{ requests: ChainHeadEntry[]; heldMail: ChainHeadEntry[] }> {
      const items = await scanAll({
        FilterExpression: 'SK IN (:request, :held)',
        ExpressionAttributeValues: {
          ':request': chainKinds.request.record,
          ':held': chainKinds['held mail'].record,
        },
        ...projection(['PK', 'SK', 'eventSeq', 'lastHash']),
      });
      const heads = { requests: [] as ChainHeadEntry[], heldMail: [] as ChainHeadEntry[] };
      for (const item of items) {
        const kind = kindOf(String(item.PK));
        const head = headOf(item);
        // Held mail from before held mail had chains has no head until it is resolved.
        if (!kind || !head) continue;
        const id = String(item.PK).slice(chainKinds[kind].prefix.length);
        (kind === 'request' ? heads.requests : heads.heldMail).push({
          id,
          count: head.count,
          head: head.hash,
        });
      }
      return heads;
    },
  };
}

export type AuditChains = ReturnType<typeof auditChains>;

/** The audit digests published to the public bucket, and those that could not be read. */
export async function publishedDigests(
  bucket: string,
): Promise<{ digests: AuditDigest[]; problems: Array<{ key: string; problem: string }> }> {
  const digests: AuditDigest[] = [];
  const problems: Array<{ key: string; problem: string }> = [];
  for (const key of await listKeys(bucket, AUDIT_DIGEST_PREFIX)) {
    try {
      const text = new TextDecoder().decode(await readObject({ bucket, key }));
      digests.push(parseAuditDigest(key, text));
    } catch (error) {
      problems.push({ key, problem: (error as Error).message });
    }
  }
  return { digests, problems };
}

export interface AuditCheck {
  reports: ChainReport[];
  /** The published digests every chain was checked against, oldest first. */
  digestDates: string[];
  /** Objects under audit/ that are not readable digests: themselves a finding. */
  digestProblems: Array<{ key: string; problem: string }>;
}

/**
 * Verifies every chain in the table, and (given the public bucket) against every digest
 * published there. A chain the Scan shows broken is read again on its own before it is
 * reported, so one written to while the Scan ran is not mistaken for a rewritten one.
 */
export async function checkAuditRecords(names: {
  table: string;
  publicBucket?: string;
}): Promise<AuditCheck> {
  const chains = auditChains(names.table);
  const [stored, published] = await Promise.all([
    chains.allChains(),
    names.publicBucket
      ? publishedDigests(names.publicBucket)
      : { digests: [] as AuditDigest[], problems: [] },
  ]);
  const reports: ChainReport[] = [];
  for (const report of verifyStoredChains(stored, published.digests)) {
    if (report.verification.intact) {
      reports.push(report);
      continue;
    }
    const again = await chains.readChain(report.kind, report.id);
    const [settled] = verifyStoredChains(
      [again ?? { kind: report.kind, id: report.id, recordFound: false, events: [] }],
      published.digests,
    ).filter((candidate) => candidate.kind === report.kind && candidate.id === report.id);
    reports.push(settled ?? report);
  }
  return {
    reports,
    digestDates: published.digests.map((digest) => digest.date).sort(),
    digestProblems: published.problems,
  };
}
