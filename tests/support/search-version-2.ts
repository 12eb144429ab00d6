import MiniSearch from 'minisearch';
import type { SearchFieldsFile, SearchShardFile } from '../../shared/search/staff-index.ts';
import { processTerm, tokenize } from '../../shared/search/text.ts';

/**
 * The same index as version 2 stored it, made from version 3's objects: the fields index
 * whole in the fields object (from the entries, which hold every field indexed, in id
 * order), and each shard's text alone as its `index`.
 */
export function asVersion2(objects: { fields: string; shards: Record<string, string> }) {
  const file = JSON.parse(objects.fields) as SearchFieldsFile;
  const whole = new MiniSearch({
    fields: ['reference', 'subject', 'sender', 'organisation'],
    storeFields: [],
    tokenize,
    processTerm,
  });
  whole.addAll(
    Object.entries(file.entries)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, entry]) => ({
        id,
        reference: entry.reference,
        subject: entry.subject,
        sender: [entry.senderName, entry.senderAddress ?? ''].join(' '),
        organisation: entry.organisation ?? '',
      })),
  );
  const shards = Object.fromEntries(
    Object.entries(objects.shards).map(([name, body]) => {
      const shard = JSON.parse(body) as SearchShardFile;
      if (shard.version !== 3) throw new Error(`shard ${name} is not version 3`);
      return [name, JSON.stringify({ version: 2, shard: shard.shard, index: shard.text })];
    }),
  );
  return {
    fields: JSON.stringify({
      version: 2,
      updatedAt: file.updatedAt,
      entries: file.entries,
      index: whole,
    }),
    shards,
  };
}
