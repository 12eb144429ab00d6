import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as intake } from '../../functions/intake-mail.ts';
import { LOCAL_REGION } from '../../infra/local/cloud.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { objectCreatedDelivery } from '../../infra/local/s3-notification.ts';
import { headOf, verifyChain } from '../../shared/workflow/audit.ts';
import { plainLetter } from '../support/letters.ts';
import {
  documentClient,
  env,
  getItem,
  putRaw,
  records,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * The edges where mail, references or notifications could go missing or double: ids
 * reused by strangers, copies of one message arriving together, numbers claimed by mail
 * that never became a request, and notifications that fail more than once.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
const year = new Date().getFullYear();
const context = lambdaContext('intake-mail', 120);
const deliverObject = (key: string) =>
  intake(objectCreatedDelivery(env().inbound, key, 0, LOCAL_REGION), context);

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
});
afterAll(async () => {
  await postroom.close();
});
beforeEach(async () => {
  await sentMail.clear();
});

const requestsFrom = async (address: string) =>
  (await records.requestsInStage('received')).filter(
    (request) => request.sender.address === address,
  );
const acknowledgementsTo = async (address: string) =>
  (await sentMail.to(address)).filter((mail) => mail.subject.includes('We have received'));

/** Every number the year's counter has handed out is a request or a recorded void. */
async function everyReferenceAccountedFor(): Promise<void> {
  const counter = await getItem<{ n: number }>(`COUNTER#${year}`, 'COUNTER');
  for (let sequence = 1; sequence <= (counter?.n ?? 0); sequence += 1) {
    const reference = `REQ-${year}-${String(sequence).padStart(4, '0')}`;
    const pointer = await getItem<{ requestId?: string; void?: { reason: string } }>(
      `REF#${reference}`,
      'REF',
    );
    expect(pointer?.requestId ?? pointer?.void?.reason, reference).toBeTruthy();
  }
}

const suppress = (address: string) =>
  documentClient.send(
    new PutCommand({
      TableName: env().table,
      Item: {
        PK: `ADDR#${address}`,
        SK: 'SUPPRESSED',
        address,
        reason: 'bounce',
        detail: 'mailbox does not exist',
        at: '2026-11-28T10:00:00.000Z',
        feedbackId: 'test',
      },
    }),
  );
const lift = (address: string) =>
  documentClient.send(
    new DeleteCommand({ TableName: env().table, Key: { PK: `ADDR#${address}`, SK: 'SUPPRESSED' } }),
  );

describe('Message-IDs that strangers reuse', () => {
  it('files a resend of a stranger’s letter on the stranger’s request, never on the one whose id it borrowed', async () => {
    await postroom.deliver(
      plainLetter({ from: 'alice@first.example', subject: 'Alice asks for a meeting' }),
    );
    const [alice] = await requestsFrom('alice@first.example');
    // The acknowledgement's own Message-ID, which Bob (knowingly or not) reuses.
    const ackId =
      (await records.messages(alice?.id ?? '')).find((m) => m.kind === 'acknowledgement')
        ?.messageId ?? '';
    expect(ackId).toMatch(/^<REQ-\d{4}-\d{4}\.ack\.[0-9a-f]{24}@postroom\.office\.example>$/);
    const bobs = plainLetter({
      from: 'bob@second.example',
      subject: 'Bob asks for a meeting',
      messageId: ackId,
    });
    await postroom.deliver(bobs);
    await postroom.deliver(bobs);

    const [bob] = await requestsFrom('bob@second.example');
    expect(bob?.flags.join(' ')).toMatch(/reuses the Message-ID of mail postroom sent/);
    const bobMessages = (await records.messages(bob?.id ?? '')).filter(
      (message) => message.direction === 'inbound',
    );
    expect(bobMessages).toHaveLength(2);
    expect(bobMessages.filter((message) => message.duplicateOf)).toHaveLength(1);
    const aliceMessages = (await records.messages(alice?.id ?? '')).filter(
      (message) => message.direction === 'inbound',
    );
    expect(aliceMessages).toHaveLength(1);
    expect(await acknowledgementsTo('bob@second.example')).toHaveLength(1);
  });
});

