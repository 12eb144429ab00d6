import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/catalogue.ts';
import { signLocalToken } from '../../infra/local/users.ts';
import { cataloguePorts, everyRequestHistory } from '../../shared/aws/catalogue-ports.ts';
import { catalogueRequests, rebuildCatalogue } from '../../shared/catalogue/catalogue.ts';
import {
  SearchFields,
  type SearchFieldsFile,
  SearchShard,
  searchRequests,
} from '../../shared/search/staff-index.ts';
import { letterWithAttachments, plainLetter } from '../support/letters.ts';
import { pdfWithText } from '../support/pdf.ts';
import {
  documentKeys,
  documentText,
  env,
  getItem,
  insertedOnStream,
  records,
  s3Client,
  staff,
  staffClient,
  startPostroom,
  walkToHeld,
} from '../support/postroom.ts';
import { asVersion2 } from '../support/search-version-2.ts';

/**
 * Staff search through the real local stack: letters filed by intake, attachment text read
 * by extract-text, the index kept by the catalogue from the stream poller, and answered by
 * the records function through the local API.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
const lambdaContext = {} as never;
const fieldsKey = 'catalogue/search/fields.json';

/** Every search object (fields, shards and texts), key by key, as stored. */
async function searchObjects(): Promise<Record<string, string>> {
  const keys = [
    ...(await documentKeys('catalogue/search/')),
    ...(await documentKeys('catalogue/texts/')),
  ];
  return Object.fromEntries(
    await Promise.all(keys.map(async (key) => [key, await documentText(key)])),
  );
}

const searchFor = (q: string, extra = '') =>
  api(staff.caseworker, 'GET', `/api/search?q=${encodeURIComponent(q)}${extra}`);
const idsOf = (body: Record<string, unknown>) =>
  (body.items as Array<{ id: string }>).map((item) => item.id);

async function filed(requester: string) {
  const found = (await records.requestsInStage('received')).find(
    (request) => request.sender.address === requester,
  );
  if (!found) throw new Error(`the letter from ${requester} was not filed`);
  return found;
}

let pdfRequest: Awaited<ReturnType<typeof filed>>;
let plainRequest: Awaited<ReturnType<typeof filed>>;
let deepRequest: Awaited<ReturnType<typeof filed>>;

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  await postroom.deliver(
    letterWithAttachments({
      from: 'Morag Pennycook <morag@thistlewind.example>',
      subject: 'Our consultation response',
      body: 'Dear Commissioner,\r\n\r\nOur response is attached.\r\n\r\nMorag Pennycook\r\nThistlewind Energy Association',
      attachments: [
        {
          filename: 'response.pdf',
          contentType: 'application/pdf',
          content: pdfWithText([['We propose a quillwort survey before any turbine is sited.']]),
        },
      ],
    }),
    'morag@thistlewind.example',
  );
  await postroom.deliver(
    plainLetter({
      from: 'Duncan Abernethy <duncan@harbourline.example>',
      subject: 'Ferry timetable lobbying',
      body: 'Dear Commissioner,\r\n\r\nWe ask to meet about the ferry timetable.\r\n\r\nDuncan Abernethy\r\nHarbourline Ferries Ltd',
    }),
    'duncan@harbourline.example',
  );
  await postroom.deliver(
    letterWithAttachments({
      from: 'Ailsa Drummond <ailsa@kelpworks.example>',
      subject: 'Seaweed licensing paper',
      body: 'Dear Commissioner,\r\n\r\nOur paper is attached.\r\n\r\nAilsa Drummond',
      attachments: [
        {
          filename: 'paper.pdf',
          contentType: 'application/pdf',
          content: pdfWithText([
            [
              ...Array.from(
                { length: 12 },
                (_, n) => `Section ${n + 1} sets out the background at length.`,
              ),
              'Harvesting of knotted wrack should be licensed by tonnage.',
            ],
          ]),
        },
      ],
    }),
    'ailsa@kelpworks.example',
  );
  await postroom.settle();
  pdfRequest = await filed('morag@thistlewind.example');
  deepRequest = await filed('ailsa@kelpworks.example');
  plainRequest = await filed('duncan@harbourline.example');
});
afterAll(async () => {
  await postroom?.close();
});

