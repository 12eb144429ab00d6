import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeHTML } from 'entities/decode';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functions } from '../../infra/functions.ts';
import { s3 } from '../../shared/aws/clients.ts';
import { keys } from '../../shared/aws/keys.ts';
import * as wiring from '../../shared/aws/wiring.ts';
import { readConfig } from '../../shared/config.ts';
import { publish, publishEmbargoed, takeDown } from '../../shared/publication/publish.ts';
import {
  assembleRegistersIfDue,
  REGISTER_INTERVAL_MS,
  rebuildSite,
} from '../../shared/publication/site.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import { type ApprovedSeed, approvedRequest, listedMeeting } from '../support/approved-request.ts';
import { documentClient, env, s3Client, startPostroom } from '../support/postroom.ts';

/**
 * What reaches the public bucket, end to end through the real publication code and the
 * emulators: concurrent publications lose nothing, a takedown leaves nothing of the
 * meeting, and personal data put into any field of a meeting appears in no public object.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
const publicBucket = () => process.env.PUBLIC_BUCKET ?? '';
const now = new Date('2026-03-02T09:00:00Z');

async function publicObjects(): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  let token: string | undefined;
  do {
    const listed = await s3Client.send(
      new ListObjectsV2Command({ Bucket: publicBucket(), ContinuationToken: token }),
    );
    for (const object of listed.Contents ?? []) {
      const body = await s3Client.send(
        new GetObjectCommand({ Bucket: publicBucket(), Key: object.Key }),
      );
      objects.set(object.Key ?? '', (await body.Body?.transformToString()) ?? '');
    }
    token = listed.NextContinuationToken;
  } while (token);
  return objects;
}

let serial = 0;

/** An approved request with its letter, stored as intake and the workflow would leave it. */
async function approved(seed: ApprovedSeed = {}): Promise<RequestRecord> {
  serial += 1;
  const { request, items, objects } = approvedRequest(serial, {
    attachmentName: 'annex.txt',
    ...seed,
  });
  for (const { key, body } of objects)
    await s3Client.send(
      new PutObjectCommand({
        Bucket: env().documents,
        Key: key,
        Body: body,
        ContentType: 'text/plain',
      }),
    );
  for (const Item of items)
    await documentClient.send(new PutCommand({ TableName: env().table, Item }));
  return request;
}

/** Puts a request back to approved with a correction pending, as `correct` and re-approval do. */
async function corrected(request: RequestRecord, note: string, clearedAttachments: string[]) {
  const next: RequestRecord = {
    ...request,
    stage: 'approved',
    version: request.version + 10,
    pendingCorrection: note,
    redactions: {
      ...(request.redactions ?? { reinstated: [], texts: [], patterns: [] }),
      clearedAttachments,
    },
  };
  await documentClient.send(
    new PutCommand({
      TableName: env().table,
      Item: { ...keys.request(request.id), type: 'request', ...next },
    }),
  );
}

let context: ReturnType<typeof wiring.publish>;
beforeAll(async () => {
  postroom = await startPostroom();
  context = wiring.publish(readConfig(functions.publish.env));
});
afterAll(async () => {
  await postroom.close();
});

const run = (request: RequestRecord) =>
  publish(request.id, context.ports, context.site, context.rules, now);

describe('publication is safe under concurrency', () => {
  it('loses no meeting when eight publications and an embargo release run at once', async () => {
    const meetings = await Promise.all(Array.from({ length: 8 }, () => approved()));
    const embargoed = await approved({ publishAt: '2026-03-01T00:00:00Z' });
    const outcomes = await Promise.all([
      ...meetings.map(run),
      publishEmbargoed([embargoed], context.ports, context.site, context.rules, now),
    ]);
    expect(
      outcomes.slice(0, 8).every((outcome) => 'published' in outcome && outcome.published),
    ).toBe(true);
    // The registers, as the sweep assembles them a day later, miss none either.
    expect(
      await assembleRegistersIfDue(
        context.ports,
        context.site,
        new Date(now.getTime() + REGISTER_INTERVAL_MS),
      ),
    ).toBe(true);
    const objects = await publicObjects();
    const register = JSON.parse(objects.get('register.json') ?? '{}') as {
      meetings: Array<{ reference: string }>;
    };
    for (const { reference } of [...meetings, embargoed]) {
      expect(
        register.meetings.map((m) => m.reference),
        reference,
      ).toContain(reference);
      expect(objects.get('register.csv'), reference).toContain(reference);
      expect(objects.get('feed.xml'), reference).toContain(reference.toLowerCase());
      expect(objects.get('index.html'), reference).toContain(reference.toLowerCase());
      expect(objects.get('years/2026/index.html'), reference).toContain(reference.toLowerCase());
    }
  });
});