describe('copies of one message arriving together', () => {
  it('become one request; the others are filed on it as delivered again, with one acknowledgement', async () => {
    const letter = plainLetter({
      from: 'carol@third.example',
      subject: 'Four copies at once',
      messageId: '<four-copies@third.example>',
    });
    const keys = [1, 2, 3, 4].map((copy) => `inbound/copy-${copy}`);
    await Promise.all(keys.map((key) => putRaw(key, letter)));
    const responses = await Promise.all(keys.map(deliverObject));
    expect(responses.flatMap((response) => response.batchItemFailures)).toEqual([]);
    await postroom.settle();

    const requests = await requestsFrom('carol@third.example');
    expect(requests).toHaveLength(1);
    const inbound = (await records.messages(requests[0]?.id ?? '')).filter(
      (message) => message.direction === 'inbound',
    );
    expect(inbound).toHaveLength(4);
    expect(inbound.filter((message) => message.duplicateOf)).toHaveLength(3);
    expect(await acknowledgementsTo('carol@third.example')).toHaveLength(1);
    await everyReferenceAccountedFor();
  });
});

describe('references claimed by mail that does not become a request', () => {
  it('are given back, or recorded as void, so every number is accounted for', async () => {
    // Held mail that intake could not file: open and discard race for it, several times.
    for (let round = 0; round < 4; round += 1) {
      const key = `inbound/contested-${round}`;
      await putRaw(
        key,
        plainLetter({ from: `dana${round}@fourth.example`, subject: `Contested ${round}` }),
      );
      const { handler: holdUnfiled } = await import('../../functions/intake-dead-letters.ts');
      await holdUnfiled(objectCreatedDelivery(env().inbound, key, 0, LOCAL_REGION), context);
      const held = (await records.heldMail()).find((item) => item.raw.key === key);
      const path = `/api/held-mail/${held?.id}/actions`;
      const answers = await Promise.all([
        api(staff.caseworker, 'POST', path, { action: 'retry' }),
        api(staff.otherCaseworker, 'POST', path, { action: 'discard', reason: 'spam' }),
        api(staff.admin, 'POST', path, { action: 'open' }),
      ]);
      const statuses = answers.map((answer) => answer.status);
      expect(
        statuses.filter((status) => status === 200),
        statuses.join(),
      ).toHaveLength(1);
      expect(statuses.filter((status) => status !== 200).every((status) => status === 409)).toBe(
        true,
      );
      // Its chain records the hold and the one decision that won, nothing of the losers.
      const resolved = await records.held(held?.id ?? '');
      const events = await records.heldEvents(held?.id ?? '');
      expect(verifyChain(events, headOf(resolved ?? {}))).toMatchObject({ intact: true, count: 2 });
      expect(events.map((event) => event.to)).toEqual([
        'held',
        (resolved as { status?: string } | undefined)?.status,
      ]);
    }
    await postroom.settle();
    await everyReferenceAccountedFor();
    // The counter steps on from the last number used or voided: a new letter is next.
    await postroom.deliver(plainLetter({ from: 'erin@fifth.example', subject: 'After the race' }));
    const counter = await getItem<{ n: number }>(`COUNTER#${year}`, 'COUNTER');
    const [erin] = await requestsFrom('erin@fifth.example');
    expect(erin?.reference).toBe(`REQ-${year}-${String(counter?.n).padStart(4, '0')}`);
    await everyReferenceAccountedFor();
  });
});

