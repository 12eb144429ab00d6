import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as notify } from '../../functions/notify.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { calendarIn } from '../support/calendar.ts';
import { plainLetter } from '../support/letters.ts';
import {
  act,
  insertedOnStream,
  records,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * Calendars that stay true: whoever had a meeting's invitation is sent an iCalendar CANCEL
 * (RFC 5546) when the meeting is called off or they are taken off it, read back here with
 * ical.js as a calendar program would, from the SES emulator's store.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
});
afterAll(async () => {
  await postroom.close();
});

const when = { start: '2027-03-10T10:00:00Z', end: '2027-03-10T11:00:00Z' };
const person = (name: string, email?: string) => ({
  name,
  role: 'Director',
  organisation: 'Riverfolk Trust',
  ...(email ? { email } : {}),
});

async function step(id: string, action: string, fields: Record<string, unknown> = {}) {
  const result = await act(api, staff.caseworker, id, action, fields);
  if (result.status !== 200) throw new Error(`${action}: ${JSON.stringify(result.body)}`);
  return result.body;
}

/** A new letter from `from`, accepted; its request's id. */
async function acceptedRequest(from: string): Promise<string> {
  await postroom.deliver(plainLetter({ from, subject: 'A meeting about the river, please' }));
  const address = from.replace(/^.*<|>$/g, '');
  const request = (await records.requestsInStage('received')).find(
    (candidate) => candidate.sender.address === address,
  );
  if (!request) throw new Error(`no request from ${address}`);
  await step(request.id, 'accept');
  return request.id;
}

/** The calendar messages mailed to one address, oldest version first. */
async function calendarsTo(address: string) {
  return (await sentMail.to(address))
    .flatMap((mail) => {
      const file = calendarIn(mail);
      return file ? [{ subject: mail.subject.replace(/^\[[^\]]+\] /, ''), ...file.calendar }] : [];
    })
    .sort((one, other) => one.sequence - other.sequence);
}

/** What the notifier would do with the request's newest audit event, delivered twice more. */
async function replayNewestEvent(id: string, action: string) {
  const events = await records.events(id);
  const newest = events.at(-1);
  expect(newest?.action).toBe(action);
  for (let delivery = 0; delivery < 2; delivery += 1) {
    const response = await notify(insertedOnStream(newest as object), lambdaContext('notify', 60));
    expect(response.batchItemFailures).toEqual([]);
  }
  return newest;
}

describe('withdrawing a scheduled request', () => {
  it('cancels the meeting in the calendar of everyone who had the invitation, once', async () => {
    const requester = 'helen@lumencam.example';
    const id = await acceptedRequest(`Helen Marsh <${requester}>`);
    const attendees = [
      { ...person('Helen Marsh', requester), host: true },
      person('Sophie Grant', 'sophie@northlight.example'),
      person('Raj Patel'),
    ];
    await step(id, 'schedule', { ...when, location: 'Leith', attendees });
    await step(id, 'reschedule', { ...when, location: 'Waverley Gate, Edinburgh', attendees });
    const withdrawn = await step(id, 'withdraw', { reason: 'The company withdrew its request.' });
    expect(withdrawn.request.meeting.sequence).toBe(2);
    await postroom.settle();

    const uid = `${id}@postroom.office.example`;
    const everyone = [
      { name: 'Helen Marsh', email: requester },
      { name: 'Sophie Grant', email: 'sophie@northlight.example' },
    ];
    for (const address of [requester, 'sophie@northlight.example']) {
      const calendars = await calendarsTo(address);
      expect(
        calendars.map(({ method, uid, sequence, status }) => ({ method, uid, sequence, status })),
        address,
      ).toEqual([
        { method: 'REQUEST', uid, sequence: 0, status: 'CONFIRMED' },
        { method: 'REQUEST', uid, sequence: 1, status: 'CONFIRMED' },
        { method: 'CANCEL', uid, sequence: 2, status: 'CANCELLED' },
      ]);
      expect(calendars[2]).toMatchObject({
        start: '2027-03-10T10:00:00.000Z',
        end: '2027-03-10T11:00:00.000Z',
        location: 'Waverley Gate, Edinburgh',
        organizer: { email: 'commissioner@office.example' },
        attendees: everyone,
      });
    }
    // The requester's cancellation comes with the mail saying the request is closed.
    const [requesterCancel] = (await calendarsTo(requester)).filter((c) => c.method === 'CANCEL');
    expect(requesterCancel?.subject).toBe('Your request for a meeting has been closed');
    const [attendeeCancel] = (await calendarsTo('sophie@northlight.example')).slice(-1);
    expect(attendeeCancel?.subject).toBe('Meeting cancelled');

    const event = (await records.events(id)).at(-1);
    expect(event?.details).toMatchObject({ meetingCancelled: true, sequence: 2 });
    expect((await records.request(id))?.meeting?.sequence).toBe(2);

    const before = (await sentMail.all()).length;
    await replayNewestEvent(id, 'withdraw');
    expect((await sentMail.all()).length).toBe(before);
  });

  it('sends no cancellation when no meeting was arranged', async () => {
    const requester = 'claire@ape-lille.example';
    const id = await acceptedRequest(`Claire Dubois <${requester}>`);
    await step(id, 'withdraw', { reason: 'The school withdrew its request.' });
    await postroom.settle();
    const closed = (await sentMail.to(requester)).filter((mail) =>
      mail.subject.endsWith('Your request for a meeting has been closed'),
    );
    expect(closed).toHaveLength(1);
    expect(closed[0]?.attachments).toEqual([]);
    expect(await calendarsTo(requester)).toEqual([]);
    expect((await records.events(id)).at(-1)?.details).toEqual({
      reason: 'The school withdrew its request.',
    });
  });
});