/**
 * Runs `work` while S3 refuses to write the public object `key` (every other call goes
 * through): a fault partway through a publication or a takedown.
 */
async function failingPut<T>(key: string, work: () => Promise<T>): Promise<T> {
  const real = new S3Client({});
  const faults = mockClient(s3);
  for (const command of [
    GetObjectCommand,
    HeadObjectCommand,
    DeleteObjectCommand,
    CopyObjectCommand,
  ])
    faults
      .on(command as never)
      .callsFake((input) => real.send(new (command as never as new (i: unknown) => never)(input)));
  faults.on(PutObjectCommand).callsFake(async (input: { Bucket?: string; Key?: string }) => {
    if (input.Bucket === publicBucket() && input.Key === key)
      throw Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' });
    return real.send(new PutObjectCommand(input as never));
  });
  try {
    return await work();
  } finally {
    faults.restore();
  }
}

describe('a publication that fails partway', () => {
  it('is completed by the retry, and leaves the lease free for it', async () => {
    const request = await approved({ title: 'A meeting published twice' });
    // A fault after the meeting's own pages, partway through the listings: the feed is
    // always rewritten by a new publication, after its pages and the listings' state.
    await expect(failingPut('feed.xml', () => run(request))).rejects.toThrow(/internal error/);

    const started = Date.now();
    const outcome = await run(request);
    expect(outcome.published).toBe(true);
    // Not kept waiting for the failed attempt's lease to expire.
    expect(Date.now() - started).toBeLessThan(30_000);
    const objects = await publicObjects();
    const path = `meetings/2026/${request.reference.toLowerCase()}/`;
    expect(objects.has(`${path}index.html`)).toBe(true);
    expect(objects.has(`${path}letter.html`)).toBe(true);
    for (const listing of ['index.html', 'feed.xml', 'years/2026/index.html'])
      expect(objects.get(listing)?.toLowerCase(), listing).toContain(
        request.reference.toLowerCase(),
      );
    // And the registers, when the sweep next assembles them.
    await assembleRegistersIfDue(
      context.ports,
      context.site,
      new Date(Date.now() + 2 * REGISTER_INTERVAL_MS),
    );
    expect((await publicObjects()).get('register.csv')).toContain(request.reference);
  });
});

describe('a takedown takes everything down', () => {
  it('even when it fails partway and is delivered again', async () => {
    const request = await approved({ title: 'A meeting whose takedown fails once' });
    await run(request);
    const reference = request.reference.toLowerCase();
    await expect(
      failingPut('years/2026/index.html', () =>
        takeDown(request.id, context.ports, context.site, now),
      ),
    ).rejects.toThrow(/internal error/);
    expect(await takeDown(request.id, context.ports, context.site, now)).toMatchObject({
      removed: true,
    });
    for (const [key, body] of await publicObjects())
      expect(body.toLowerCase(), key).not.toContain(reference);
  });

  it('leaves no page, attachment or listing entry of the meeting', async () => {
    const request = await approved({ title: 'A meeting to take down' });
    await run(request);
    const path = `meetings/2026/${request.reference.toLowerCase()}/`;
    const before = await publicObjects();
    expect([...before.keys()].filter((key) => key.startsWith(path)).sort()).toEqual(
      [`${path}attachments/annex.txt`, `${path}index.html`, `${path}letter.html`].sort(),
    );
    // The cache in front of the site (CloudFront on AWS) is asked to forget it too.
    const invalidations: Array<{ paths: string[]; batch: string }> = [];
    const ports = {
      ...context.ports,
      invalidate: async (paths: string[], batch: string) => {
        invalidations.push({ paths, batch });
      },
    };
    await takeDown(request.id, ports, context.site, new Date());
    const after = await publicObjects();
    for (const [key, body] of after) {
      expect(key.startsWith(path), key).toBe(false);
      expect(body, key).not.toContain(request.reference);
      expect(body, key).not.toContain(request.reference.toLowerCase());
      expect(body, key).not.toContain('A meeting to take down');
    }
    expect(invalidations).toHaveLength(1);
    const cleared = invalidations[0]?.paths ?? [];
    const coveredBy = (key: string) =>
      cleared.some((pattern) =>
        pattern.endsWith('*') ? `/${key}`.startsWith(pattern.slice(0, -1)) : pattern === `/${key}`,
      );
    // Every object that was removed, and every one rewritten without it.
    for (const key of before.keys()) {
      if (!after.has(key) || after.get(key) !== before.get(key)) {
        expect(coveredBy(key), key).toBe(true);
      }
    }
    expect(cleared).toContain('/');
    // A repeated delivery (after a failure to ask, say) finds nothing left to take down,
    // and asks again for the same batch, which CloudFront runs once.
    expect(await takeDown(request.id, ports, context.site, new Date())).toEqual({ removed: false });
    expect(invalidations).toHaveLength(2);
    expect(invalidations[1]).toEqual(invalidations[0]);
  });
});

