import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as intake } from '../../functions/intake-mail.ts';
import { LOCAL_REGION } from '../../infra/local/cloud.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { objectCreatedDelivery } from '../../infra/local/s3-notification.ts';
import { plainLetter } from '../support/letters.ts';
import {
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
 * Letters are never lost or doubled: references are claimed without contention failures,
 * and the same message sent twice (as mail servers do after a lost connection) joins its
 * first copy's request instead of opening another.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
const year = new Date().getFullYear();
const context = lambdaContext('intake-mail', 120);

beforeAll(async () => {
  // 40 letters at once would otherwise turn later alerts into a quarter-hour summary
  // (tests/integration/backscatter.test.ts); here each alert is counted.
  process.env.STAFF_ALERTS_PER_HOUR = '1000';
  postroom = await startPostroom();
});
afterAll(async () => {
  delete process.env.STAFF_ALERTS_PER_HOUR;
  await postroom.close();
});
beforeEach(async () => {
  await sentMail.clear();
});

const acknowledgementsTo = async (address: string) =>
  (await sentMail.to(address)).filter((mail) => mail.subject.includes('We have received'));

describe('references under load', () => {
  it('gives 40 letters delivered at once 40 consecutive references, none dead-lettered', async () => {
    const keys = Array.from({ length: 40 }, (_, index) => `inbound/flood-${index}`);
    await Promise.all(
      keys.map((key, index) =>
        putRaw(
          key,
          plainLetter({ from: `flood${index}@load.example`, subject: `Flood letter ${index}` }),
        ),
      ),
    );
    const responses = await Promise.all(
      keys.map((key) =>
        intake(objectCreatedDelivery(env().inbound, key, 0, LOCAL_REGION), context),
      ),
    );
    expect(responses.flatMap((response) => response.batchItemFailures)).toEqual([]);
    const references = await Promise.all(
      keys.map(async (key) => {
        const filing = await records.filing(key);
        return filing?.place === 'request' ? filing.reference : `not filed: ${key}`;
      }),
    );
    const expected = keys.map((_, index) => `REQ-${year}-${String(index + 1).padStart(4, '0')}`);
    expect([...references].sort()).toEqual(expected);
    expect(await getItem<{ n: number }>(`COUNTER#${year}`, 'COUNTER')).toMatchObject({ n: 40 });
    await postroom.settle();
  });
});

describe('the same message delivered again', () => {
  const first = {
    from: 'Aisha Khan <aisha.khan@harbourtrust.example>',
    subject: 'Request for a meeting about the harbour',
    messageId: '<harbour-2026-11-30@harbourtrust.example>',
    date: 'Mon, 30 Nov 2026 09:15:00 +0000',
  };

  it('joins the request of its first copy, marked as delivered again, with no second acknowledgement', async () => {
    await postroom.deliver(plainLetter(first));
    await postroom.deliver(plainLetter(first));

    const requests = (await records.requestsInStage('received')).filter(
      (request) => request.sender.address === 'aisha.khan@harbourtrust.example',
    );
    expect(requests).toHaveLength(1);
    const request = requests[0];
    const messages = (await records.messages(request?.id ?? '')).filter(
      (message) => message.direction === 'inbound',
    );
    expect(messages).toHaveLength(2);
    // Both may carry the same second; the first copy is the one that is not a duplicate.
    const original = messages.find((message) => !message.duplicateOf);
    const again = messages.find((message) => message.duplicateOf);
    expect(again?.duplicateOf).toBe(original?.key);
    const events = await records.events(request?.id ?? '');
    expect(events.map((event) => event.action)).toEqual(['receive', 'message_received']);
    expect(events[1]?.details).toMatchObject({ deliveredAgain: true, duplicateOf: original?.key });

    expect(await acknowledgementsTo('aisha.khan@harbourtrust.example')).toHaveLength(1);
    // Staff were told of the letter once; the resend is on the timeline, not in their inbox.
    expect(await sentMail.to(env().staff)).toHaveLength(1);

    const { body } = await staffClient(postroom.apiPort)(
      staff.caseworker,
      'GET',
      `/api/requests/${request?.id}`,
    );
    const inbound = body.messages.filter(
      (message: { direction: string }) => message.direction === 'inbound',
    );
    expect(
      inbound.map((message: { duplicateOf?: string }) => message.duplicateOf ?? null).sort(),
    ).toEqual([original?.key, null]);
  });

  it('does not merge a different message that reuses the Message-ID', async () => {
    // Same id and sender, another day: a sender whose software reuses ids, or a forgery.
    await postroom.deliver(plainLetter({ ...first, date: 'Tue, 01 Dec 2026 10:00:00 +0000' }));
    // Same id and date, another sender.
    await postroom.deliver(
      plainLetter({ ...first, from: 'Someone Else <someone@elsewhere.example>' }),
    );
    const fromAisha = (await records.requestsInStage('received')).filter(
      (request) => request.sender.address === 'aisha.khan@harbourtrust.example',
    );
    expect(fromAisha).toHaveLength(2);
    const separate = fromAisha.find((request) => request.messageCount === 1);
    expect(separate?.flags.join(' ')).toMatch(/reuses the Message-ID .* not merged/);
    const fromElsewhere = (await records.requestsInStage('received')).filter(
      (request) => request.sender.address === 'someone@elsewhere.example',
    );
    expect(fromElsewhere).toHaveLength(1);
    expect(await acknowledgementsTo('aisha.khan@harbourtrust.example')).toHaveLength(1);
    expect(await acknowledgementsTo('someone@elsewhere.example')).toHaveLength(1);
  });
});
