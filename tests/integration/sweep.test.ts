import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  act as actAs,
  env,
  fixture,
  records,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/** The daily sweep, run as its schedule would run it, against real data. */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;

async function act(id: string, as: string, action: string, fields: Record<string, unknown> = {}) {
  expect((await actAs(api, as, id, action, fields)).status).toBe(200);
}

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  await postroom.deliver(fixture('02-docx-charity.eml'));
  await postroom.deliver(fixture('03-pdf-and-docx.eml'));
});
afterAll(async () => {
  await postroom.close();
});

describe('the daily sweep', () => {
  it('sends nothing when nothing is overdue or due to be recorded', async () => {
    await sentMail.clear();
    const report = (await postroom.runScheduled('sweep')) as { sent: boolean };
    expect(report.sent).toBe(false);
    expect(await sentMail.to(env().staff)).toHaveLength(0);
  });

  it('lists meetings that have ended for recording as held, once a day', async () => {
    const [first] = await records.requestsInStage('received');
    const id = first?.id ?? '';
    await act(id, staff.caseworker, 'accept');
    await act(id, staff.caseworker, 'schedule', {
      start: '2026-01-10T10:00:00Z',
      end: '2026-01-10T11:00:00Z',
      location: 'The office',
      attendees: [
        { name: 'Grace Whitfield', role: 'Director', organisation: 'Riverside Youth Trust' },
      ],
    });
    await postroom.settle();
    await sentMail.clear();

    const report = (await postroom.runScheduled('sweep')) as {
      sent: boolean;
      meetingsToRecord: string[];
    };
    expect(report).toMatchObject({ sent: true, meetingsToRecord: [first?.reference] });
    const [digest] = await sentMail.to(env().staff);
    expect(digest?.subject).toMatch(
      /^Daily digest \d{4}-\d{2}-\d{2}: 0 replies and 0 notes overdue, 1 meetings to record$/,
    );
    expect(digest?.body.text).toContain(first?.reference);

    const listed = await api(staff.caseworker, 'GET', '/api/requests?stage=scheduled');
    expect(listed.body.items).toEqual([expect.objectContaining({ id, dueForRecordHeld: true })]);

    const again = (await postroom.runScheduled('sweep')) as { sent: boolean };
    expect(again.sent).toBe(false);
    expect(await sentMail.to(env().staff)).toHaveLength(1);
  });
});