describe('a correction that moves a meeting to another year', () => {
  it('takes the old pages and the old year’s entry down with it', async () => {
    const request = await approved({
      title: 'Meeting about the timetable for the new year',
      start: '2026-12-31T15:00:00Z',
    });
    await run(request);
    const oldPath = `meetings/2026/${request.reference.toLowerCase()}/`;
    expect((await publicObjects()).has(`${oldPath}index.html`)).toBe(true);
    // The meeting was in fact on 2 January: the note's meeting says so, and is re-approved.
    const moved = (
      await documentClient.send(
        new GetCommand({ TableName: env().table, Key: keys.request(request.id) }),
      )
    ).Item as RequestRecord;
    const draftMeeting = {
      ...(moved.draft?.meeting ?? moved.meeting),
      start: '2027-01-02T15:00:00Z',
      end: '2027-01-02T16:00:00Z',
    };
    await corrected(
      { ...moved, title: undefined, draft: { ...moved.draft, meeting: draftMeeting } } as never,
      'The meeting was on 2 January.',
      [],
    );
    await run(request);
    const objects = await publicObjects();
    expect([...objects.keys()].filter((key) => key.startsWith(oldPath))).toEqual([]);
    expect(objects.has(`meetings/2027/${request.reference.toLowerCase()}/index.html`)).toBe(true);
    const link = request.reference.toLowerCase();
    expect(objects.get('years/2026/index.html') ?? '').not.toContain(link);
    expect(objects.get('years/2027/index.html') ?? '').toContain(link);
  });
});

/** Personal data as people write it: names, addresses, numbers, postcodes, NI numbers. */
const person = fc.record({
  first: fc.constantFrom('Morag', 'Priya', 'Alasdair', 'Siobhan', 'Tomasz', 'Aisha'),
  last: fc.constantFrom('Fairlie', 'Shah', 'MacLeod', 'Okafor', 'Kowalski', 'Lindqvist'),
  host: fc.stringMatching(/^[a-z]{4,8}$/),
  phone: fc.oneof(
    fc.integer({ min: 100, max: 999 }).map((n) => `07700 900${n}`),
    fc.integer({ min: 1000, max: 9999 }).map((n) => `(020) 7946 ${n}`),
    fc.integer({ min: 1000, max: 9999 }).map((n) => `0044 20 7946 ${n}`),
    fc.integer({ min: 100, max: 999 }).map((n) => `07700.900.${n}`),
  ),
  postcode: fc.constantFrom('EH2 2PR', 'SW1A 1AA', 'G1 1XQ', 'M1 1AE', 'CF10 1EP'),
  ni: fc
    .tuple(
      fc.integer({ min: 10, max: 99 }),
      fc.integer({ min: 10, max: 99 }),
      fc.integer({ min: 10, max: 99 }),
    )
    .map(([a, b, c]) => `AB ${a} ${b} ${c} C`),
});