describe('rescheduling with other attendees', () => {
  it('cancels for an attendee dropped, invites one added and updates those kept', async () => {
    const requester = 'owen@riverfolk.example';
    const id = await acceptedRequest(`Owen Price <${requester}>`);
    await step(id, 'schedule', {
      ...when,
      location: 'Leith',
      attendees: [
        { ...person('Owen Price', requester), host: true },
        person('Sian Evans', 'sian@harbour.example'),
        person('Raj Patel', 'raj@riverfolk.example'),
      ],
    });
    await step(id, 'reschedule', {
      ...when,
      location: 'Leith',
      attendees: [
        { ...person('Owen Price', requester), host: true },
        // The same person, the address typed differently: kept, not dropped.
        person('Raj Patel', 'Raj@RiverFolk.example'),
        person('Tom Reid', 'tom@harbour.example'),
      ],
    });
    await postroom.settle();
    const uid = `${id}@postroom.office.example`;
    const summary = async (address: string) =>
      (await calendarsTo(address)).map(({ method, uid, sequence, status }) => ({
        method,
        uid,
        sequence,
        status,
      }));
    const invited = (sequence: number) => ({
      method: 'REQUEST',
      uid,
      sequence,
      status: 'CONFIRMED',
    });

    expect(await summary('sian@harbour.example')).toEqual([
      invited(0),
      // Only Sian is taken off a meeting that goes ahead, so no STATUS (RFC 5546 §3.2.5).
      { method: 'CANCEL', uid, sequence: 1, status: undefined },
    ]);
    const [, sianCancel] = await calendarsTo('sian@harbour.example');
    expect(sianCancel?.attendees).toEqual([{ name: 'Sian Evans', email: 'sian@harbour.example' }]);
    expect(sianCancel?.subject).toBe('Meeting: you are no longer on the list of attendees');
    expect(await summary('tom@harbour.example')).toEqual([invited(1)]);
    expect(await summary('raj@riverfolk.example')).toEqual([invited(0)]);
    expect(await summary('Raj@RiverFolk.example')).toEqual([invited(1)]);
    expect(await summary(requester)).toEqual([invited(0), invited(1)]);

    const event = (await records.events(id)).at(-1);
    expect(event?.details.previousAttendees).toEqual([
      { name: 'Owen Price', email: requester },
      { name: 'Sian Evans', email: 'sian@harbour.example' },
      { name: 'Raj Patel', email: 'raj@riverfolk.example' },
    ]);

    const before = (await sentMail.all()).length;
    await replayNewestEvent(id, 'reschedule');
    expect((await sentMail.all()).length).toBe(before);
  });
});
