import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functions } from '../../infra/functions.ts';
import { dynamo } from '../../shared/aws/clients.ts';
import { retentionPorts } from '../../shared/aws/retention-ports.ts';
import * as wiring from '../../shared/aws/wiring.ts';
import { readConfig } from '../../shared/config.ts';
import { senderForLimit } from '../../shared/notify/send-notifications.ts';
import { disposeClosedRequests } from '../../shared/retention/disposal.ts';
import {
  applyDiscardRetention,
  applyRetention,
  retentionTag,
} from '../../shared/retention/raw-mail.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';
import {
  act,
  documentClient,
  env,
  fixture,
  getItem,
  records,
  s3Client,
  staff,
  staffClient,
  startPostroom,
  walkToHeld,
} from '../support/postroom.ts';

/**
 * Raw mail of a closed request is marked for the inbound bucket's lifecycle rule, and
 * rewritten so the retention period counts from the closing; reopening unmarks it.
 * Past the retention period, disposal deletes every private copy of a closed request,
 * keeping what was published and whatever a legal hold covers, and leaves a record.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
});
afterAll(async () => {
  await postroom.close();
});

async function rawMailState(key: string) {
  const object = { Bucket: env().inbound, Key: key };
  const [tags, head] = await Promise.all([
    s3Client.send(new GetObjectTaggingCommand(object)),
    s3Client.send(new HeadObjectCommand(object)),
  ]);
  return {
    mark: tags.TagSet?.find((tag) => tag.Key === retentionTag.key)?.Value,
    closedAt: head.Metadata?.['closed-at'],
    contentType: head.ContentType,
    size: head.ContentLength,
    lastModified: head.LastModified?.getTime(),
  };
}

describe('raw mail retention', () => {
  it('marks a declined request’s raw mail as closed, once, keeping it byte for byte', async () => {
    await postroom.deliver(fixture('03-pdf-and-docx.eml'));
    const [request] = await records.requestsInStage('received');
    if (!request) throw new Error('the letter did not become a request');
    const [message] = await records.messages(request.id);
    const key = message?.raw?.key ?? '';
    const before = await rawMailState(key);
    expect(before.mark).toBeUndefined();

    const declined = await act(api, staff.caseworker, request.id, 'decline', {
      reason: 'Outside the commissioner’s remit',
    });
    expect(declined.status).toBe(200);
    await postroom.settle();
    const after = await rawMailState(key);
    expect(after).toMatchObject({
      mark: retentionTag.closed,
      closedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      size: before.size,
    });

    // A repeated delivery of the same event, or a comment on the closed request, changes nothing.
    const ports = retentionPorts(env().table);
    const again = await applyRetention(
      { requestId: request.id, from: 'received', to: 'declined' },
      ports,
    );
    expect(again).toEqual({ state: 'closed', marked: [], unchanged: 1 });
    expect(
      await act(api, staff.caseworker, request.id, 'comment', { text: 'Filed' }),
    ).toMatchObject({
      status: 200,
    });
    await postroom.settle();
    expect(await rawMailState(key)).toEqual(after);

    // Reopening (a correction of a published note) takes the mark off again.
    const reopened = await applyRetention(
      { requestId: request.id, from: 'published', to: 'drafting' },
      ports,
    );
    expect(reopened).toEqual({ state: 'open', marked: [key], unchanged: 0 });
    expect((await rawMailState(key)).mark).toBe(retentionTag.open);
  });

  it('marks discarded held mail’s raw object, which belongs to no request, once', async () => {
    await postroom.deliver(fixture('18-missing-from.eml'));
    const [held] = await records.heldMail();
    if (!held) throw new Error('the message was not held');
    expect((await rawMailState(held.raw.key)).mark).toBeUndefined();

    const discarded = await api(staff.caseworker, 'POST', `/api/held-mail/${held.id}/actions`, {
      action: 'discard',
      reason: 'Spam',
    });
    expect(discarded.status).toBe(200);
    await postroom.settle();
    const after = await rawMailState(held.raw.key);
    expect(after).toMatchObject({
      mark: retentionTag.closed,
      closedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    // A repeated delivery leaves the clock where the first one started it.
    const again = await applyDiscardRetention(held.raw, retentionPorts(env().table));
    expect(again).toEqual({ state: 'closed', marked: [], unchanged: 1 });
    expect(await rawMailState(held.raw.key)).toEqual(after);
  });
});

/** Every key in a bucket (all pages). */
async function keysIn(bucket: string): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    found.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return found.sort();
}