describe('nothing personal goes public', () => {
  it('hides a private sender’s mail domain that stood in for their organisation', async () => {
    const request = await approved({
      senderName: 'Morag Fairlie',
      senderAddress: 'morag@home.example',
      organisation: 'home.example',
      body: '## Purpose\n\nhome.example asked to meet.',
    });
    await run(request);
    for (const [key, body] of await publicObjects())
      expect(body, key).not.toContain('home.example');
  });

  it('hides generated personal data in every field, through publication, correction and takedown', async () => {
    await fc.assert(
      fc.asyncProperty(person, async (p) => {
        const name = `${p.first} ${p.last}`;
        const email = `${p.first.toLowerCase()}@${p.host}.example`;
        const encoded = `${p.last.toLowerCase()}&#64;${p.host}.example`;
        const secrets = [
          name,
          email,
          `${p.last.toLowerCase()}@${p.host}.example`,
          p.phone,
          p.postcode,
          p.ni,
        ];
        const everywhere = `${name}, ${email}, ${encoded}, ${p.phone}, ${p.postcode}, ${p.ni}`;
        const request = await approved({
          senderName: name,
          subject: `Meeting about ${everywhere}`,
          title: `Meeting about ${everywhere}`,
          body: `## Purpose\n\nTo meet ${everywhere}.\n\n## Points\n\n- ${everywhere}`,
          location: `12 Rose Street, ${p.postcode}, ${p.phone}`,
          attendee: { name, role: '', organisation: `${name} consulting ${email}` },
          letter: `Dear Commissioner,\n\nPlease call ${p.phone} or write to ${encoded}.\n\nYours sincerely,\n\n${name}\n`,
          attachmentName: `${p.first}-${p.last}-CV.txt`,
          texts: [name],
        });
        const check = async (step: string) => {
          for (const [key, raw] of await publicObjects()) {
            const body = decodeHTML(raw);
            for (const secret of secrets) {
              expect(
                body.includes(secret) || key.includes(p.last),
                `${step}: ${secret} in ${key}`,
              ).toBe(false);
            }
          }
        };
        await run(request);
        await check('published');
        await corrected(request, `The phone number ${p.phone} of ${name} was wrong.`, []);
        await run(request);
        await check('corrected');
        await takeDown(request.id, context.ports, context.site, new Date());
        await check('taken down');
      }),
      { numRuns: 6 },
    );
  }, 180_000);
});

