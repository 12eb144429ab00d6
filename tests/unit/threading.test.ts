import { describe, expect, it } from 'vitest';
import { findThread, type ThreadLookups } from '../../shared/mail/threading.ts';

/** An in-memory stand-in for the table: references and Message-IDs to request names. */
function lookups(references: Record<string, string>, messageIds: Record<string, string>) {
  const asked: string[][] = [];
  const table: ThreadLookups<string> = {
    byReference: async (reference) => references[reference],
    byMessageIds: async (ids) => {
      asked.push([...ids]);
      for (const messageId of ids) {
        const request = messageIds[messageId];
        if (request) return { request, messageId };
      }
      return undefined;
    },
  };
  return { table, asked };
}

const letter = (subject: string, inReplyTo: string[] = [], references: string[] = []) => ({
  subject,
  inReplyTo,
  references,
});

describe('findThread', () => {
  it('prefers the subject token to any Message-ID', async () => {
    const { table } = lookups({ 'REQ-2026-0007': 'seven' }, { '<a@x>': 'other' });
    expect(await findThread(letter('Re: [REQ-2026-0007] Meeting', ['<a@x>']), table)).toEqual({
      request: 'seven',
      matchedBy: 'subject reference REQ-2026-0007',
    });
  });

  it('falls back to Message-IDs when the token names no known request', async () => {
    const { table } = lookups({}, { '<a@x>': 'first' });
    expect(await findThread(letter('Re: [REQ-2026-0999] Meeting', ['<a@x>']), table)).toEqual({
      request: 'first',
      matchedBy: 'Message-ID <a@x>',
    });
  });

  it('asks for In-Reply-To first, then References newest first', async () => {
    const { table, asked } = lookups({}, { '<old@x>': 'old', '<new@x>': 'new' });
    const found = await findThread(
      letter('Re: hello', ['<parent@x>'], ['<old@x>', '<new@x>']),
      table,
    );
    expect(asked).toEqual([['<parent@x>', '<new@x>', '<old@x>']]);
    expect(found?.request).toBe('new');
  });

  it('finds nothing for a letter with no token and no ids, without asking the table', async () => {
    const { table, asked } = lookups({}, {});
    expect(await findThread(letter('A new letter'), table)).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('finds nothing when no id is known', async () => {
    const { table } = lookups({}, {});
    expect(await findThread(letter('Re: x', ['<unknown@x>']), table)).toBeUndefined();
  });
});