describe('staff search', () => {
  it('finds a word that occurs only in a PDF attachment, once its text was read, with the passage', async () => {
    const found = await searchFor('quillwort');
    expect(found.status).toBe(200);
    expect(idsOf(found.body)).toEqual([pdfRequest.id]);
    expect(found.body.items[0]).toMatchObject({
      reference: pdfRequest.reference,
      subject: 'Our consultation response',
      stage: 'received',
    });
    expect(found.body.items[0].passage).toContain('quillwort survey');
    expect(found.body.items[0].score).toBeGreaterThan(0);
  });

  it('shows the passage of a word found deep in an attachment, not the start of the letter', async () => {
    const found = await searchFor('wrack');
    expect(idsOf(found.body)).toEqual([deepRequest.id]);
    const text = await documentText(`catalogue/texts/${deepRequest.id}.txt`);
    expect(text.toLowerCase().indexOf('wrack')).toBeGreaterThan(300);
    expect(found.body.items[0].passage).toContain('knotted wrack');
  });

  it('finds words from two shards, and a word of the fields with a word of the text', async () => {
    // "quillwort" is in the q shard, "turbine" in the t shard: both needed (AND).
    expect(idsOf((await searchFor('turbine quillwort')).body)).toEqual([pdfRequest.id]);
    expect(idsOf((await searchFor('turbine wrack')).body)).toEqual([]);
    // "thistlewind" only in the sender's address (the fields index), "quillwort" only in the PDF.
    expect(idsOf((await searchFor('thistlewind quillwort')).body)).toEqual([pdfRequest.id]);
    expect(idsOf((await searchFor('kelpworks quillwort')).body)).toEqual([]);
  });

  it('ranks an exact reference first', async () => {
    const found = await searchFor(plainRequest.reference);
    expect(found.status).toBe(200);
    expect(found.body.items[0]?.id).toBe(plainRequest.id);
  });

  it('finds a request by its sender’s address and by its organisation', async () => {
    expect(idsOf((await searchFor('duncan@harbourline.example')).body)).toEqual([plainRequest.id]);
    expect(plainRequest.organisation).toBe('Harbourline Ferries Ltd');
    expect(idsOf((await searchFor('Harbourline Ferries')).body)).toEqual([plainRequest.id]);
    const page = await api(
      staff.caseworker,
      'GET',
      `/api/correspondents?organisation=${encodeURIComponent('harbourline ferries ltd')}`,
    );
    expect(page.status).toBe(200);
    expect(page.body.requests.map((request: { id: string }) => request.id)).toEqual([
      plainRequest.id,
    ]);
    const sender = await api(
      staff.caseworker,
      'GET',
      '/api/correspondents?sender=morag%40thistlewind.example',
    );
    expect(sender.body.requests.map((request: { id: string }) => request.id)).toEqual([
      pdfRequest.id,
    ]);
  });

  it('finds a request by its note’s words after a save', async () => {
    await walkToHeld(api, plainRequest.id, {
      start: '2026-02-24T14:00:00Z',
      end: '2026-02-24T15:20:00Z',
      location: 'Leith',
      attendees: [
        { name: 'Duncan Abernethy', role: 'Director', organisation: 'Harbourline', host: true },
      ],
    });
    expect((await searchFor('saltmarsh')).body.items).toEqual([]);
    const saved = await api(staff.caseworker, 'PUT', `/api/requests/${plainRequest.id}/note`, {
      expectedVersion: 0,
      title: 'Meeting with Harbourline',
      body: 'We discussed the saltmarsh crossing.',
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    await postroom.settle();
    // The records function asks S3 whether the index changed at most every 2 seconds.
    await expect
      .poll(async () => idsOf((await searchFor('saltmarsh')).body), { timeout: 5_000 })
      .toEqual([plainRequest.id]);
    const found = await searchFor('saltmarsh');
    expect(found.body.items[0].passage).toContain('saltmarsh crossing');
  });

  it('changes nothing when the stream delivers a change again', async () => {
    const before = await searchObjects();
    const [first] = await records.events(pdfRequest.id);
    expect(await handler(insertedOnStream({ ...first, type: 'event' }), lambdaContext)).toEqual({
      batchItemFailures: [],
    });
    const textRead = {
      PK: `REQ#${pdfRequest.id}`,
      SK: 'TEXTREAD#again',
      type: 'textRead',
      requestId: pdfRequest.id,
    };
    expect(await handler(insertedOnStream(textRead), lambdaContext)).toEqual({
      batchItemFailures: [],
    });
    expect(await searchObjects()).toEqual(before);
  });

  it('moves an index stored by version 2 into the shards on its next pass, one that changes nothing too', async () => {
    const queries = ['thistlewind quillwort', 'thistlewind', plainRequest.reference, 'turbine'];
    const answers = () => Promise.all(queries.map(async (q) => idsOf((await searchFor(q)).body)));
    const expected = await answers();
    const objects = await searchObjects();
    const shardKeys = Object.keys(objects).filter((key) =>
      key.startsWith('catalogue/search/text-'),
    );
    const version2 = asVersion2({
      fields: objects[fieldsKey] ?? '',
      shards: Object.fromEntries(shardKeys.map((key) => [key, objects[key] ?? ''])),
    });
    for (const [key, body] of [[fieldsKey, version2.fields], ...Object.entries(version2.shards)])
      await s3Client.send(new PutObjectCommand({ Bucket: env().documents, Key: key, Body: body }));
    // Meanwhile a reader finds the same: the whole fields index stands in. (It asks S3
    // whether an object changed at most every 2 seconds.)
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await answers()).toEqual(expected);
    // A pass that changes nothing searchable (the stream delivering an event again) still
    // writes the move, so the next does not make it again.
    const [first] = await records.events(pdfRequest.id);
    expect(await handler(insertedOnStream({ ...first, type: 'event' }), lambdaContext)).toEqual({
      batchItemFailures: [],
    });
    const moved = await searchObjects();
    expect(JSON.parse(moved[fieldsKey] ?? '')).toMatchObject({ version: 3 });
    expect(JSON.parse(moved[fieldsKey] ?? '')).not.toHaveProperty('index');
    for (const key of shardKeys) expect(JSON.parse(moved[key] ?? '').version, key).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await answers()).toEqual(expected);
    // And the next pass has nothing to write.
    expect(await handler(insertedOnStream({ ...first, type: 'event' }), lambdaContext)).toEqual({
      batchItemFailures: [],
    });
    expect(await searchObjects()).toEqual(moved);
  });

  it('rebuilds to the index the stream made, and twice to the same', async () => {
    const ports = cataloguePorts(env().table, env().documents);
    const queries = ['quillwort', 'saltmarsh', plainRequest.reference, 'commissioner', 'ferry'];
    // Read straight from the object: the API may answer from the copy it holds.
    const encode = (text: string) => new TextEncoder().encode(text);
    const answers = async () => {
      const objects = await searchObjects();
      const fields = SearchFields.parse(encode(objects[fieldsKey] ?? ''));
      const shards = new Map(
        Object.entries(objects)
          .filter(([key]) => key.startsWith('catalogue/search/text-'))
          .map(([, body]) => SearchShard.parse(encode(body)))
          .map((shard) => [shard.shard, shard]),
      );
      const texts = new Map(
        Object.entries(objects)
          .filter(([key]) => key.startsWith('catalogue/texts/'))
          .map(([key, body]) => [key.slice('catalogue/texts/'.length, -'.txt'.length), body]),
      );
      return queries.map(
        (q) => searchRequests({ fields, shards }, q, { offset: 0, limit: 20 }, texts).hits,
      );
    };
    const fieldsOf = async () => JSON.parse(await documentText(fieldsKey)) as SearchFieldsFile;
    const streamMade = await fieldsOf();
    const streamAnswers = await answers();
    // The text of a request no longer in the table (as a disposal cut short would leave it).
    const stray = 'catalogue/texts/00000000-0000-4000-8000-000000000000.txt';
    await s3Client.send(
      new PutObjectCommand({ Bucket: env().documents, Key: stray, Body: 'A letter nobody keeps.' }),
    );
    await rebuildCatalogue(everyRequestHistory(env().table), ports, new Date());
    const once = await searchObjects();
    const onceFields = await fieldsOf();
    // Deleted; every text left is an entry's.
    expect(Object.keys(once)).not.toContain(stray);
    expect(
      Object.keys(once)
        .filter((key) => key.startsWith('catalogue/texts/'))
        .map((key) => key.slice('catalogue/texts/'.length, -'.txt'.length)),
    ).toEqual(Object.keys(onceFields.entries).sort());
    await rebuildCatalogue(everyRequestHistory(env().table), ports, new Date());
    const twice = await searchObjects();
    // Every object the same bytes, but for the fields object's time of writing.
    expect({ ...twice, [fieldsKey]: '' }).toEqual({ ...once, [fieldsKey]: '' });
    expect({ ...(await fieldsOf()), updatedAt: '' }).toEqual({ ...onceFields, updatedAt: '' });
    expect(Object.keys(once).filter((key) => key.includes('/text-'))).toHaveLength(37);
    // The stream adds documents in the order they came, a rebuild in id order: the
    // index's own numbering differs; what it holds and what it finds do not.
    expect(onceFields.entries).toEqual(streamMade.entries);
    expect(await answers()).toEqual(streamAnswers);
  });

  it('refuses a caller with no role', async () => {
    const token = await signLocalToken({ sub: 'no-role', email: 'nobody@office.example' });
    const response = await fetch(`http://127.0.0.1:${postroom.apiPort}/api/search?q=ferry`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(403);
  });

  it('refuses a bad q, limit or nextToken, saying what is accepted', async () => {
    for (const [query, field, says] of [
      ['', 'query.q', /required/],
      ['q=%20%20', 'query.q', /1 to 200/],
      [`q=${'x'.repeat(201)}`, 'query.q', /at most 200/],
      ['q=ferry&limit=0', 'query.limit', /1 to 50/],
      ['q=ferry&limit=51', 'query.limit', /1 to 50/],
      ['q=ferry&limit=two', 'query.limit', /1 to 50/],
      ['q=ferry&nextToken=forged', 'query.nextToken', /not one this API issued/],
    ] as const) {
      const response = await api(staff.caseworker, 'GET', `/api/search?${query}`);
      expect(response.status, query).toBe(400);
      const fields = response.body.error.fields as Array<{ path: string; message: string }>;
      const named = fields.find((one) => one.path === field);
      expect(named?.message, `${query}: ${JSON.stringify(fields)}`).toMatch(says);
    }
  });

  it('pages with nextToken, and a token from another search is refused', async () => {
    const first = await searchFor('commissioner', '&limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextToken).toBeTypeOf('string');
    const second = await searchFor('commissioner', `&limit=1&nextToken=${first.body.nextToken}`);
    expect(second.status).toBe(200);
    expect(idsOf(second.body)).not.toEqual(idsOf(first.body));
    const other = await searchFor('ferry', `&limit=1&nextToken=${first.body.nextToken}`);
    expect(other.status).toBe(400);
    expect(other.body.error.message).toMatch(/other words/);
  });
});

describe('the text-read marker', () => {
  it('is written once, and never beside a request that is gone', async () => {
    const { textReadRecorder } = await import('../../shared/aws/text-layers.ts');
    const record = textReadRecorder(env().table);
    await record(pdfRequest.id, 'probe-message', new Date());
    await record(pdfRequest.id, 'probe-message', new Date());
    expect(await getItem(`REQ#${pdfRequest.id}`, 'TEXTREAD#probe-message')).toMatchObject({
      type: 'textRead',
      requestId: pdfRequest.id,
    });
    await record('gone-request', 'probe-message', new Date());
    expect(await getItem('REQ#gone-request', 'TEXTREAD#probe-message')).toBeUndefined();
  });
});

describe('a request gone from the table', () => {
  it('is taken out of every shard, and its indexed text deleted', async () => {
    expect(idsOf((await searchFor('wrack')).body)).toEqual([deepRequest.id]);
    const textKey = `catalogue/texts/${deepRequest.id}.txt`;
    expect(await documentKeys(textKey)).toEqual([textKey]);
    // As disposal leaves it: the catalogue finds no request by that id.
    const ports = cataloguePorts(env().table, env().documents);
    const gone = { ...ports, history: async () => undefined };
    expect(await catalogueRequests([deepRequest.id], gone, new Date())).toMatchObject({
      searchUpdated: 1,
    });
    expect(await documentKeys(textKey)).toEqual([]);
    const objects = await searchObjects();
    for (const [key, body] of Object.entries(objects))
      if (key.startsWith('catalogue/search/')) expect(body, key).not.toContain(deepRequest.id);
    await expect
      .poll(async () => idsOf((await searchFor('wrack')).body), { timeout: 5_000 })
      .toEqual([]);
  });
});
