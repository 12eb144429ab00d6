import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as intake } from '../../functions/intake-mail.ts';
import { handler as notify } from '../../functions/notify.ts';
import { LOCAL_REGION } from '../../infra/local/cloud.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { objectCreatedDelivery } from '../../infra/local/s3-notification.ts';
import { dynamo, ses } from '../../shared/aws/clients.ts';
import { plainLetter } from '../support/letters.ts';
import {
  documentClient,
  documentKeys,
  env,
  fixture,
  getItem,
  insertedOnStream,
  putRaw,
  records,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * At-least-once delivery: the same object, the same event, concurrent deliveries and
 * retries after a crash partway through all leave one request and one acknowledgement.
 * Faults are injected with aws-sdk-client-mock; everything else is the real emulators.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
const context = lambdaContext('intake-mail', 60);
const year = new Date().getFullYear();
const deliveryOf = (key: string) => objectCreatedDelivery(env().inbound, key, 0, LOCAL_REGION);
const acknowledgementsTo = async (address: string) =>
  (await sentMail.to(address)).filter((mail) => mail.subject.includes('We have received'));

/** Sends through a second, unmocked client: the fault is injected only where asked. */
const realDynamo = documentClient;
const realSes = new SESClient({});
// biome-ignore lint/suspicious/noExplicitAny: the command classes differ only in their input types
const passThrough = (command: any) => (input: unknown) => realDynamo.send(new command(input));

let faults: Array<{ restore(): void }> = [];

/**
 * Installs mocks on the handlers' shared clients that let every call through to the
 * emulators except the commands a test is about to fault.
 */
function passThroughExcept(faulted: unknown[]) {
  const dynamoFaults = mockClient(dynamo);
  const sesFaults = mockClient(ses);
  faults = [dynamoFaults, sesFaults];
  const commands = [
    GetCommand,
    BatchGetCommand,
    PutCommand,
    UpdateCommand,
    DeleteCommand,
    QueryCommand,
    TransactWriteCommand,
  ];
  for (const command of commands) {
    if (!faulted.includes(command))
      dynamoFaults.on(command as never).callsFake(passThrough(command));
  }
  if (!faulted.includes(SendRawEmailCommand)) {
    sesFaults
      .on(SendRawEmailCommand)
      .callsFake((input) => realSes.send(new SendRawEmailCommand(input)));
  }
  return { dynamoFaults, sesFaults };
}

function removeFaults() {
  for (const fault of faults) fault.restore();
  faults = [];
}

beforeAll(async () => {
  postroom = await startPostroom();
});
afterAll(async () => {
  await postroom.close();
});
beforeEach(async () => {
  await sentMail.clear();
});
afterEach(removeFaults);

describe('intake is idempotent per S3 object', () => {
  it('files a redelivered event, and two concurrent deliveries, once', async () => {
    const key = 'inbound/redelivered-0001';
    await putRaw(key, fixture('02-docx-charity.eml'));
    const event = deliveryOf(key);
    await intake(event, context);
    await intake(event, context);
    await Promise.all([intake(deliveryOf(key), context), intake(deliveryOf(key), context)]);
    await postroom.settle();

    const filing = await records.filing(key);
    expect(filing).toMatchObject({ place: 'request', reference: `REQ-${year}-0001` });
    expect(await getItem<{ n: number }>(`COUNTER#${year}`, 'COUNTER')).toMatchObject({ n: 1 });
    expect(await records.requestsInStage('received')).toHaveLength(1);
    expect(await acknowledgementsTo('g.whitfield@riversideyouth.example')).toHaveLength(1);
  });

  it('recovers from a crash between storing the parts and the transaction', async () => {
    const key = 'inbound/crash-before-commit';
    await putRaw(key, fixture('03-pdf-and-docx.eml'));
    const { dynamoFaults } = passThroughExcept([TransactWriteCommand]);
    dynamoFaults
      .on(TransactWriteCommand)
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
      .callsFake(passThrough(TransactWriteCommand));

    const first = await intake(deliveryOf(key), context);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(await records.filing(key)).toBeUndefined();

    const second = await intake(deliveryOf(key), context);
    expect(second.batchItemFailures).toHaveLength(0);
    await postroom.settle();
    const filing = await records.filing(key);
    expect(filing).toMatchObject({ place: 'request', reference: `REQ-${year}-0002` });
    const request = await records.request(filing?.place === 'request' ? filing.requestId : '');
    expect(request?.messageCount).toBe(1);
    // The retry wrote its parts to the same keys: two attachments, not four.
    const parts = await documentKeys(`requests/${request?.id}/messages/`);
    expect(parts.filter((part) => part.includes('/attachments/'))).toHaveLength(2);
    expect(await acknowledgementsTo('m.ellison@droneoperators.example')).toHaveLength(1);
  });

  it('recovers from a crash after the transaction committed', async () => {
    const key = 'inbound/crash-after-commit';
    await putRaw(key, fixture('22-freemail-signature.eml'));
    const { dynamoFaults } = passThroughExcept([TransactWriteCommand]);
    dynamoFaults
      .on(TransactWriteCommand)
      .callsFakeOnce(async (input) => {
        await realDynamo.send(new TransactWriteCommand(input));
        throw Object.assign(new Error('connection reset after commit'), { name: 'TimeoutError' });
      })
      .callsFake(passThrough(TransactWriteCommand));

    expect((await intake(deliveryOf(key), context)).batchItemFailures).toHaveLength(1);
    removeFaults();
    expect((await intake(deliveryOf(key), context)).batchItemFailures).toHaveLength(0);
    await postroom.settle();

    expect(await records.filing(key)).toMatchObject({ reference: `REQ-${year}-0003` });
    expect(await getItem<{ n: number }>(`COUNTER#${year}`, 'COUNTER')).toMatchObject({ n: 3 });
    expect(await acknowledgementsTo('ruth.campbell@mailbox.example')).toHaveLength(1);
  });
});

describe('notifications are idempotent per (event, recipient)', () => {
  it('never resends after a timeout that may have delivered, and shows staff it is unknown', async () => {
    const { sesFaults } = passThroughExcept([SendRawEmailCommand]);
    sesFaults
      .on(SendRawEmailCommand)
      .rejects(
        Object.assign(new Error('Request timed out after 10000 ms'), { name: 'TimeoutError' }),
      );
    await postroom.deliver(fixture('08-iso-2022-jp.eml'));
    removeFaults();
    const request = (await records.requestsInStage('received')).find(
      (candidate) => candidate.sender.address === 't.sato@sakura-kogaku.example',
    );
    const claims = await records.notifications(request?.id ?? '');
    expect(claims.map((claim) => claim.state)).toEqual(['unknown', 'unknown']);
    const { body } = await staffClient(postroom.apiPort)(
      staff.caseworker,
      'GET',
      `/api/requests/${request?.id}`,
    );
    expect(body.failedNotifications[0].error).toMatch(/TimeoutError.*may have been delivered/);
    // A redelivered stream batch finds the settled claims and sends nothing.
    await postroom.settle();
    expect(await sentMail.to('t.sato@sakura-kogaku.example')).toHaveLength(0);
  });

  it('records a send SES rejects outright on the request, where the API shows it', async () => {
    const { sesFaults } = passThroughExcept([SendRawEmailCommand]);
    sesFaults
      .on(SendRawEmailCommand)
      .rejects(
        Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }),
      );
    await postroom.deliver(fixture('07-iso-8859-1.eml'));
    removeFaults();
    const request = (await records.requestsInStage('received')).find(
      (candidate) => candidate.sender.address === 'h.moreau@cafes-solidaires.example',
    );
    const api = staffClient(postroom.apiPort);
    const { body } = await api(staff.caseworker, 'GET', `/api/requests/${request?.id}`);
    expect(body.failedNotifications).toEqual([
      expect.objectContaining({
        kind: 'acknowledgement',
        recipient: 'h.moreau@cafes-solidaires.example',
        error: expect.stringMatching(/^MessageRejected/),
      }),
      expect.objectContaining({
        kind: 'new-request-alert',
        error: expect.stringMatching(/^MessageRejected/),
      }),
    ]);
    expect(postroom.pollers.notify?.deadLetters).toHaveLength(0);
    expect(await sentMail.to('h.moreau@cafes-solidaires.example')).toHaveLength(0);
  });

  it('sends nothing twice when a stream batch is replayed', async () => {
    await postroom.deliver(fixture('28-rfc2231-filename.eml'));
    const request = (await records.requestsInStage('received')).find(
      (candidate) => candidate.sender.address === 'claire.dubois@ape-lille.example',
    );
    const [event] = await records.events(request?.id ?? '');
    expect(await sentMail.to('claire.dubois@ape-lille.example')).toHaveLength(1);

    const replay = insertedOnStream(event as object);
    const response = await notify(replay, lambdaContext('notify', 60));
    await notify(replay, lambdaContext('notify', 60));
    expect(response.batchItemFailures).toEqual([]);
    expect(await sentMail.to('claire.dubois@ape-lille.example')).toHaveLength(1);
    expect(await sentMail.to(env().staff)).toHaveLength(1);
  });

  it('retries a send that SES refused, and then sends it once', async () => {
    const { sesFaults } = passThroughExcept([SendRawEmailCommand]);
    sesFaults
      .on(SendRawEmailCommand)
      .rejectsOnce(
        Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }),
      )
      .callsFake((input) => realSes.send(new SendRawEmailCommand(input)));
    await postroom.deliver(fixture('30-cc-multiple-to-reply-to.eml'));
    expect(postroom.pollers.notify?.deadLetters).toHaveLength(0);
    expect(await acknowledgementsTo('james.okafor@urbanmobility.example')).toHaveLength(1);
    expect(await sentMail.to(env().staff)).toHaveLength(1);
  });
});

