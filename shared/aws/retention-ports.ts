import { type RetentionPorts, type RetentionState, retentionTag } from '../retention/raw-mail.ts';
import { readTags, restampObject, writeTags } from './documents.ts';
import { requestQueries } from './request-queries.ts';

/** Retention's ports: the request's inbound messages, and tags on their raw objects. */
export function retentionPorts(tableName: string): RetentionPorts {
  const queries = requestQueries(tableName);
  return {
    async rawMailOf(requestId) {
      const detail = await queries.detail(requestId);
      if (!detail) throw new Error(`request ${requestId} not found`);
      return detail.messages.flatMap((message) =>
        message.direction === 'inbound' && message.raw ? [message.raw] : [],
      );
    },
    async retentionOf(object) {
      const tags = await readTags(object);
      const value = tags?.[retentionTag.key];
      return value === retentionTag.closed || value === retentionTag.open
        ? (value as RetentionState)
        : undefined;
    },
    async mark(object, state) {
      if (state === 'closed') {
        await restampObject(object, { 'closed-at': new Date().toISOString() });
      }
      await writeTags(object, { [retentionTag.key]: retentionTag[state] });
    },
  };
}
