import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../shared/mail/compose.ts';
import { acknowledgement } from '../../shared/mail/templates/index.ts';
import { planNotifications } from '../../shared/notify/plan.ts';
import { GENESIS_HASH, sealEvent } from '../../shared/workflow/audit.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';

const request: RequestRecord = {
  id: 'r1',
  reference: 'REQ-2026-0007',
  stage: 'received',
  version: 1,
  eventSeq: 1,
  lastHash: GENESIS_HASH,
  subject: 'Meeting <script>alert(1)</script>\r\nBcc: victim@example.org',
  sender: { address: 'writer@org.example', name: 'Zoë "Z" Writer\r\nX-Injected: yes' },
  organisation: 'Org Ltd',
  receivedAt: '2026-11-28T10:00:00.000Z',
  replyBy: '2026-12-14',
  flags: [],
  messageCount: 1,
  lastMessageAt: '2026-11-28T10:00:00.000Z',
};
const office = {
  officeName: 'The Commissioner’s Office',
  officeAddress: 'commissioner@office.example',
  staffAlertAddress: 'staff@office.example',
  siteBaseUrl: 'https://meetings.office.example/',
  timeZone: 'Europe/London',
};

function receiveEvent(acknowledge: boolean) {
  return sealEvent(
    {
      requestId: 'r1',
      seq: 1,
      action: 'receive',
      actor: 'system:intake',
      at: '2026-11-28T10:00:00.000Z',
      from: null,
      to: 'received',
      details: {
        acknowledge,
        messageId: '<orig@org.example>',
        ...(acknowledge ? {} : { acknowledgementWithheld: 'automatic mail' }),
      },
    },
    GENESIS_HASH,
  );
}

describe('planned notifications', () => {
  it('acknowledges the sender and alerts the office for a new letter', () => {
    const planned = planNotifications(receiveEvent(true), request, undefined, office);
    expect(planned.map((n) => [n.kind, n.recipient, n.autoSubmitted, n.rateLimited])).toEqual([
      ['acknowledgement', 'writer@org.example', 'auto-replied', true],
      ['new-request-alert', 'staff@office.example', 'auto-generated', false],
    ]);
    expect(planned[0]).toMatchObject({
      messageId: expect.stringMatching(
        /^<REQ-2026-0007\.ack\.[0-9a-f]{24}@postroom\.office\.example>$/,
      ),
      inReplyTo: '<orig@org.example>',
      references: ['<orig@org.example>', planned[0]?.messageId],
    });
  });

  it('only alerts the office when the acknowledgement is withheld, and says why', () => {
    const planned = planNotifications(receiveEvent(false), request, undefined, office);
    expect(planned.map((n) => n.kind)).toEqual(['new-request-alert']);
    expect(planned[0]?.mail.text).toContain('not sent (automatic mail)');
  });

  it('plans nothing for actions it does not know', () => {
    expect(
      planNotifications({ ...receiveEvent(true), action: 'comment' }, request, undefined, office),
    ).toEqual([]);
  });
});

describe('composed MIME', () => {
  it('round-trips through a MIME parser with postroom’s threading and loop headers', async () => {
    const mail = acknowledgement(
      {
        ...request,
        senderName: request.sender.name,
        senderAddress: request.sender.address,
        timeZone: office.timeZone,
      },
      office.officeName,
    );
    const raw = composeMessage({
      from: { address: office.officeAddress, name: office.officeName },
      to: [request.sender.address ?? ''],
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: '<REQ-2026-0007.ack@postroom.office.example>',
      inReplyTo: '<orig@org.example>',
      references: ['<orig@org.example>', '<REQ-2026-0007.ack@postroom.office.example>'],
      autoSubmitted: 'auto-replied',
      date: new Date('2026-11-28T10:00:00Z'),
      attachments: [
        {
          filename: 'invite.ics',
          contentType: 'text/calendar; method=REQUEST',
          content: 'BEGIN:VCALENDAR',
        },
      ],
    });
    expect(raw).not.toMatch(/[^\r]\n/);
    const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
    // Values from inbound mail cannot open new header lines.
    expect(headerBlock).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(headerBlock).toMatch(/^Auto-Submitted: auto-replied$/m);
    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.subject).toContain('[REQ-2026-0007]');
    expect(parsed.from).toMatchObject({
      address: 'commissioner@office.example',
      name: 'The Commissioner’s Office',
    });
    expect(parsed.messageId).toBe('<REQ-2026-0007.ack@postroom.office.example>');
    expect(parsed.inReplyTo).toBe('<orig@org.example>');
    expect(parsed.references).toContain('<REQ-2026-0007.ack@postroom.office.example>');
    expect(parsed.text).toContain('Monday, 14 December 2026');
    expect(parsed.html).toContain('&lt;script&gt;');
    expect(parsed.html).not.toContain('<script>');
    expect(parsed.attachments[0]).toMatchObject({
      filename: 'invite.ics',
      mimeType: 'text/calendar',
    });
  });
});
