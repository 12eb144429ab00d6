import { randomBytes } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/sending-feedback.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import {
  env,
  fixture,
  getItem,
  records,
  sentMail,
  startPostroom,
  withReference,
} from '../support/postroom.ts';

/**
 * SES's bounce and complaint events reach the sending-feedback function through SNS; an
 * address it records is never mailed again, and staff see why beside the request.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;

beforeAll(async () => {
  postroom = await startPostroom();
});
afterAll(async () => {
  await postroom.close();
});

const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}@lumencam.example`;

/** What SNS hands Lambda for one SES event published by the configuration set. */
function snsEvent(sesEvent: Record<string, unknown>): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-west-1:111111111111:SendingFeedback:1',
        Sns: {
          Type: 'Notification',
          MessageId: randomBytes(8).toString('hex'),
          TopicArn: 'arn:aws:sns:eu-west-1:111111111111:SendingFeedback',
          Subject: 'Amazon SES Email Event Notification',
          Message: JSON.stringify(sesEvent),
          Timestamp: '2026-11-28T10:00:00.000Z',
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const permanentBounce = (address: string, feedbackId = randomBytes(6).toString('hex')) => ({
  eventType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [
      {
        emailAddress: address,
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: 'smtp; 550 5.1.1 user unknown',
      },
    ],
    timestamp: '2026-11-28T09:59:00.000Z',
    feedbackId,
  },
  mail: { messageId: 'abc', destination: [address] },
});

const deliverFeedback = (sesEvent: Record<string, unknown>) =>
  handler(snsEvent(sesEvent), lambdaContext('postroom-sendingFeedback', 30));

const suppressionOf = (address: string) =>
  getItem<Record<string, unknown>>(`ADDR#${address.toLowerCase()}`, 'SUPPRESSED');

describe('sending feedback', () => {
  it('stops mail to an address that bounced permanently, and tells staff on the request', async () => {
    const sender = unique('bounced');
    await deliverFeedback(permanentBounce(sender.toUpperCase()));
    expect(await suppressionOf(sender)).toMatchObject({
      address: sender,
      reason: 'bounce',
      detail: 'smtp; 550 5.1.1 user unknown',
    });

    const letter = withReference(
      fixture('01-letter-pdf.eml'),
      'vp.publicaffairs@lumencam.example',
      sender,
    );
    await postroom.deliver(letter, sender);
    const [request] = (await records.requestsInStage('received')).filter(
      (found) => found.sender.address === sender,
    );
    if (!request) throw new Error('the letter did not become a request');
    expect(await sentMail.to(sender)).toHaveLength(0);
    // The request is still filed and staff are still alerted.
    expect((await sentMail.to(env().staff)).length).toBeGreaterThan(0);
    expect(await records.notifications(request.id)).toContainEqual(
      expect.objectContaining({ kind: 'acknowledgement', recipient: sender, state: 'suppressed' }),
    );
    const failed = await getItem<{ error: string }>(
      `REQ#${request.id}`,
      `FAIL#${String((await records.events(request.id))[0]?.seq).padStart(6, '0')}#acknowledgement#${sender}`,
    );
    expect(failed?.error).toMatch(/bounced permanently on 2026-11-28/);
  });

  it('keeps the first report when the same event (or another bounce) arrives again', async () => {
    const address = unique('twice');
    await deliverFeedback(permanentBounce(address, 'first'));
    const first = await suppressionOf(address);
    await deliverFeedback(permanentBounce(address, 'first'));
    await deliverFeedback(permanentBounce(address, 'second'));
    expect(await suppressionOf(address)).toEqual(first);
  });

  it('stops mail after a complaint', async () => {
    const address = unique('complained');
    await deliverFeedback({
      notificationType: 'Complaint',
      complaint: {
        complainedRecipients: [{ emailAddress: `"Someone" <${address}>` }],
        complaintFeedbackType: 'abuse',
        timestamp: '2026-11-28T09:00:00.000Z',
        feedbackId: 'c1',
      },
    });
    expect(await suppressionOf(address)).toMatchObject({ reason: 'complaint' });
  });

  it('does not stop mail for a transient bounce or an event that is not feedback', async () => {
    const address = unique('transient');
    await deliverFeedback({
      ...permanentBounce(address),
      bounce: {
        ...permanentBounce(address).bounce,
        bounceType: 'Transient',
        bounceSubType: 'MailboxFull',
      },
    });
    await deliverFeedback({ eventType: 'Delivery', delivery: { recipients: [address] } });
    expect(await suppressionOf(address)).toBeUndefined();
  });
});
