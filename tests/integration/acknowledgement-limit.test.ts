import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asAnotherMessage,
  env,
  fixture,
  records,
  sentMail,
  startPostroom,
} from '../support/postroom.ts';

/** A sender who writes six times in an hour gets five acknowledgements, then silence. */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
const sender = 'g.whitfield@riversideyouth.example';

beforeAll(async () => {
  postroom = await startPostroom();
  await sentMail.clear();
});
afterAll(async () => {
  await postroom.close();
});

describe('acknowledgements per sender', () => {
  it('stops at the hourly limit, while every letter still becomes a request and alerts staff', async () => {
    // Six different letters: each its own Message-ID, or the repeats would be resends.
    for (let count = 0; count < 6; count += 1)
      await postroom.deliver(asAnotherMessage(fixture('02-docx-charity.eml'), count), sender);
    const requests = await records.requestsInStage('received');
    expect(requests).toHaveLength(6);
    const acknowledgements = (await sentMail.to(sender)).filter((mail) =>
      mail.subject.includes('We have received'),
    );
    expect(acknowledgements).toHaveLength(5);
    expect(await sentMail.to(env().staff)).toHaveLength(6);

    const states = (
      await Promise.all(requests.map((request) => records.notifications(request.id)))
    ).flat();
    const suppressed = states.filter((claim) => claim.state === 'suppressed');
    expect(suppressed).toEqual([
      expect.objectContaining({ kind: 'acknowledgement', recipient: sender }),
    ]);
  });
});
