import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainLetter } from '../support/letters.ts';
import { env, records, sentMail, startPostroom } from '../support/postroom.ts';

/**
 * Backscatter: letters from forged senders make the office mail strangers. Acknowledgements
 * have an office-wide hourly cap besides the per-sender one, plus-addressed variants are
 * one sender, and what an acknowledgement repeats of the letter is short and neutral.
 * Every letter still becomes a request.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
const CAP = 20;

beforeAll(async () => {
  // Read by notify when the runtime loads it.
  process.env.ACK_OFFICE_LIMIT_PER_HOUR = String(CAP);
  postroom = await startPostroom();
  await sentMail.clear();
});
afterAll(async () => {
  delete process.env.ACK_OFFICE_LIMIT_PER_HOUR;
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
    // Staff are told of every letter all the same.
    expect((await sentMail.to(env().staff)).length).toBeGreaterThanOrEqual(57);
  });
});
