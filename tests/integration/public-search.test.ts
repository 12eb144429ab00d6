import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functions } from '../../infra/functions.ts';
import * as wiring from '../../shared/aws/wiring.ts';
import { readConfig } from '../../shared/config.ts';
import { publish, takeDown } from '../../shared/publication/publish.ts';
import type { PublicSearchEntry } from '../../shared/publication/search.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import { type ApprovedSeed, approvedRequest } from '../support/approved-request.ts';
import { documentClient, env, s3Client, startPostroom } from '../support/postroom.ts';

/**
 * The public search's files, through the real publication code and the emulators: made
 * from the public copy only, and following a takedown.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let context: ReturnType<typeof wiring.publish>;
const publicBucket = () => process.env.PUBLIC_BUCKET ?? '';
const now = new Date('2026-03-02T09:00:00Z');

async function searchObjects(): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  const listed = await s3Client.send(
    new ListObjectsV2Command({ Bucket: publicBucket(), Prefix: 'search/' }),
  );
  for (const object of listed.Contents ?? []) {
    const body = await s3Client.send(
      new GetObjectCommand({ Bucket: publicBucket(), Key: object.Key }),
    );
    objects.set(object.Key ?? '', (await body.Body?.transformToString()) ?? '');
  }
  return objects;
}

const entries = (objects: Map<string, string>) =>
  [...objects.entries()]
    .filter(([key]) => /^search\/\d{4}-\d+\.json$/.test(key))
    .flatMap(([, body]) => JSON.parse(body) as PublicSearchEntry[]);

async function approved(serial: number, seed: ApprovedSeed): Promise<RequestRecord> {
  const { request, items, objects } = approvedRequest(serial, seed);
  for (const { key, body } of objects)
    await s3Client.send(new PutObjectCommand({ Bucket: env().documents, Key: key, Body: body }));
  for (const Item of items)
    await documentClient.send(new PutCommand({ TableName: env().table, Item }));
  return request;
}

beforeAll(async () => {
  postroom = await startPostroom();
  context = wiring.publish(readConfig(functions.publish.env));
});
afterAll(async () => {
  await postroom?.close();
});

describe('the public search index', () => {
  const privateData = [
    'Eilidh Drummond-Strachan',
    '07700 900461',
    'eilidh.ds@privatemail.example',
    'privatemail',
  ];

  it('holds the published meeting’s public copy, and nothing from the letter or the sender', async () => {
    const request = await approved(901, {
      senderName: 'Eilidh Drummond-Strachan',
      senderAddress: 'eilidh.ds@privatemail.example',
      subject: 'A private matter from Eilidh Drummond-Strachan',
      title: 'Meeting with the Kelpie Rowing Club',
      body: '## Purpose\n\nTo discuss the boathouse moorings and the regatta.',
      letter:
        'Dear Commissioner,\n\nI am Eilidh Drummond-Strachan; call me on 07700 900461 or write to eilidh.ds@privatemail.example.\n',
    });
    const outcome = await publish(request.id, context.ports, context.site, context.rules, now);
    expect(outcome).toMatchObject({ published: true });
    const objects = await searchObjects();
    expect([...objects.keys()]).toEqual(
      expect.arrayContaining(['search/index.html', 'search/index.json', 'search/search.js']),
    );
    const found = entries(objects).find((entry) => entry.r === request.reference);
    expect(found).toMatchObject({ t: 'Meeting with the Kelpie Rowing Club' });
    expect(found?.n).toContain('boathouse moorings');
    for (const [key, body] of objects)
      for (const text of privateData) expect(body, `${key} holds ${text}`).not.toContain(text);
  });

  it('lists every part’s file in the manifest, and takes a meeting out when it is taken down', async () => {
    const request = await approved(902, {
      title: 'Meeting with the Selkie Swimming Association',
      body: '## Purpose\n\nTo discuss the harbour swimming season.',
    });
    await publish(request.id, context.ports, context.site, context.rules, now);
    const before = await searchObjects();
    const manifest = JSON.parse(before.get('search/index.json') ?? '{}') as { files: string[] };
    for (const file of manifest.files) expect(before.has(`search/${file}`), file).toBe(true);
    expect(entries(before).map((entry) => entry.r)).toContain(request.reference);
    await takeDown(request.id, context.ports, context.site, now);
    const after = await searchObjects();
    expect(entries(after).map((entry) => entry.r)).not.toContain(request.reference);
    for (const body of after.values()) expect(body).not.toContain('Selkie');
    // The other meeting's note is carried over, though the listings keep no notes.
    expect(JSON.stringify(entries(after))).toContain('boathouse moorings');
  });
});