/** Every item in this file's table. */
async function tableItems(): Promise<Array<Record<string, unknown>>> {
  const found: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({ TableName: env().table, ExclusiveStartKey: start }),
    );
    found.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return found.sort((a, b) => `${a.PK}${a.SK}`.localeCompare(`${b.PK}${b.SK}`));
}

const publicBucket = () => process.env.PUBLIC_BUCKET ?? '';

/** Both buckets and the table, as they stand. */
async function everything() {
  return {
    inbound: await keysIn(env().inbound),
    documents: await keysIn(env().documents),
    public: await keysIn(publicBucket()),
    table: await tableItems(),
  };
}

/**
 * What is kept anywhere of this request: its raw mail (by the keys its messages had, read
 * before disposal), its documents, and every item that names its id or reference.
 */
function copiesOf(
  state: Awaited<ReturnType<typeof everything>>,
  request: RequestRecord,
  rawKeys: readonly string[],
) {
  const names = (item: Record<string, unknown>) => {
    const text = JSON.stringify(item);
    return text.includes(request.id) || text.includes(request.reference);
  };
  return {
    rawMail: state.inbound.filter((key) => rawKeys.includes(key)),
    // Its own folder, and anything else named for it (the catalogue's copy of its text).
    documents: state.documents.filter((key) => key.includes(request.id)),
    items: state.table.filter(names).map((item) => `${item.PK} ${item.SK}`),
  };
}

/** The raw mail keys of a request's received messages. */
async function rawKeysOf(requestId: string): Promise<string[]> {
  return (await records.messages(requestId)).flatMap((message) =>
    message.direction === 'inbound' && message.raw ? [message.raw.key] : [],
  );
}

/** The disposal function's own ports and rules, as its handler builds them. */
const disposal = () => wiring.disposeRequests(readConfig(functions.disposeRequests.env));
const { rules } = disposal();
const pastThePeriod = () => new Date(Date.now() + (rules.retentionDays + 1) * 86_400_000);

/** Delivers a letter and returns the request it opened. */
async function newRequest(name: string): Promise<RequestRecord> {
  const before = new Set((await records.requestsInStage('received')).map((r) => r.id));
  await postroom.deliver(fixture(name));
  const [opened] = (await records.requestsInStage('received')).filter((r) => !before.has(r.id));
  if (!opened) throw new Error(`${name} did not become a request`);
  return opened;
}

