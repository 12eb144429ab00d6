import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provision, resourceNames } from '../../infra/local/cloud.ts';
import { checkAuditRecords } from '../../shared/aws/audit-chains.ts';
import { type AuditEvent, GENESIS_HASH, sealEvent } from '../../shared/workflow/audit.ts';
import {
  act,
  asAnotherMessage,
  documentClient,
  env,
  fixture,
  records,
  s3Client,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * The record proves itself: tampering with the table, each way it can be done, shows in
 * GET /api/requests/{id}/audit and in `npm run audit:verify`; the daily digest anchors
 * the chains where a rewrite of the table cannot follow.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
/** One request per kind of tampering, and one left alone. */
const ids = { altered: '', truncated: '', reordered: '', rewritten: '', untouched: '' };
let heldId = '';
const publicBucket = () => process.env.PUBLIC_BUCKET ?? '';
const eventKey = (id: string, seq: number) => ({
  PK: `REQ#${id}`,
  SK: `EVT#${String(seq).padStart(6, '0')}`,
});
const audit = (id: string, as = staff.caseworker) => api(as, 'GET', `/api/requests/${id}/audit`);
const check = () => checkAuditRecords({ table: env().table, publicBucket: publicBucket() });
const reportOf = async (id: string) =>
  (await check()).reports.find((report) => report.id === id)?.verification;

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  const names = Object.keys(ids) as Array<keyof typeof ids>;
  for (const [index, name] of names.entries()) {
    await postroom.deliver(asAnotherMessage(fixture('01-letter-pdf.eml'), `audit${index}`));
    const request = (await records.requestsInStage('received')).find(
      (candidate) => !Object.values(ids).includes(candidate.id),
    );
    ids[name] = request?.id ?? '';
    for (const [action, fields] of [
      ['accept', {}],
      ['comment', { text: 'Called them back.' }],
      ['comment', { text: 'They will send an agenda.' }],
    ] as const) {
      expect((await act(api, staff.caseworker, ids[name], action, fields)).status).toBe(200);
    }
  }
  await postroom.deliver(fixture('18-missing-from.eml'));
  heldId = (await records.heldMail())[0]?.id ?? '';
  const discarded = await api(staff.caseworker, 'POST', `/api/held-mail/${heldId}/actions`, {
    action: 'discard',
    reason: 'Sent again with a sender',
  });
  expect(discarded.status).toBe(200);
  await postroom.settle();
});
afterAll(async () => {
  await postroom.close();
});

describe('GET /api/requests/{id}/audit and audit:verify', () => {
  it('find every chain intact while nobody has touched the table', async () => {
    const request = await records.request(ids.untouched);
    const { status, body } = await audit(ids.untouched);
    expect(status).toBe(200);
    expect(body.verification).toEqual({ intact: true, count: 4, head: request?.lastHash });
    expect(body.events.map((event: AuditEvent) => event.action)).toEqual([
      'receive',
      'accept',
      'comment',
      'comment',
    ]);
    const { reports } = await check();
    expect(reports.filter((report) => !report.verification.intact)).toEqual([]);
    // Held mail's chain is checked too: the hold and the discard.
    expect(reports.find((report) => report.id === heldId)).toMatchObject({
      kind: 'held mail',
      verification: { intact: true, count: 2 },
    });
  });

  it('answers any staff role, and nobody without a token', async () => {
    expect((await audit(ids.untouched, staff.approver)).status).toBe(200);
    expect((await audit(ids.untouched, staff.admin)).status).toBe(200);
    expect((await api(undefined, 'GET', `/api/requests/${ids.untouched}/audit`)).status).toBe(401);
    expect((await audit('0123456789abcdef0123')).status).toBe(404);
  });

  it('find a middle event whose contents were changed', async () => {
    await documentClient.send(
      new UpdateCommand({
        TableName: env().table,
        Key: eventKey(ids.altered, 3),
        UpdateExpression: 'SET details = :details',
        ExpressionAttributeValues: { ':details': { text: 'Never called them.' } },
      }),
    );
    expect((await audit(ids.altered)).body.verification).toMatchObject({
      intact: false,
      brokenAt: 3,
      reason: expect.stringContaining('altered'),
    });
    expect(await reportOf(ids.altered)).toMatchObject({ intact: false, brokenAt: 3 });
  });

  it('find the newest event deleted, which the links between events cannot show', async () => {
    await documentClient.send(
      new DeleteCommand({ TableName: env().table, Key: eventKey(ids.truncated, 4) }),
    );
    const expected = {
      intact: false,
      count: 3,
      brokenAt: 4,
      reason: expect.stringContaining('the newest events were removed'),
    };
    expect((await audit(ids.truncated)).body.verification).toMatchObject(expected);
    expect(await reportOf(ids.truncated)).toMatchObject(expected);
  });

  it('find events swapped between their places', async () => {
    const read = async (seq: number) =>
      (
        await documentClient.send(
          new GetCommand({ TableName: env().table, Key: eventKey(ids.reordered, seq) }),
        )
      ).Item ?? {};
    const [second, third] = [await read(2), await read(3)];
    for (const [event, seq] of [
      [third, 2],
      [second, 3],
    ] as const) {
      await documentClient.send(
        new PutCommand({
          TableName: env().table,
          Item: { ...event, ...eventKey(ids.reordered, seq) },
        }),
      );
    }
    const expected = {
      intact: false,
      brokenAt: 2,
      reason: expect.stringContaining('out of order'),
    };
    expect((await audit(ids.reordered)).body.verification).toMatchObject(expected);
    expect(await reportOf(ids.reordered)).toMatchObject(expected);
  });
});

