import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { plainLetter } from '../support/letters.ts';
import { env, insertedOnStream, records, sentMail, startPostroom } from '../support/postroom.ts';

/**
 * Backscatter: letters from forged senders make the office mail strangers. Acknowledgements
 * have an office-wide hourly cap besides the per-sender one, plus-addressed variants are
 * one sender, and what an acknowledgement repeats of the letter is short and neutral.
 * Every letter still becomes a request, and staff are told of each: one by one up to an
 * hourly allowance, then in a summary each quarter-hour.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
const CAP = 20;
const ALERTS = 10;

beforeAll(async () => {
  // Read by notify when the runtime loads it.
  process.env.ACK_OFFICE_LIMIT_PER_HOUR = String(CAP);
  process.env.STAFF_ALERTS_PER_HOUR = String(ALERTS);
  postroom = await startPostroom();
  await sentMail.clear();
});
afterAll(async () => {
  delete process.env.ACK_OFFICE_LIMIT_PER_HOUR;
  delete process.env.STAFF_ALERTS_PER_HOUR;
  await postroom.close();
});

const acknowledgementsTo = async (match: (address: string) => boolean) =>
  (await sentMail.all()).filter(
    (mail) => mail.subject.includes('We have received') && mail.destination.to.some(match),
  );

describe('acknowledgements to forged senders', () => {
  it('counts plus-addressed variants of one address as one sender', async () => {
    for (let n = 1; n <= 7; n += 1) {
      await postroom.deliver(
        plainLetter({ from: `victim+${n}@target.example`, subject: `Letter ${n}` }),
        `victim+${n}@target.example`,
      );
    }
    expect(await acknowledgementsTo((to) => to.endsWith('@target.example'))).toHaveLength(5);
  });

  it('sends at most the office-wide cap in an hour, whoever the senders are', async () => {
    const subject = 'Win big at https://scam.example/claim now, write to payouts@scam.example';
    for (let n = 1; n <= 50; n += 1) {
      await postroom.deliver(
        plainLetter({ from: `forged${n}@stranger${n}.example`, subject: `${subject} ${n}` }),
        `forged${n}@stranger${n}.example`,
      );
    }
    const sent = await acknowledgementsTo((to) => to.startsWith('forged'));
    // Five went to the victim above; the rest of the hour's allowance to the flood.
    expect(sent).toHaveLength(CAP - 5);
    // Every letter is still a request, for staff to see.
    expect(await records.requestsInStage('received')).toHaveLength(57);
    // What was sent repeats nothing of the letter but a short, link-free echo.
    for (const mail of sent) {
      expect(mail.subject).toMatch(/^\[REQ-\d{4}-\d{4}\] We have received your request$/);
      expect(mail.body.text).not.toContain('scam.example');
      expect(mail.body.text).not.toContain('https://');
    }
  });
});

describe('staff alerts in a flood', () => {
  const summaries = async () =>
    (await sentMail.to(env().staff)).filter((mail) => mail.subject.startsWith('Summary:'));

  it('alerts one by one up to the hourly allowance, then holds the rest for a summary', async () => {
    const alerts = (await sentMail.to(env().staff)).filter((mail) =>
      mail.subject.includes('New request'),
    );
    expect(alerts).toHaveLength(ALERTS);
    expect(await summaries()).toHaveLength(0);
  });

  it('holds a redelivered alert back once, however often the stream repeats it', async () => {
    const { handler: notify } = await import('../../functions/notify.ts');
    const alerted = (await sentMail.to(env().staff)).map((mail) => mail.subject);
    const heldBack = (await records.requestsInStage('received')).find(
      (request) => !alerted.some((subject) => subject.includes(request.reference)),
    );
    const [received] = await records.events(heldBack?.id ?? '');
    const before = (await sentMail.all()).length;
    for (let n = 0; n < 3; n += 1) {
      const response = await notify(
        insertedOnStream(received as object),
        lambdaContext('notify', 60),
      );
      expect(response.batchItemFailures).toEqual([]);
    }
    expect((await sentMail.all()).length).toBe(before);
    const claims = await records.notifications(heldBack?.id ?? '');
    expect(claims.find((claim) => claim.kind === 'new-request-alert')?.state).toBe('batched');
  });

  it('sends each ended quarter-hour one summary naming every letter held back, once', async () => {
    const requests = await records.requestsInStage('received');
    const alerted = (await sentMail.to(env().staff)).map((mail) => mail.subject);
    const heldBack = requests.filter(
      (request) => !alerted.some((subject) => subject.includes(request.reference)),
    );
    expect(heldBack).toHaveLength(57 - ALERTS);

    // Not while the quarter-hour is still running.
    await postroom.runScheduled('sweep', new Date());
    expect(await summaries()).toHaveLength(0);

    const later = new Date(Date.now() + 16 * 60_000);
    await postroom.runScheduled('sweep', later);
    // A repeated schedule delivery, and the next run, send nothing more.
    await postroom.runScheduled('sweep', later);
    await postroom.runScheduled('sweep', new Date(later.getTime() + 15 * 60_000));
    const sent = await summaries();
    // The flood may straddle a quarter-hour: one summary per quarter-hour with letters.
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(2);
    const listed = sent.map((mail) => mail.body.text).join('\n');
    for (const request of heldBack) expect(listed).toContain(request.reference);
    expect(
      sent.reduce((n, mail) => n + ((mail.body.text ?? '').match(/^- REQ-/gm) ?? []).length, 0),
    ).toBe(heldBack.length);
    // Staff read the flood's words only as a short, link-free echo here too.
    expect(listed).not.toContain('https://');
    expect(listed).not.toContain('payouts@');
    expect(sent[0]?.subject).toMatch(/^Summary: \d+ more letters arrived \d{4}-\d{2}-\d{2} /);
  });

  it('puts an alert held back after its quarter-hour was summarised in the next one', async () => {
    // The sweep above ran as of a later moment, so this quarter-hour's summary is out;
    // a letter now (notify running late, in production) must not be lost with it.
    await postroom.deliver(
      plainLetter({ from: 'late@stranger.example', subject: 'A late letter' }),
      'late@stranger.example',
    );
    const late = (await records.requestsInStage('received')).find(
      (request) => request.sender.address === 'late@stranger.example',
    );
    const before = (await summaries()).length;
    await postroom.runScheduled('sweep', new Date(Date.now() + 31 * 60_000));
    const sent = await summaries();
    expect(sent).toHaveLength(before + 1);
    expect(sent.at(-1)?.body.text).toContain(late?.reference);
  });
});