describe('disposal after the retention period', () => {
  it('deletes every private copy of a withdrawn request, leaves a record with no personal data, and does it once', async () => {
    const request = await newRequest('02-docx-charity.eml');
    expect(
      await act(api, staff.caseworker, request.id, 'accept', { note: 'Grace called' }),
    ).toMatchObject({ status: 200 });
    expect(
      await act(api, staff.caseworker, request.id, 'withdraw', {
        reason: 'The diary is full until the autumn',
      }),
    ).toMatchObject({ status: 200 });
    await postroom.settle();

    const rawKeys = await rawKeysOf(request.id);
    const before = copiesOf(await everything(), request, rawKeys);
    expect(before.rawMail).toHaveLength(1);
    // Body, attachment, and the kept copies of the acknowledgement and both decisions' mail.
    expect(before.documents.some((key) => key.includes('/attachments/'))).toBe(true);
    expect(before.documents.some((key) => key.includes('/outbound/'))).toBe(true);
    expect(before.items.length).toBeGreaterThan(8);

    // Not a day early.
    const { ports } = disposal();
    const early = await disposeClosedRequests(ports, rules, new Date());
    expect(early.disposed).not.toContain(request.reference);
    expect(copiesOf(await everything(), request, rawKeys)).toEqual(before);

    const report = await disposeClosedRequests(ports, rules, pastThePeriod());
    expect(report.disposed).toContain(request.reference);
    // The disposal's record reaches the catalogue on the stream, which takes the request's
    // entry out: let it finish, so what is compared below is the state at rest.
    await postroom.settle();
    const after = await everything();
    const left = copiesOf(after, request, rawKeys);
    expect(left.rawMail).toEqual([]);
    expect(left.documents).toEqual([]);
    // Only the disposal record and the reference (marked as disposed of) still name it.
    expect(left.items).toEqual([`DISPOSAL#${request.id} DISPOSAL`, `REF#${request.reference} REF`]);
    const pointer = after.table.find((item) => item.PK === `REF#${request.reference}`);
    expect(pointer?.disposed).toMatchObject({ at: expect.any(String) });
    // The sender is left only in the hourly acknowledgement allowance, as the stem the
    // limit counts (senderForLimit), which expires by TTL (DynamoDB Local never runs TTL).
    const address = request.sender.address ?? '';
    const stem = senderForLimit(address);
    const mentions = after.table.filter((item) => {
      const text = JSON.stringify(item).toLowerCase();
      return text.includes(address.toLowerCase()) || text.includes(stem);
    });
    expect(mentions.map((item) => String(item.PK))).toEqual([`RATE#${stem}`]);

    const record = after.table.find((item) => item.PK === `DISPOSAL#${request.id}`);
    expect(record).toMatchObject({
      type: 'disposal',
      reference: request.reference,
      stage: 'withdrawn',
      rule: { name: 'closed-request', periodDays: rules.retentionDays, keeps: 'nothing' },
      disposed: {
        rawMail: 1,
        bodies: before.documents.filter((key) => /\/body\./.test(key)).length,
        attachments: before.documents.filter((key) => key.includes('/attachments/')).length,
        outboundMail: before.documents.filter((key) => key.includes('/outbound/')).length,
        requestRecord: 1,
        auditEvents: 3,
      },
      kept: { publishedAttachments: 0 },
    });
    const stored = JSON.stringify(record).toLowerCase();
    for (const personal of [
      request.sender.address ?? '',
      request.sender.name,
      request.subject,
      request.organisation ?? 'riverside',
      'grace',
    ])
      expect(stored).not.toContain(personal.toLowerCase());

    // Staff can list it, and the request's own address says where it went.
    const listed = await api(staff.caseworker, 'GET', '/api/disposals');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reference: request.reference, publication: null }),
      ]),
    );
    expect(JSON.stringify(listed.body)).not.toContain('PK');
    const gone = await api(staff.caseworker, 'GET', `/api/requests/${request.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toContain('disposed of');

    // A repeated run (the schedule delivers at least once) changes nothing.
    const again = await disposeClosedRequests(ports, rules, pastThePeriod());
    expect(again.disposed).toEqual([]);
    expect(await everything()).toEqual(after);
    // Nor does the handler as EventBridge runs it, today, with nothing due.
    expect(await postroom.runScheduled('disposeRequests')).toMatchObject({ disposed: [] });
    expect(await everything()).toEqual(after);
  });

  it('finishes a disposal a fault cut short on the next run, keeping its first record', async () => {
    const request = await newRequest('05-html-dangerous.eml');
    expect(
      await act(api, staff.caseworker, request.id, 'decline', { reason: 'Not our remit' }),
    ).toMatchObject({ status: 200 });
    await postroom.settle();
    const rawKeys = await rawKeysOf(request.id);

    // The table refuses the first batch of deletes: after the claim, the record and the
    // objects, before any record is gone.
    const realDynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const faults = mockClient(dynamo);
    // biome-ignore lint/suspicious/noExplicitAny: the command classes differ only in their input types
    const passThrough = (command: any) => (input: unknown) => realDynamo.send(new command(input));
    for (const command of [GetCommand, BatchGetCommand, PutCommand, UpdateCommand, QueryCommand])
      faults.on(command as never).callsFake(passThrough(command));
    faults
      .on(BatchWriteCommand)
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
      .callsFake(passThrough(BatchWriteCommand));
    try {
      await expect(disposeClosedRequests(disposal().ports, rules, pastThePeriod())).rejects.toThrow(
        'socket hang up',
      );
    } finally {
      faults.restore();
    }
    const halfway = copiesOf(await everything(), request, rawKeys);
    expect(halfway.rawMail).toEqual([]);
    expect(halfway.documents).toEqual([]);
    expect(halfway.items).toContain(`REQ#${request.id} META`);
    const claimed = await records.request(request.id);
    expect(claimed?.disposing).toMatchObject({ since: expect.any(String) });
    // Claimed, it takes no action: a hold now would come too late, and is refused.
    expect(
      await act(api, staff.admin, request.id, 'hold', { reason: 'Complaint received' }),
    ).toMatchObject({ status: 409 });
    const first = await getItem<{ disposedAt: string; disposed: Record<string, number> }>(
      `DISPOSAL#${request.id}`,
      'DISPOSAL',
    );
    expect(first?.disposed.rawMail).toBe(1);

    const resumed = await disposeClosedRequests(
      disposal().ports,
      rules,
      new Date(pastThePeriod().getTime() + 86_400_000),
    );
    expect(resumed.disposed).toContain(request.reference);
    expect(copiesOf(await everything(), request, rawKeys).items).toEqual([
      `DISPOSAL#${request.id} DISPOSAL`,
      `REF#${request.reference} REF`,
    ]);
    expect(await getItem(`DISPOSAL#${request.id}`, 'DISPOSAL')).toEqual(first);
  });

  it('keeps a published request’s public record and published attachment, and deletes its private copies', async () => {
    const request = await newRequest('01-letter-pdf.eml');
    await walkToHeld(api, request.id, {
      start: '2026-02-24T14:00:00Z',
      end: '2026-02-24T15:20:00Z',
      location: 'Central Edinburgh',
      attendees: [{ name: 'Helen Marsh', role: 'VP Public Affairs', organisation: 'LumenCam Ltd' }],
    });
    const saved = await api(staff.caseworker, 'PUT', `/api/requests/${request.id}/note`, {
      expectedVersion: 0,
      title: 'Meeting with LumenCam Ltd',
      body: '## Purpose\n\nCameras and public safety.\n\n## Conclusion\n\nAgreed to write.',
    });
    expect(saved.status).toBe(200);
    const [letter] = await records.messages(request.id);
    const attachment = letter?.documents?.attachments.find((one) => !one.inline)?.key ?? '';
    expect(attachment).not.toBe('');
    const current = await api(staff.caseworker, 'GET', `/api/requests/${request.id}`);
    expect(
      await api(staff.caseworker, 'PUT', `/api/requests/${request.id}/redactions`, {
        expectedVersion: current.body.version,
        reinstated: [],
        texts: [],
        patterns: [],
        clearedAttachments: [attachment],
        // Its text is not read for personal data, so publishing it needs a reason.
        clearingReasons: [{ key: attachment, reason: 'Checked by hand' }],
      }),
    ).toMatchObject({ status: 200 });
    expect(await act(api, staff.caseworker, request.id, 'submit_note')).toMatchObject({
      status: 200,
    });
    expect(await act(api, staff.approver, request.id, 'approve')).toMatchObject({ status: 200 });
    await postroom.settle();
    const published = await records.request(request.id);
    expect(published?.stage).toBe('published');
    const events = await records.events(request.id);
    const head = events.sort((a, b) => a.seq - b.seq).at(-1);
    const pageUrl = String(events.find((event) => event.action === 'publish')?.details.pageUrl);

    const rawKeys = await rawKeysOf(request.id);
    const mine = copiesOf(await everything(), request, rawKeys);
    expect(mine.rawMail).toHaveLength(1);
    expect(mine.documents.some((key) => key.includes('/note/'))).toBe(true);
    const publicObjects = async () =>
      Promise.all(
        (await keysIn(publicBucket())).map(async (key) => {
          const object = await s3Client.send(
            new GetObjectCommand({ Bucket: publicBucket(), Key: key }),
          );
          return [key, await object.Body?.transformToString()];
        }),
      );
    const publicBefore = await publicObjects();
    expect(publicBefore.some(([key]) => String(key).includes('/attachments/'))).toBe(true);

    const report = await disposeClosedRequests(disposal().ports, rules, pastThePeriod());
    expect(report.disposed).toContain(request.reference);
    // The catalogue takes the request out (and its copy of the text) once the stream brings it the disposal.
    await postroom.settle();

    const after = await everything();
    expect(await publicObjects()).toEqual(publicBefore);
    const left = copiesOf(after, request, rawKeys);
    expect(left.rawMail).toEqual([]);
    // What was published stays; the body, note versions and mail copies go.
    expect(left.documents).toEqual([attachment]);
    expect(left.items).toEqual([`DISPOSAL#${request.id} DISPOSAL`, `REF#${request.reference} REF`]);
    const record = after.table.find((item) => item.PK === `DISPOSAL#${request.id}`);
    expect(record).toMatchObject({
      stage: 'published',
      rule: { keeps: 'publication' },
      kept: { publishedAttachments: 1 },
      publication: { pageUrl, noteVersion: 1, corrections: 0 },
      auditChainHead: { seq: head?.seq, hash: head?.hash },
      receivedAt: request.receivedAt,
      closedAt: published?.closedAt,
    });
    expect(record?.publication).not.toHaveProperty('takenDownAt');
    const stored = JSON.stringify(record).toLowerCase();
    for (const personal of [request.sender.address ?? '', request.sender.name, request.subject])
      expect(stored).not.toContain(personal.toLowerCase());
  });

  it('keeps everything of a request on legal hold, raw mail unmarked, until the hold is released', async () => {
    const request = await newRequest('04-html-inline-image.eml');
    expect(
      await act(api, staff.caseworker, request.id, 'decline', { reason: 'Not our remit' }),
    ).toMatchObject({ status: 200 });
    await postroom.settle();
    const [letter] = await records.messages(request.id);
    const rawKey = letter?.raw?.key ?? '';
    expect((await rawMailState(rawKey)).mark).toBe(retentionTag.closed);

    // Only an admin may place a hold, and it takes the lifecycle mark off the raw mail.
    expect(
      await act(api, staff.caseworker, request.id, 'hold', { reason: 'Complaint received' }),
    ).toMatchObject({ status: 403 });
    expect(
      await act(api, staff.admin, request.id, 'hold', { reason: 'Complaint received' }),
    ).toMatchObject({ status: 200, body: { request: { legalHold: { by: staff.admin } } } });
    await postroom.settle();
    expect((await rawMailState(rawKey)).mark).toBe(retentionTag.open);

    const before = copiesOf(await everything(), request, [rawKey]);
    const report = await disposeClosedRequests(disposal().ports, rules, pastThePeriod());
    expect(report.onHold).toContain(request.reference);
    expect(report.disposed).not.toContain(request.reference);
    expect(copiesOf(await everything(), request, [rawKey])).toEqual(before);
    expect(before.rawMail).toHaveLength(1);
    expect(before.documents.length).toBeGreaterThan(1);

    // Released (audited, with its reason), the raw mail is marked again and disposal goes ahead.
    expect(
      await act(api, staff.admin, request.id, 'release_hold', { reason: 'Complaint closed' }),
    ).toMatchObject({ status: 200 });
    await postroom.settle();
    const trail = await records.events(request.id);
    expect(trail.slice(-2).map(({ action, details }) => ({ action, details }))).toEqual([
      { action: 'hold', details: { reason: 'Complaint received' } },
      { action: 'release_hold', details: { reason: 'Complaint closed' } },
    ]);
    expect((await rawMailState(rawKey)).mark).toBe(retentionTag.closed);
    const released = await disposeClosedRequests(disposal().ports, rules, pastThePeriod());
    expect(released.disposed).toContain(request.reference);
    const left = copiesOf(await everything(), request, [rawKey]);
    expect(left.rawMail).toEqual([]);
    expect(left.documents).toEqual([]);
  });
});
