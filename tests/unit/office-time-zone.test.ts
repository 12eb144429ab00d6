import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { invitation } from '../../shared/mail/calendar.ts';
import {
  acknowledgement,
  newRequestAlert,
  type TemplateRequest,
} from '../../shared/mail/templates/index.ts';
import { workflowMail } from '../../shared/mail/templates/workflow.ts';
import { prefillNote } from '../../shared/notes/note.ts';
import { planNotifications } from '../../shared/notify/plan.ts';
import {
  renderMeetingPage,
  renderRegisterJson,
  renderYearPage,
} from '../../shared/publication/render.ts';
import { sweep } from '../../shared/sweep/digest.ts';
import { GENESIS_HASH, sealEvent } from '../../shared/workflow/audit.ts';
import type { Meeting, RequestRecord } from '../../shared/workflow/records.ts';
import { site, workedExample } from '../fixtures/worked-example.ts';

/**
 * OFFICE_TIMEZONE governs every date postroom shows or sends. An office in New York and
 * one in Tokyo, with a meeting at 14:00 UTC on 24 February 2026: 09:00 in New York,
 * 23:00 in Tokyo; and one at 01:30 UTC on 25 February: still the 24th in New York
 * (20:30), the 25th in Tokyo (10:30).
 */
const newYork = 'America/New_York';
const tokyo = 'Asia/Tokyo';
const meeting: Meeting = {
  start: '2026-02-24T14:00:00.000Z',
  end: '2026-02-24T15:20:00.000Z',
  location: 'Room 4',
  attendees: [
    {
      name: 'Helen Marsh',
      role: 'VP',
      organisation: 'LumenCam Ltd',
      host: true,
      invitedGuest: false,
    },
  ],
  sequence: 0,
};
const lateMeeting = {
  ...meeting,
  start: '2026-02-25T01:30:00.000Z',
  end: '2026-02-25T02:30:00.000Z',
};

const templateRequest = (timeZone: string): TemplateRequest => ({
  reference: 'REQ-2026-0007',
  subject: 'Cameras',
  senderName: 'Helen Marsh',
  senderAddress: 'helen@lumencam.example',
  organisation: 'LumenCam Ltd',
  receivedAt: '2026-02-24T03:00:00.000Z',
  replyBy: '2026-03-10',
  timeZone,
});

const request = {
  id: 'r1',
  reference: 'REQ-2026-0007',
  stage: 'scheduled',
  version: 3,
  eventSeq: 3,
  lastHash: GENESIS_HASH,
  subject: 'Cameras',
  sender: { address: 'helen@lumencam.example', name: 'Helen Marsh' },
  organisation: 'LumenCam Ltd',
  receivedAt: '2026-02-10T03:00:00.000Z',
  replyBy: '2026-02-24',
  flags: [],
  messageCount: 1,
  lastMessageAt: '2026-02-10T03:00:00.000Z',
  meeting: lateMeeting,
} as unknown as RequestRecord;

describe('mail follows the office’s clock', () => {
  it('times a meeting on the office’s clock, in New York and in Tokyo', () => {
    const inNewYork = workflowMail.schedule(templateRequest(newYork), 'Office', meeting, false);
    expect(inNewYork.text).toMatch(/When: Tuesday,? 24 February 2026(,| at) 09:00 to /);
    const inTokyo = workflowMail.schedule(templateRequest(tokyo), 'Office', meeting, false);
    expect(inTokyo.text).toMatch(/When: Tuesday,? 24 February 2026(,| at) 23:00 to /);
    expect(inTokyo.html).toMatch(/Tuesday,? 24 February 2026(,| at) 23:00/);
  });

  it('dates a publication time and the time a letter came on the office’s clock', () => {
    const approved = workflowMail.approvedForStaff(templateRequest(tokyo), lateMeeting.start);
    expect(approved.text).toMatch(
      /published automatically at Wednesday,? 25 February 2026(,| at) 10:30/,
    );
    const alert = newRequestAlert(templateRequest(newYork), {
      attachments: [],
      flags: [],
      acknowledged: 'sent',
    });
    // 03:00 UTC on the 24th is 22:00 on the 23rd in New York.
    expect(alert.text).toMatch(/Received: 23 February 2026(,| at) 22:00/);
  });

  it('keeps a calendar date (reply by, note due) on its own day in every zone', () => {
    for (const zone of [newYork, tokyo]) {
      expect(acknowledgement(templateRequest(zone), 'Office').text).toMatch(
        /reply by Tuesday,? 10 March 2026\./,
      );
      expect(workflowMail.noteDue(templateRequest(zone), '2026-03-10').subject).toMatch(
        /due by Tuesday,? 10 March 2026$/,
      );
    }
  });

  it('plans the invitation mail with the office’s clock in the words and UTC in the ICS', async () => {
    const event = sealEvent(
      {
        requestId: 'r1',
        seq: 3,
        action: 'schedule',
        actor: 'cara@office.example',
        at: '2026-02-20T10:00:00.000Z',
        from: 'accepted',
        to: 'scheduled',
        details: { ...lateMeeting },
      },
      GENESIS_HASH,
    );
    const office = {
      officeName: 'Office',
      officeAddress: 'office@office.example',
      staffAlertAddress: 'staff@office.example',
      siteBaseUrl: 'https://meetings.office.example/',
      timeZone: newYork,
    };
    const [planned] = planNotifications(event, request, undefined, office);
    expect(planned?.mail.text).toMatch(/When: Tuesday,? 24 February 2026(,| at) 20:30 to /);
    const ics = String(planned?.attachments?.[0]?.content ?? '');
    // ICS carries instants in UTC, which every calendar shows in its reader's own zone.
    expect(ics).toContain('DTSTART:20260225T013000Z');
    expect(ics).toContain('DTEND:20260225T023000Z');
    expect(
      invitation({
        uid: 'u',
        sequence: 0,
        start: lateMeeting.start,
        end: lateMeeting.end,
        location: lateMeeting.location,
        summary: 's',
        description: 'd',
        organizer: { name: 'o', email: 'o@office.example' },
        attendees: [],
        stamp: new Date('2026-02-20T10:00:00Z'),
      }),
    ).not.toMatch(/TZID|February/);
  });
});