describe('the daily audit digest', () => {
  let key = '';
  const published = async () => {
    const object = await s3Client.send(new GetObjectCommand({ Bucket: publicBucket(), Key: key }));
    return (await object.Body?.transformToString()) ?? '';
  };

  it('is published by the sweep with every chain’s head and nothing personal', async () => {
    const report = (await postroom.runScheduled('sweep')) as { auditDigest: { key: string } };
    key = report.auditDigest.key;
    expect(key).toMatch(/^audit\/\d{4}-\d{2}-\d{2}\.json$/);
    const text = await published();
    const digest = JSON.parse(text);
    expect(digest.date).toBe(key.slice('audit/'.length, -'.json'.length));
    for (const id of Object.values(ids)) {
      const request = await records.request(id);
      expect(digest.requests).toContainEqual({
        id,
        count: request?.eventSeq,
        head: request?.lastHash,
      });
      expect(text).not.toContain(request?.reference);
      expect(text).not.toContain(request?.subject);
      expect(text).not.toContain(request?.sender.name);
    }
    expect(digest.heldMail).toContainEqual(expect.objectContaining({ id: heldId, count: 2 }));
    expect(text).not.toContain('@');
    expect(text).not.toMatch(/Helen|Marsh|LumenCam/i);
  });

  it('is published once a day: a later run the same day changes nothing', async () => {
    const before = await published();
    expect(
      (await act(api, staff.caseworker, ids.untouched, 'comment', { text: 'Later.' })).status,
    ).toBe(200);
    const again = (await postroom.runScheduled('sweep')) as {
      auditDigest: { key: string; published: boolean };
    };
    expect(again.auditDigest).toEqual({ key, published: false });
    expect(await published()).toBe(before);
  });

  it('shows history rewritten after it, even a rewrite that leaves the chain whole', async () => {
    // Whoever can write to the table re-seals the whole chain with a changed first event
    // and moves the request's head to match: every link holds.
    const events = await records.events(ids.rewritten);
    let prevHash = GENESIS_HASH;
    const forged = events.map(({ prevHash: _p, hash: _h, ...event }) => {
      const details =
        event.seq === 1 ? { ...event.details, subject: 'Nothing to see' } : event.details;
      const sealed = sealEvent({ ...event, details }, prevHash);
      prevHash = sealed.hash;
      return sealed;
    });
    for (const event of forged) {
      await documentClient.send(
        new PutCommand({
          TableName: env().table,
          Item: { ...eventKey(ids.rewritten, event.seq), type: 'event', ...event },
        }),
      );
    }
    await documentClient.send(
      new UpdateCommand({
        TableName: env().table,
        Key: { PK: `REQ#${ids.rewritten}`, SK: 'META' },
        UpdateExpression: 'SET lastHash = :hash',
        ExpressionAttributeValues: { ':hash': prevHash },
      }),
    );
    // The request alone cannot tell: its chain ends where its head says.
    expect((await audit(ids.rewritten)).body.verification).toMatchObject({ intact: true });
    // The published digest can.
    const day = key.slice('audit/'.length, -'.json'.length);
    expect(await reportOf(ids.rewritten)).toMatchObject({
      intact: false,
      reason: expect.stringMatching(new RegExp(`^history rewritten after ${day}: `)),
    });
  });
});

describe('npm run audit:verify', () => {
  const run = (environment: Record<string, string>) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, '..', '..', 'infra', 'local', 'audit-verify.ts'),
        ],
        { env: { ...process.env, ...environment }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      child.on('exit', (code) => resolve({ code, output }));
    });

  it('prints each broken chain with why, and exits non-zero', async () => {
    const { code, output } = await run({});
    expect(code, output).toBe(1);
    const broken = output.split('\n').filter((line) => line.startsWith('BROKEN '));
    expect(broken).toHaveLength(4);
    for (const id of [ids.altered, ids.truncated, ids.reordered, ids.rewritten]) {
      expect(broken.some((line) => line.includes(id))).toBe(true);
    }
    expect(output).not.toMatch(new RegExp(`BROKEN .*${ids.untouched}`));
    expect(output).toMatch(/against 1 published digests/);
    expect(output).toContain('4 of 6 chains broken');
  });

  it('exits 0 for a table whose every chain holds', async () => {
    const names = resourceNames(`${env().table}-intact`);
    await provision(names);
    const { code, output } = await run({ ...names });
    expect(code, output).toBe(0);
    expect(output).toContain('every chain holds (0)');
  });
});
