import { describe, expect, it } from 'vitest';
import {
  StaffSearchIndex,
  searchDocumentOf,
  searchRequests,
} from '../../shared/search/staff-index.ts';
import { passageOf, processTerm, tokenize } from '../../shared/search/text.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import { passageParts } from '../../web/src/passage.ts';

const request = (n: number, fields: Partial<RequestRecord> = {}): RequestRecord =>
  ({
    id: `r${String(n).padStart(4, '0')}`,
    reference: `REQ-2026-${String(n).padStart(5, '0')}`,
    stage: 'received',
    subject: `Request ${n}`,
    sender: { name: `Writer ${n}`, address: `writer${n}@org.example` },
    receivedAt: '2026-11-30T09:00:00Z',
    eventSeq: 1,
    ...fields,
  }) as RequestRecord;

describe('search terms', () => {
  it('keeps a reference and an address whole, with their parts', () => {
    expect(tokenize('See REQ-2026-00042 or h.marsh@lumencam.example.')).toEqual([
      'See',
      'REQ-2026-00042',
      'REQ',
      '2026',
      '00042',
      'or',
      'h.marsh@lumencam.example',
      'h',
      'marsh',
      'lumencam',
      'example',
    ]);
    expect(processTerm('The')).toBeNull();
    expect(processTerm('Quillwort')).toBe('quillwort');
  });

  it('cuts a passage around the first match, at word boundaries', () => {
    const text = `${'word '.repeat(80)}the quillwort survey ${'more '.repeat(80)}`;
    const passage = passageOf(text, ['quillwort']);
    expect(passage).toContain('quillwort survey');
    expect(passage.startsWith('… ')).toBe(true);
    expect(passage.endsWith(' …')).toBe(true);
  });

  it('marks the matched words as text, a reference’s hyphens and all', () => {
    expect(passageParts('About REQ-2026-00042, <b>bold</b>', ['req-2026-00042'])).toEqual([
      { text: 'About ', marked: false },
      { text: 'REQ-2026-00042', marked: true },
      { text: ', <b>bold</b>', marked: false },
    ]);
  });
});

describe('the staff index', () => {
  const made = [1, 2, 3].map((n) =>
    searchDocumentOf(request(n), {
      letters: [n === 2 ? 'We write about REQ-2026-00001 and ferries.' : 'About ferries.'],
      attachments: n === 3 ? ['A quillwort survey.'] : [],
    }),
  );

  it('ranks the request whose reference was asked first, even when another names it', () => {
    const found = searchRequests(StaffSearchIndex.of(made), 'REQ-2026-00001', {
      offset: 0,
      limit: 10,
    });
    expect(found.hits[0]?.id).toBe('r0001');
  });

  it('finds attachment text, and answers the same whatever order requests were added in', async () => {
    const forward = StaffSearchIndex.of(made);
    const backward = StaffSearchIndex.empty();
    for (const { document, entry } of [...made].reverse()) backward.put(document, entry);
    for (const q of ['quillwort', 'ferries', 'writer2@org.example'])
      expect(searchRequests(backward, q, { offset: 0, limit: 10 })).toEqual(
        searchRequests(forward, q, { offset: 0, limit: 10 }),
      );
    expect(
      searchRequests(forward, 'quillwort', { offset: 0, limit: 10 }).hits.map((h) => h.id),
    ).toEqual(['r0003']);
    // Put again unchanged: nothing to write.
    const [first] = made;
    if (first) expect(forward.put(first.document, first.entry)).toBe(false);
    expect(JSON.parse(await StaffSearchIndex.of(made).serialize(new Date(0)))).toEqual(
      JSON.parse(await forward.serialize(new Date(0))),
    );
  });
});