describe('the public pages follow the office’s clock', () => {
  const late = { ...workedExample, start: lateMeeting.start, end: lateMeeting.end };

  it('dates and times the meeting on the office’s clock', () => {
    const inNewYork = renderMeetingPage(late, { ...site, timeZone: newYork });
    expect(inNewYork).toContain('>24 February 2026</time>');
    expect(inNewYork).toContain('20:30 to 21:30');
    const inTokyo = renderMeetingPage(late, { ...site, timeZone: tokyo });
    expect(inTokyo).toContain('>25 February 2026</time>');
    expect(inTokyo).toContain('10:30 to 11:30');
  });

  it('lists and registers the meeting under the office’s date', () => {
    expect(renderYearPage([late], { ...site, timeZone: newYork }, '2026', ['2026'])).toContain(
      '>24 February 2026</time>',
    );
    const register = JSON.parse(renderRegisterJson([late], { ...site, timeZone: tokyo }));
    expect(register.meetings[0].date).toBe('2026-02-25');
    expect(
      JSON.parse(renderRegisterJson([late], { ...site, timeZone: newYork })).meetings[0].date,
    ).toBe('2026-02-24');
  });
});

describe('the note prefill follows the office’s clock', () => {
  it('dates the meeting and the letter as the office saw them', () => {
    const inNewYork = prefillNote(request, '2026-02-10T03:00:00.000Z', newYork);
    expect(inNewYork.title).toBe('Meeting with LumenCam Ltd, 24 February 2026');
    expect(inNewYork.body).toContain('in its letter of 9 February 2026');
    const inTokyo = prefillNote(request, '2026-02-10T03:00:00.000Z', tokyo);
    expect(inTokyo.title).toBe('Meeting with LumenCam Ltd, 25 February 2026');
    expect(inTokyo.body).toContain('in its letter of 10 February 2026');
  });
});

describe('the digest follows the office’s clock', () => {
  it('goes at the office’s digest hour and dates an ended meeting by the office’s day', async () => {
    const sent: string[] = [];
    const ports = {
      dueBefore: async () => [],
      scheduled: async () => [request],
      approved: async () => [],
      claimDigest: async () => true,
      sendRawMail: async (raw: string) => {
        sent.push(raw);
        return { sesMessageId: '<x@eu-west-1.amazonses.com>' };
      },
    };
    const settings = {
      digestHour: 7,
      officeName: 'Office',
      officeAddress: 'office@office.example',
      staffAlertAddress: 'staff@office.example',
      timeZone: newYork,
    };
    // 11:59 UTC is 06:59 in New York (EST): not yet.
    expect((await sweep(ports, settings, new Date('2026-02-26T11:59:00Z'))).sent).toBe(false);
    const report = await sweep(ports, settings, new Date('2026-02-26T12:00:00Z'));
    expect(report).toMatchObject({ day: '2026-02-26', sent: true });
    const mail = await PostalMime.parse(sent[0] ?? '');
    // The meeting ended at 02:30 UTC on the 25th: 21:30 on the 24th in New York.
    expect(mail.text).toContain('REQ-2026-0007');
    expect(mail.text).toContain('due 2026-02-24');
  });
});
