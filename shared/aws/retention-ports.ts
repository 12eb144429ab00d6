import { type RetentionPorts, type RetentionState, retentionTag } from '../retention/raw-mail.ts';
import { readTags, restampObject, writeTags } from './documents.ts';
import { requestQueries } from './request-queries.ts';

/** Retention's ports: the request's inbound messages and hold, and tags on their raw objects. */
export function retentionPorts(tableName: string): RetentionPorts {
  const queries = requestQueries(tableName);
  return {
    async rawMailOf(requestId) {
      const detail = await queries.detail(requestId);
      // Events are written with their request, so a request that is not there was disposed
      // of (shared/retention/disposal.ts), and its raw mail with it: nothing left to mark.
      if (!detail) return { objects: [], legalHold: false };
      return {
        objects: detail.messages.flatMap((message) =>
          message.direction === 'inbound' && message.raw ? [message.raw] : [],
        ),
        legalHold: Boolean(detail.request.legalHold),
      };
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
