import { describe, expect, it } from 'vitest';
import {
  combineTerms,
  type LoadedSearch,
  SearchFields,
  SearchShard,
  StaffSearchIndex,
  searchDocumentOf,
  searchRequests,
  shardOf,
  shardsOfQuery,
  TEXT_SHARDS,
} from '../../shared/search/staff-index.ts';
import { passageOf, processTerm, tokenize } from '../../shared/search/text.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import { passageParts } from '../../web/src/passage.ts';
import { asVersion2 } from '../support/search-version-2.ts';

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
    const [rebuilt, kept] = [
      await StaffSearchIndex.of(made).serialize(new Date(0)),
      await forward.serialize(new Date(0)),
    ];
    expect(JSON.parse(rebuilt.fields ?? '')).toEqual(JSON.parse(kept.fields ?? ''));
  });

  it('writes only the shards a changed text touches, and takes a removed request out of every one', async () => {
    const index = StaffSearchIndex.of(made);
    await index.serialize(new Date(0));
    const changed = searchDocumentOf(request(1), { letters: ['Zebra crossing.'], attachments: [] });
    expect(index.put(changed.document, changed.entry)).toBe(true);
    const written = await index.serialize(new Date(0));
    // r0001's text was "About ferries." and is now "Zebra crossing.".
    expect(Object.keys(written.shards).sort()).toEqual(['a', 'c', 'f', 'z']);
    expect(written.texts).toEqual({ r0001: 'Zebra crossing.\n' });
    const renamed = searchDocumentOf(request(1, { stage: 'accepted' }), {
      letters: ['Zebra crossing.'],
      attachments: [],
    });
    index.put(renamed.document, renamed.entry);
    const onlyStage = await index.serialize(new Date(0));
    expect(onlyStage.fields).toBeDefined();
    expect(onlyStage.shards).toEqual({});
    expect(index.remove('r0003')).toBe(true);
    const removed = await index.serialize(new Date(0));
    expect(removed.texts).toEqual({ r0003: null });
    // Its text's shards (a, f, q, s) and its fields' (REQ-2026-00003, Request 3, Writer 3
    // writer3@org.example: 0, 2, 3, e, o, r, w).
    expect(Object.keys(removed.shards).sort()).toEqual(
      ['0', '2', '3', 'a', 'e', 'f', 'o', 'q', 'r', 's', 'w'].sort(),
    );
    for (const shard of index.shards.values()) {
      expect(shard.fields.has('r0003')).toBe(false);
      expect(shard.text.has('r0003')).toBe(false);
    }
  });

  it('moves a request’s fields between shards when they change, and leaves its text where it is', async () => {
    const index = StaffSearchIndex.of(made);
    await index.serialize(new Date(0));
    const renamed = searchDocumentOf(request(2, { subject: 'Kelp harvest' }), {
      letters: ['We write about REQ-2026-00001 and ferries.'],
      attachments: [],
    });
    expect(index.put(renamed.document, renamed.entry)).toBe(true);
    const written = await index.serialize(new Date(0));
    // Every shard its fields had terms in or now have (a field's length is kept in each),
    // and none of its text's alone (a, f).
    expect(Object.keys(written.shards).sort()).toEqual(['0', '2', 'e', 'h', 'k', 'o', 'r', 'w']);
    expect(written.texts).toEqual({});
    const found = (q: string) =>
      searchRequests(index, q, { offset: 0, limit: 10 }).hits.map((hit) => hit.id);
    expect(found('kelp')).toEqual(['r0002']);
    expect(found('request 2')).toEqual([]);
  });

  it('reads an index stored by version 2, and moves its fields into the shards once', async () => {
    // As version 2 wrote them: the fields index whole in the fields object, the shards text alone.
    const version2 = asVersion2(
      (await StaffSearchIndex.of(made).serialize(new Date(0))) as {
        fields: string;
        shards: Record<string, string>;
      },
    );
    const bytes = (text: string) => new TextEncoder().encode(text);
    const stored = () => ({
      fields: SearchFields.parse(bytes(version2.fields)),
      shards: Object.values(version2.shards).map((body) => SearchShard.parse(bytes(body))),
    });
    const queries = ['REQ-2026-00001', 'writer3 quillwort', 'ferries', 'request 2', 'writ'];
    const answers = (loaded: LoadedSearch) =>
      queries.map((q) => searchRequests(loaded, q, { offset: 0, limit: 10 }));
    const expected = answers(StaffSearchIndex.of(made));
    // A reader before the catalogue moved it: the whole fields index stands in. The same
    // requests in the same order; scores differ a little, a shard's own counts weighing a term.
    const { fields, shards } = stored();
    const ids = (pages: ReturnType<typeof answers>) =>
      pages.map((page) => page.hits.map((hit) => hit.id));
    expect(
      ids(answers({ fields, shards: new Map(shards.map((shard) => [shard.shard, shard])) })),
    ).toEqual(ids(expected));
    // The catalogue moves the fields into the shards and writes every object again.
    const loaded = StaffSearchIndex.load(fields, shards);
    const written = await loaded.serialize(new Date(0));
    expect(Object.keys(written.shards)).toHaveLength(TEXT_SHARDS.length);
    expect(JSON.parse(written.fields ?? '{}')).not.toHaveProperty('index');
    const readBack = (objects: { fields?: string; shards: Record<string, string> }) => ({
      fields: SearchFields.parse(bytes(objects.fields ?? '')),
      shards: new Map(
        Object.values(objects.shards)
          .map((body) => SearchShard.parse(bytes(body)))
          .map((shard) => [shard.shard, shard]),
      ),
    });
    const reread = readBack(written);
    // What a rebuild from the requests themselves writes, and finds, read back alike.
    const rebuilt = await StaffSearchIndex.of(made).serialize(new Date(0));
    expect(written.fields).toEqual(rebuilt.fields);
    expect(answers(reread)).toEqual(answers(readBack(rebuilt)));
    // Once: loaded from what it wrote, there is nothing to write.
    const again = StaffSearchIndex.load(reread.fields, [...reread.shards.values()]);
    expect(await again.serialize(new Date(0))).toEqual({ shards: {}, texts: {} });
  });

  it('finds a query whose words span two shards, and one word in the fields with another in the text', () => {
    const index = StaffSearchIndex.of(made);
    expect(
      searchRequests(index, 'quillwort survey', { offset: 0, limit: 10 }).hits.map((h) => h.id),
    ).toEqual(['r0003']);
    // "writer3" only in the sender (fields index), "quillwort" only in the text: AND across both.
    expect(
      searchRequests(index, 'writer3 quillwort', { offset: 0, limit: 10 }).hits.map((h) => h.id),
    ).toEqual(['r0003']);
    expect(searchRequests(index, 'writer2 quillwort', { offset: 0, limit: 10 }).total).toBe(0);
  });
});

describe('text shards', () => {
  it('chooses a shard by the first character of the term', () => {
    expect(TEXT_SHARDS).toHaveLength(37);
    expect(shardOf('quillwort')).toBe('q');
    expect(shardOf('00042')).toBe('0');
    expect(shardOf('éclair')).toBe('other');
    expect(shardOf('Ωmega'.toLowerCase())).toBe('other');
    expect(shardsOfQuery('The Quillwort survey REQ-2026-00042')).toEqual(['0', '2', 'q', 'r', 's']);
  });

  it('sums a term’s scores from the fields and its shard, and keeps only requests every term matched', () => {
    const combined = combineTerms([
      [
        [{ id: 'a', score: 2, terms: ['ferry'] }],
        [
          { id: 'a', score: 1, terms: ['ferry'] },
          { id: 'b', score: 5, terms: ['ferries'] },
        ],
      ],
      [[], [{ id: 'a', score: 3, terms: ['quillwort'] }]],
    ]);
    // Two terms: (2 + 1 + 3) × 2, as MiniSearch weighs an AND result by its terms.
    expect(combined).toEqual([{ id: 'a', score: 12, terms: ['ferry', 'quillwort'] }]);
  });
});