describe('a large site', () => {
  // Last in this file: it replaces the site's listings with its own 120 meetings.
  const meetings = Array.from({ length: 120 }, (_, n) => listedMeeting(n));
  // After every seeded publication, so each new one heads the feed.
  const later = new Date('2027-01-10T09:00:00Z');
  const recorded: string[] = [];
  const recording = () => ({
    ...context.ports,
    writePublic: async (key: string, body: string, contentType: string) => {
      recorded.push(key);
      await context.ports.writePublic(key, body, contentType);
    },
    writeState: async (name: string, value: unknown) => {
      recordedState.push(name);
      await context.ports.writeState(name, value);
    },
  });
  const recordedState: string[] = [];

  it('takes one more publication into one part of its year, leaving the rest unwritten', async () => {
    await rebuildSite(context.ports, context.site, meetings, now);
    const yearPage = (await publicObjects()).get('years/2026/index.html') ?? '';
    // 120 meetings of 2026 in parts of 15, listed newest first on the year's page.
    const parts = [...yearPage.matchAll(/<li><a href="(\d+)\/">/g)].map((m) => m[1]);
    expect(parts).toEqual(['8', '7', '6', '5', '4', '3', '2', '1']);
    const request = await approved({ title: 'A meeting in June', start: '2026-06-15T10:00:00Z' });
    recorded.length = 0;
    recordedState.length = 0;
    const outcome = await publish(request.id, recording(), context.site, context.rules, later);
    expect(outcome.published).toBe(true);
    const path = `meetings/2026/${request.reference.toLowerCase()}/`;
    const listings = recorded.filter((key) => !key.startsWith(path));
    // One part of the year, its search file, and the feed: not the year's page, not the
    // index (June is not among the newest 50 meetings), not the registers (the sweep's,
    // once a day), not the search manifest (the parts are the same).
    expect(listings).toHaveLength(3);
    expect(listings).toContain('feed.xml');
    const part = listings.find((key) => key.startsWith('years/2026/')) ?? '';
    expect(part).toMatch(/^years\/2026\/\d\/index\.html$/);
    expect(listings).toContain(`search/2026-${part.split('/')[2]}.json`);
    const objects = await publicObjects();
    expect(objects.get(part)).toContain(request.reference.toLowerCase());
    expect(objects.get(part)).toContain('A meeting in June');
    // The feed was read back from feed.xml and still holds the newest fifty, this one first.
    // The state written: the part's and the registers' to-do list; no copy of the feed.
    const feed = objects.get('feed.xml') ?? '';
    expect(feed.match(/<entry>/g)).toHaveLength(50);
    expect(feed.split('<entry>')[1]).toContain(request.reference.toLowerCase());
    expect(recordedState.filter((name) => !name.startsWith('meetings/'))).toEqual([
      expect.stringMatching(/^years\/2026\/parts\/\d\.json$/),
      'registers.json',
    ]);
    expect(objects.get('index.html')).not.toContain(request.reference.toLowerCase());
    expect(objects.get('register.csv')).not.toContain(request.reference);
    // Every part the year lists is on the site, and every meeting is in exactly one.
    const listed = parts.flatMap((id) =>
      [
        ...(objects.get(`years/2026/${id}/index.html`) ?? '').matchAll(
          /meetings\/2026\/(req-[\d-]+)\//g,
        ),
      ].map((m) => m[1]),
    );
    expect(listed.sort()).toEqual(
      [...meetings.map((m) => m.reference.toLowerCase()), request.reference.toLowerCase()].sort(),
    );
  });

  it('takes a meeting down from its part, the feed and the registers at once', async () => {
    const request = await approved({
      title: 'A meeting to withdraw',
      start: '2026-07-20T10:00:00Z',
    });
    await publish(request.id, context.ports, context.site, context.rules, later);
    const reference = request.reference.toLowerCase();
    expect((await publicObjects()).get('feed.xml')).toContain(reference);
    await takeDown(request.id, context.ports, context.site, later);
    for (const [key, body] of await publicObjects()) {
      expect(body.toLowerCase(), key).not.toContain(reference);
    }
    // The feed was refilled from the whole site: still its newest fifty.
    const feed = (await publicObjects()).get('feed.xml') ?? '';
    expect(feed.match(/<entry>/g)).toHaveLength(50);
  });

  it('rebuilds a feed it cannot read back from the listings, never from nothing', async () => {
    // As when the read fails: readPublic answers nothing for any refusal.
    await s3Client.send(new DeleteObjectCommand({ Bucket: publicBucket(), Key: 'feed.xml' }));
    const request = await approved({ title: 'After the feed went', start: '2026-08-03T10:00:00Z' });
    await publish(request.id, context.ports, context.site, context.rules, later);
    const feed = (await publicObjects()).get('feed.xml') ?? '';
    expect(feed.match(/<entry>/g)).toHaveLength(50);
    expect(feed.split('<entry>')[1]).toContain(request.reference.toLowerCase());
  });

  it('cuts a site kept in the single manifest of earlier versions into parts, once', async () => {
    const legacy = Array.from({ length: 40 }, (_, n) => listedMeeting(500 + n));
    await s3Client.send(
      new DeleteObjectCommand({ Bucket: env().documents, Key: 'site/years.json' }),
    );
    await s3Client.send(
      new PutObjectCommand({
        Bucket: env().documents,
        Key: 'site/manifest.json',
        Body: JSON.stringify(legacy),
      }),
    );
    const request = await approved({ title: 'The first since the upgrade' });
    await publish(request.id, context.ports, context.site, context.rules, now);
    const objects = await publicObjects();
    const register = JSON.parse(objects.get('register.json') ?? '{}') as {
      meetings: Array<{ reference: string }>;
    };
    // Everything the manifest held is listed; the publication itself joins at the sweep.
    expect(register.meetings.map((m) => m.reference).sort()).toEqual(
      legacy.map((m) => m.reference).sort(),
    );
    expect(objects.get('feed.xml')).toContain(request.reference.toLowerCase());
    expect(objects.get('index.html')).toContain(legacy[0]?.reference.toLowerCase());
  });
});
