import { GetObjectTaggingCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionPorts } from '../../shared/aws/retention-ports.ts';
import {
  applyDiscardRetention,
  applyRetention,
  retentionTag,
} from '../../shared/retention/raw-mail.ts';
import {
  act,
  env,
  fixture,
  records,
  s3Client,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * Raw mail of a closed request is marked for the inbound bucket's lifecycle rule, and
 * rewritten so the retention period counts from the closing; reopening unmarks it.
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