describe('a notification that failed or may not have arrived', () => {
  it('is sent again once when staff ask, audited, and never by itself', async () => {
    const { sesFaults } = passThroughExcept([SendRawEmailCommand]);
    sesFaults
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('Daily message quota exceeded.'), { name: 'Throttling' }));
    await postroom.deliver(
      plainLetter({ from: 'Owen Price <owen@riverfolk.example>', subject: 'A meeting, please' }),
    );
    removeFaults();
    const request = (await records.requestsInStage('received')).find(
      (candidate) => candidate.sender.address === 'owen@riverfolk.example',
    );
    const api = staffClient(postroom.apiPort);
    const path = `/api/requests/${request?.id}`;
    const before = await api(staff.caseworker, 'GET', path);
    const failure = before.body.failedNotifications.find(
      (candidate: { kind: string }) => candidate.kind === 'acknowledgement',
    );
    expect(failure).toMatchObject({ recipient: 'owen@riverfolk.example', id: expect.any(String) });
    expect(failure).not.toHaveProperty('resent');
    // Settling again (a replayed stream) sends nothing: only a person may ask for it.
    await postroom.settle();
    expect(await acknowledgementsTo('owen@riverfolk.example')).toHaveLength(0);

    // Not through the generic actions route, where nothing checks what is being resent.
    const generic = await api(staff.caseworker, 'POST', `${path}/actions`, {
      action: 'resend_notification',
      expectedVersion: before.body.version,
      failure: failure.id,
      seq: 1,
      kind: 'acknowledgement',
      recipient: 'someone.else@example.org',
    });
    expect(generic.status).toBe(422);

    const [first, second] = await Promise.all([
      api(staff.caseworker, 'POST', `${path}/notifications/${failure.id}/resend`),
      api(staff.approver, 'POST', `${path}/notifications/${failure.id}/resend`),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    await postroom.settle();
    const resent = await acknowledgementsTo('owen@riverfolk.example');
    expect(resent).toHaveLength(1);
    expect(resent[0]?.subject).toContain(request?.reference);

    const after = await api(staff.caseworker, 'GET', path);
    const marked = after.body.failedNotifications.find(
      (candidate: { id: string }) => candidate.id === failure.id,
    );
    expect(marked.resent).toMatchObject({ by: expect.stringMatching(/@office\.example$/) });
    const event = after.body.events.at(-1);
    expect(event).toMatchObject({
      action: 'resend_notification',
      details: {
        failure: failure.id,
        kind: 'acknowledgement',
        recipient: 'owen@riverfolk.example',
      },
    });
    // The outbound copy is on the timeline, and a replay of the resend event sends nothing.
    expect(
      after.body.messages.filter(
        (message: { direction: string; kind?: string }) =>
          message.direction === 'outbound' && message.kind === 'acknowledgement',
      ),
    ).toHaveLength(1);
    await postroom.settle();
    expect(await acknowledgementsTo('owen@riverfolk.example')).toHaveLength(1);
    const again = await api(staff.caseworker, 'POST', `${path}/notifications/${failure.id}/resend`);
    expect(again.status).toBe(409);
  });

  it('finishes its bookkeeping after a crash that follows the send, without sending twice', async () => {
    const { dynamoFaults } = passThroughExcept([TransactWriteCommand]);
    // The first four writes of an outbound record fail: more than one attempt's retries.
    let failuresLeft = 4;
    dynamoFaults.on(TransactWriteCommand).callsFake(async (input) => {
      if (JSON.stringify(input).includes('"direction":"outbound"') && failuresLeft) {
        failuresLeft -= 1;
        throw Object.assign(new Error('connection reset'), { name: 'ECONNRESET' });
      }
      return realDynamo.send(new TransactWriteCommand(input));
    });
    await postroom.deliver(
      plainLetter({ from: 'Iona Grant <iona@glenfarm.example>', subject: 'Farm visit' }),
    );
    removeFaults();
    await postroom.settle();
    expect(await acknowledgementsTo('iona@glenfarm.example')).toHaveLength(1);
    const request = (await records.requestsInStage('received')).find(
      (candidate) => candidate.sender.address === 'iona@glenfarm.example',
    );
    const claims = await records.notifications(request?.id ?? '');
    expect(claims.map((claim) => claim.state)).toEqual(['sent', 'sent']);
    const outbound = (await records.messages(request?.id ?? '')).filter(
      (message) => message.direction === 'outbound',
    );
    expect(outbound).toHaveLength(2);
  });
});

