import type { DisposalRecord } from '../retention/disposal.ts';

/** What the staff API reads of disposals: records that outlive the requests they describe. */
export interface DisposalListPorts {
  listDisposals(
    limit: number,
    nextToken?: string,
  ): Promise<{ items: DisposalRecord[]; nextToken?: string }>;
  disposalOf(requestId: string): Promise<DisposalRecord | undefined>;
}

/** Disposals newest first, as staff list them to account for requests that are gone. */
export async function listDisposals(
  query: { limit: number; nextToken?: string },
  ports: DisposalListPorts,
) {
  const page = await ports.listDisposals(query.limit, query.nextToken);
  return {
    // The view keeps only the record's declared fields (no table keys).
    items: page.items.map((record) => ({ ...record, publication: record.publication ?? null })),
    nextToken: page.nextToken ?? null,
  };
}