describe('addresses no one could use', () => {
  it('holds mail from an address longer than 254 characters, saying why', async () => {
    const long = `${'x'.repeat(2000)}@org.example`;
    await postroom.deliver(plainLetter({ from: long, subject: 'Very long sender' }));
    const held = (await records.heldMail()).find((item) => item.subject === 'Very long sender');
    expect(held).toMatchObject({
      reason: 'no_sender',
      detail: expect.stringMatching(/at most 254/),
    });
    expect((held?.from ?? '').length).toBeLessThanOrEqual(1000);
  });

  it('files mail whose display name is huge, with the name cut short', async () => {
    await postroom.deliver(
      plainLetter({ from: `"${'N'.repeat(450_000)}" <frank@sixth.example>`, subject: 'Huge name' }),
    );
    const [frank] = await requestsFrom('frank@sixth.example');
    expect(frank?.sender.name.length).toBeLessThanOrEqual(200);
    expect(await acknowledgementsTo('frank@sixth.example')).toHaveLength(1);
  });

  it('refuses an assignee address longer than 254 characters', async () => {
    const [frank] = await requestsFrom('frank@sixth.example');
    const detail = await api(staff.caseworker, 'GET', `/api/requests/${frank?.id}`);
    const refused = await api(staff.caseworker, 'POST', `/api/requests/${frank?.id}/actions`, {
      action: 'assign',
      expectedVersion: detail.body.version,
      assignee: `${'a'.repeat(1100)}@office.example`,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields[0].message).toMatch(/at most 254/);
  });
});

describe('notifications that fail more than once', () => {
  it('can be sent again after a resend failed too', async () => {
    const address = 'grace@seventh.example';
    await suppress(address);
    await postroom.deliver(plainLetter({ from: address, subject: 'Twice unlucky' }));
    const [grace] = await requestsFrom(address);
    const path = `/api/requests/${grace?.id}`;
    const first = (await api(staff.caseworker, 'GET', path)).body.failedNotifications[0];
    expect(first).toMatchObject({ kind: 'acknowledgement', recipient: address });

    expect(
      (await api(staff.caseworker, 'POST', `${path}/notifications/${first.id}/resend`)).status,
    ).toBe(200);
    await postroom.settle();
    const again = (await api(staff.caseworker, 'GET', path)).body.failedNotifications.find(
      (failure: { id: string }) => failure.id !== first.id,
    );
    expect(again).toMatchObject({
      kind: 'acknowledgement',
      error: expect.stringMatching(/bounced/),
    });

    await lift(address);
    expect(
      (await api(staff.caseworker, 'POST', `${path}/notifications/${again.id}/resend`)).status,
    ).toBe(200);
    await postroom.settle();
    expect(await acknowledgementsTo(address)).toHaveLength(1);
  });

  it('can be sent again when it was recorded before failures were keyed by kind', async () => {
    await postroom.deliver(plainLetter({ from: 'heidi@eighth.example', subject: 'Old record' }));
    const [heidi] = await requestsFrom('heidi@eighth.example');
    await documentClient.send(
      new PutCommand({
        TableName: env().table,
        Item: {
          PK: `REQ#${heidi?.id}`,
          SK: 'FAIL#000001#heidi@eighth.example',
          type: 'failed-notification',
          seq: 1,
          kind: 'acknowledgement',
          recipient: 'heidi@eighth.example',
          error: 'interrupted while sending',
          at: '2026-11-20T10:00:00.000Z',
        },
      }),
    );
    await sentMail.clear();
    const path = `/api/requests/${heidi?.id}`;
    const [old] = (await api(staff.caseworker, 'GET', path)).body.failedNotifications;
    const resent = await api(staff.caseworker, 'POST', `${path}/notifications/${old.id}/resend`);
    expect(resent.status).toBe(200);
    await postroom.settle();
    expect(await acknowledgementsTo('heidi@eighth.example')).toHaveLength(1);
  });

  it('refuses to resend an invitation the meeting has since outgrown', async () => {
    const attendee = 'ivan@ninth.example';
    await postroom.deliver(plainLetter({ from: 'judy@ninth.example', subject: 'A meeting moved' }));
    const [judy] = await requestsFrom('judy@ninth.example');
    const path = `/api/requests/${judy?.id}`;
    const act = async (action: string, fields: Record<string, unknown> = {}) => {
      const { body } = await api(staff.caseworker, 'GET', path);
      return api(staff.caseworker, 'POST', `${path}/actions`, {
        action,
        expectedVersion: body.version,
        ...fields,
      });
    };
    const meeting = (day: string, room: string) => ({
      start: `2027-06-${day}T10:00:00Z`,
      end: `2027-06-${day}T11:00:00Z`,
      location: room,
      attendees: [{ name: 'Ivan', role: 'Adviser', organisation: 'Ninth', email: attendee }],
    });
    await suppress(attendee);
    expect((await act('accept')).status).toBe(200);
    expect((await act('schedule', meeting('10', 'Room A'))).status).toBe(200);
    await postroom.settle();
    await lift(attendee);
    expect((await act('reschedule', meeting('20', 'Room B'))).status).toBe(200);
    await postroom.settle();
    const failure = (await api(staff.caseworker, 'GET', path)).body.failedNotifications.find(
      (candidate: { recipient: string }) => candidate.recipient === attendee,
    );
    const refused = await api(
      staff.caseworker,
      'POST',
      `${path}/notifications/${failure.id}/resend`,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/out of date: the meeting was rescheduled/);
    const invitations = await sentMail.to(attendee);
    expect(invitations.map((mail) => mail.subject)).toEqual([
      expect.stringMatching(/rescheduled/i),
    ]);
  });
});