describe('mail intake gives up on', () => {
  it('goes to held mail as could not be filed, and files once when staff try again', async () => {
    // Every filing transaction fails (a fault outside the mail), but holding still works.
    const { dynamoFaults } = passThroughExcept([TransactWriteCommand]);
    dynamoFaults.on(TransactWriteCommand).callsFake(async (input) => {
      const filesRequest = JSON.stringify(input).includes('"type":"request"');
      if (filesRequest)
        throw Object.assign(new Error('We currently do not have sufficient capacity'), {
          name: 'InternalServerError',
        });
      return realDynamo.send(new TransactWriteCommand(input));
    });
    const letter = plainLetter({
      from: 'Nadia Rahman <nadia@coastalwatch.example>',
      subject: 'Meeting about coastal erosion',
    });
    await postroom.deliver(letter);
    removeFaults();

    const held = (await records.heldMail()).find((item) => item.from?.includes('nadia@'));
    expect(held).toMatchObject({
      reason: 'could_not_file',
      subject: 'Meeting about coastal erosion',
      detail: expect.stringMatching(/failed on each of 5 attempts.*raw message is kept/),
    });
    expect(await sentMail.to('nadia@coastalwatch.example')).toHaveLength(0);
    const api = staffClient(postroom.apiPort);
    const listed = await api(staff.caseworker, 'GET', '/api/held-mail');
    expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(held?.id);

    const retried = await api(staff.caseworker, 'POST', `/api/held-mail/${held?.id}/actions`, {
      action: 'retry',
    });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'refiled', reference: expect.any(String) });
    await postroom.settle();
    const request = await records.request(retried.body.requestId);
    expect(request).toMatchObject({ stage: 'received', subject: 'Meeting about coastal erosion' });
    expect(await records.held(held?.id ?? '')).toMatchObject({ status: 'refiled' });
    expect(await acknowledgementsTo('nadia@coastalwatch.example')).toHaveLength(1);

    const again = await api(staff.caseworker, 'POST', `/api/held-mail/${held?.id}/actions`, {
      action: 'retry',
    });
    expect(again.status).toBe(409);
    const fromNadia = (await records.requestsInStage('received')).filter(
      (candidate) => candidate.sender.address === 'nadia@coastalwatch.example',
    );
    expect(fromNadia).toHaveLength(1);
  });

  it('refuses to retry mail that was held for what it is', async () => {
    await postroom.deliver(fixture('18-missing-from.eml'));
    const held = (await records.heldMail()).find((item) => item.reason === 'no_sender');
    const api = staffClient(postroom.apiPort);
    const refused = await api(staff.caseworker, 'POST', `/api/held-mail/${held?.id}/actions`, {
      action: 'retry',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/only mail intake could not file/);
    expect(await records.held(held?.id ?? '')).not.toHaveProperty('status');
  });
});
