import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as intake } from '../../functions/intake-mail.ts';
import { LOCAL_REGION } from '../../infra/local/cloud.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { objectCreatedDelivery } from '../../infra/local/s3-notification.ts';
import { INBOUND_PREFIX } from '../../infra/resources.ts';
import { findUnfiledMail } from '../../shared/aws/unfiled-mail.ts';
import { env, fixture, putRaw, records, sentMail, startPostroom } from '../support/postroom.ts';

/**
 * Mail stored before a crash (SMTP had answered 250) but never filed is filed when local
 * mode starts again, through the same delivery path as new mail: the local stand-in for
 * SQS redelivering what a dead consumer never finished.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>> | undefined;
const stored = {
  filed: 'inbound/filed-before-the-crash',
  unfiled: ['inbound/stored-before-the-crash-1', 'inbound/stored-before-the-crash-2'],
};
const unfiledQuery = (pageSize?: number) =>
  findUnfiledMail({
    tableName: env().table,
    bucket: env().inbound,
    prefix: INBOUND_PREFIX,
    pageSize,
  });

beforeAll(async () => {
  await sentMail.clear();
  await putRaw(stored.filed, fixture('22-freemail-signature.eml'));
  await intake(
    objectCreatedDelivery(env().inbound, stored.filed, 0, LOCAL_REGION),
    lambdaContext('intake-mail', 60),
  );
  await putRaw(stored.unfiled[0] ?? '', fixture('01-letter-pdf.eml'));
  await putRaw(stored.unfiled[1] ?? '', fixture('02-docx-charity.eml'));
  // Outside the prefix SES writes under: not mail, never delivered.
  await putRaw('elsewhere/not-mail', Buffer.from('not a message'));
});
afterAll(async () => {
  await postroom?.close();
});

describe('a start after a crash', () => {
  it('finds the stored mail with no filing record, page by page', async () => {
    for (const pageSize of [undefined, 1, 2]) {
      const unfiled = await unfiledQuery(pageSize);
      expect(unfiled.map((object) => object.key).sort(), `page size ${pageSize}`).toEqual(
        stored.unfiled,
      );
      expect(unfiled.every((object) => object.size > 0)).toBe(true);
    }
  });

  it('files it once, acknowledged once, and finds nothing left the next time', async () => {
    postroom = await startPostroom();
    expect(postroom.smtp.redelivered).toBe(2);
    await postroom.settle();
    for (const key of stored.unfiled)
      expect(await records.filing(key)).toMatchObject({ place: 'request' });
    expect(await unfiledQuery(1)).toEqual([]);
    const acknowledgements = (await sentMail.all()).filter((mail) =>
      mail.subject.includes('We have received'),
    );
    // The letter filed before the crash is acknowledged too (its event was on the stream).
    expect(acknowledgements.flatMap((mail) => mail.destination.to).sort()).toEqual([
      'g.whitfield@riversideyouth.example',
      'ruth.campbell@mailbox.example',
      'vp.publicaffairs@lumencam.example',
    ]);
  });
});
