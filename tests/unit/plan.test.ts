import { describe, expect, it } from 'vitest';
import {
  mailTemplates,
  type OfficeSettings,
  outboundMessageId,
  planNotifications,
  recipientsOf,
} from '../../shared/notify/plan.ts';
import { type AuditEvent, GENESIS_HASH, sealEvent } from '../../shared/workflow/audit.ts';
import type { MessageRecord, RequestRecord } from '../../shared/workflow/records.ts';
import { recordedEvents, transitions } from '../../shared/workflow/transitions.ts';
import { readCalendar } from '../support/calendar.ts';

const office: OfficeSettings = {
  officeName: 'The Commissioner’s Office',
  officeAddress: 'commissioner@office.example',
  staffAlertAddress: 'triage@office.example',
  siteBaseUrl: 'https://meetings.office.example/',
  timeZone: 'Europe/London',
};

const request: RequestRecord = {
  id: 'req-1',
  reference: 'REQ-2026-0007',
  stage: 'received',
  version: 1,
  eventSeq: 1,
  lastHash: GENESIS_HASH,
  subject: 'Request for a meeting with the Commissioner',
  sender: { address: 'vp.publicaffairs@lumencam.example', name: 'Helen Marsh' },
  organisation: 'LumenCam Ltd',
  receivedAt: '2026-01-30T09:12:31.000Z',
  replyBy: '2026-02-13',
  flags: [],
  messageCount: 1,
  lastMessageAt: '2026-01-30T09:12:31.000Z',
};

const message: MessageRecord = {
  requestId: 'req-1',
  key: 'm1',
  direction: 'inbound',
  at: '2026-01-30T09:12:31.000Z',
  from: 'vp.publicaffairs@lumencam.example',
  to: ['commissioner@office.example'],
  subject: request.subject,
  messageId: '<letter-001@lumencam.example>',
  documents: {
    text: 'req-1/m1/body.txt',
    attachments: [
      {
        filename: 'letter.pdf',
        contentType: 'application/pdf',
        size: 1332,
        key: 'req-1/m1/letter.pdf',
        inline: false,
      },
      { filename: 'logo.png', contentType: 'image/png', size: 126, key: 'k', inline: true },
    ],
  },
};

function event(
  action: string,
  details: Record<string, unknown>,
  seq = 1,
  from: string | null = null,
): AuditEvent {
  return sealEvent(
    {
      requestId: 'req-1',
      seq,
      action,
      actor: 'system:intake',
      at: '2026-01-30T09:12:31.000Z',
      from,
      to: 'received',
      details,
    },
    GENESIS_HASH,
  );
}

const receive = (details: Record<string, unknown>) =>
  event('receive', { messageId: '<letter-001@lumencam.example>', ...details });

describe('outboundMessageId', () => {
  it('builds an id under postroom.<office domain> that no one can work out', () => {
    const id = outboundMessageId('REQ-2026-0007', 'ack', 'commissioner@office.example');
    expect(id).toMatch(/^<REQ-2026-0007\.ack\.[0-9a-f]{24}@postroom\.office\.example>$/);
    expect(outboundMessageId('REQ-2026-0007', 'ack', 'commissioner@office.example')).not.toBe(id);
  });
});

describe('planNotifications for a received request', () => {
  it('plans an acknowledgement to the sender and an alert to staff when acknowledge is true', () => {
    const planned = planNotifications(receive({ acknowledge: true }), request, message, office);
    expect(planned.map((p) => [p.kind, p.recipient])).toEqual([
      ['acknowledgement', 'vp.publicaffairs@lumencam.example'],
      ['new-request-alert', 'triage@office.example'],
    ]);
  });

  it('sends the acknowledgement as an auto-reply that counts against the sender’s limit', () => {
    const [ack] = planNotifications(receive({ acknowledge: true }), request, message, office);
    expect(ack?.autoSubmitted).toBe('auto-replied');
    expect(ack?.rateLimited).toBe(true);
    expect(ack?.mail.subject).toMatch(/^\[REQ-2026-0007\] /);
  });

  it('threads the acknowledgement under the original and carries postroom’s own id', () => {
    const [ack] = planNotifications(receive({ acknowledge: true }), request, message, office);
    const ownId = ack?.messageId ?? '';
    expect(ownId).toMatch(/^<REQ-2026-0007\.ack\.[0-9a-f]{24}@postroom\.office\.example>$/);
    expect(ack?.inReplyTo).toBe('<letter-001@lumencam.example>');
    expect(ack?.references).toEqual(['<letter-001@lumencam.example>', ownId]);
  });

  it('sends the staff alert as auto-generated, not rate limited, with its own id', () => {
    const planned = planNotifications(receive({ acknowledge: true }), request, message, office);
    const alert = planned.find((p) => p.kind === 'new-request-alert');
    expect(alert?.autoSubmitted).toBe('auto-generated');
    expect(alert?.rateLimited).toBe(false);
    expect(alert?.messageId).toMatch(
      /^<REQ-2026-0007\.alert\.[0-9a-f]{24}@postroom\.office\.example>$/,
    );
    expect(alert?.references).toContain('<letter-001@lumencam.example>');
  });

  it('lists only non-inline attachments in the staff alert', () => {
    const planned = planNotifications(receive({ acknowledge: true }), request, message, office);
    const text = planned.find((p) => p.kind === 'new-request-alert')?.mail.text ?? '';
    expect(text).toContain('Attachments: letter.pdf (application/pdf, 1332 bytes)');
    expect(text).not.toContain('logo.png');
  });

  it('plans only the staff alert when acknowledge is false, saying why', () => {
    const planned = planNotifications(
      receive({ acknowledge: false, acknowledgementWithheld: 'SES spam verdict FAIL' }),
      request,
      message,
      office,
    );
    expect(planned.map((p) => p.kind)).toEqual(['new-request-alert']);
    expect(planned[0]?.recipient).toBe('triage@office.example');
    expect(planned[0]?.mail.text).toContain('Acknowledgement: not sent (SES spam verdict FAIL)');
  });

  it('does not acknowledge unless acknowledge is exactly true', () => {
    const planned = planNotifications(receive({ acknowledge: 'yes' }), request, message, office);
    expect(planned.map((p) => p.kind)).toEqual(['new-request-alert']);
  });

  it('has no In-Reply-To when the original had no Message-ID', () => {
    const planned = planNotifications(
      event('receive', { acknowledge: true }),
      request,
      undefined,
      office,
    );
    const [ack] = planned;
    expect(ack?.inReplyTo).toBeUndefined();
    expect(ack?.references).toEqual([ack?.messageId]);
  });
});

describe('planNotifications for a message that joined a request', () => {
  it('plans only a staff alert, with an id unique to the event', () => {
    const planned = planNotifications(
      event(
        'message_received',
        {
          messageId: '<letter-002@lumencam.example>',
          sender: 'vp.publicaffairs@lumencam.example',
          subject: 'Re: Request for a meeting',
          matchedBy: 'in-reply-to',
        },
        4,
        'received',
      ),
      request,
      message,
      office,
    );
    expect(planned).toHaveLength(1);
    const [alert] = planned;
    expect(alert?.kind).toBe('message-alert');
    expect(alert?.recipient).toBe('triage@office.example');
    expect(alert?.autoSubmitted).toBe('auto-generated');
    expect(alert?.rateLimited).toBe(false);
    expect(alert?.messageId).toMatch(
      /^<REQ-2026-0007\.4\.alert\.[0-9a-f]{24}@postroom\.office\.example>$/,
    );
    expect(alert?.inReplyTo).toBe('<letter-002@lumencam.example>');
    expect(alert?.mail.text).toContain('Matched by: in-reply-to');
  });
});

describe('planNotifications for actions that send no mail', () => {
  it.each([
    ['comment', 'received'],
    ['save_draft', 'held'],
    ['resolve_held', null],
    ['something_unknown', 'received'],
  ])('plans nothing for %s (from %s)', (action, from) => {
    expect(
      planNotifications(event(action, { text: 'x' }, 2, from), request, message, office),
    ).toEqual([]);
  });

  it('plans nothing for an action the stage does not allow', () => {
    expect(
      planNotifications(event('accept', {}, 2, 'published'), request, message, office),
    ).toEqual([]);
  });
});

describe('planNotifications for a meeting called off or rearranged', () => {
  const attendee = (name: string, email?: string) => ({
    name,
    role: 'R',
    organisation: 'O',
    ...(email ? { email } : {}),
    host: false,
    invitedGuest: false,
  });
  const when = { start: '2027-02-24T14:00:00Z', end: '2027-02-24T15:20:00Z', location: 'Leith' };
  const requester = request.sender.address ?? '';
  const calendarOf = (planned: { attachments?: Array<{ content: unknown }> } | undefined) =>
    readCalendar(String(planned?.attachments?.[0]?.content ?? ''));
  const withdrawn = (from: string, details: Record<string, unknown>) =>
    event('withdraw', { reason: 'They withdrew', ...details }, 8, from);

  it('sends each attendee who had the invitation a CANCEL, and the requester one with the closing mail', () => {
    const planned = planNotifications(
      withdrawn('scheduled', {
        ...when,
        meetingCancelled: true,
        sequence: 3,
        // The requester is on the list in another case: told once, by their own mail.
        attendees: [
          { name: 'Helen Marsh', email: requester.toUpperCase() },
          { name: 'Sophie Grant', email: 'sophie@northlight.example' },
        ],
      }),
      request,
      message,
      office,
    );
    expect(planned.map((p) => [p.kind, p.recipient])).toEqual([
      ['withdrawn', requester],
      ['cancelled', 'sophie@northlight.example'],
    ]);
    for (const notification of planned) {
      expect(notification.attachments?.[0]).toMatchObject({
        filename: 'cancel.ics',
        contentType: 'text/calendar; charset=UTF-8; method=CANCEL',
      });
      expect(calendarOf(notification)).toMatchObject({
        method: 'CANCEL',
        uid: 'req-1@postroom.office.example',
        sequence: 3,
        status: 'CANCELLED',
        start: '2027-02-24T14:00:00.000Z',
        attendees: [
          { name: 'Helen Marsh', email: requester.toUpperCase() },
          { name: 'Sophie Grant', email: 'sophie@northlight.example' },
        ],
      });
    }
    expect(planned[0]?.mail.text).toContain('Reason: They withdrew');
    expect(planned[0]?.mail.text).toMatch(/will not take place\. A calendar cancellation/);
    expect(planned[1]?.mail.subject).toBe('[REQ-2026-0007] Meeting cancelled');
  });

  it('calls nothing off when the request is withdrawn before a meeting was arranged', () => {
    const planned = planNotifications(withdrawn('accepted', {}), request, message, office);
    expect(planned.map((p) => [p.kind, p.recipient])).toEqual([['withdrawn', requester]]);
    expect(planned[0]?.attachments).toBeUndefined();
    expect(planned[0]?.mail.text).not.toContain('calendar');
  });

  it('cancels for an attendee a reschedule drops, invites one it adds, and updates the rest', () => {
    const moved = event(
      'reschedule',
      {
        ...when,
        sequence: 2,
        attendees: [
          attendee('Raj Patel', 'Raj@LumenCam.example'),
          attendee('Tom Reid', 'tom@northlight.example'),
          attendee('No Address'),
        ],
        previousAttendees: [
          { name: 'Raj Patel', email: 'raj@lumencam.example' },
          { name: 'Sophie Grant', email: 'sophie@northlight.example' },
          // Taken off the list but still the requester: their invitation goes on.
          { name: 'Helen Marsh', email: requester },
        ],
      },
      9,
      'scheduled',
    );
    const planned = planNotifications(moved, request, message, office);
    expect(planned.map((p) => [p.kind, p.recipient])).toEqual([
      ['rescheduled', requester],
      ['rescheduled', 'Raj@LumenCam.example'],
      ['rescheduled', 'tom@northlight.example'],
      ['cancelled', 'sophie@northlight.example'],
    ]);
    const cancel = planned.find((p) => p.kind === 'cancelled');
    expect(cancel?.attachments?.[0]?.contentType).toBe(
      'text/calendar; charset=UTF-8; method=CANCEL',
    );
    expect(calendarOf(cancel)).toMatchObject({
      method: 'CANCEL',
      uid: 'req-1@postroom.office.example',
      sequence: 2,
      // The meeting goes ahead: only Sophie is uninvited (RFC 5546 leaves STATUS out).
      status: undefined,
      attendees: [{ name: 'Sophie Grant', email: 'sophie@northlight.example' }],
    });
    expect(cancel?.mail.text).toContain('no longer on the list of those attending');
    for (const update of planned.filter((p) => p.kind === 'rescheduled'))
      expect(calendarOf(update)).toMatchObject({ method: 'REQUEST', sequence: 2 });
  });

  it('plans the same calendar messages from the same event every time', () => {
    const called = withdrawn('scheduled', {
      ...when,
      meetingCancelled: true,
      sequence: 1,
      attendees: [{ name: 'Sophie Grant', email: 'sophie@northlight.example' }],
    });
    const files = () =>
      planNotifications(called, request, message, office).map((p) => [
        p.kind,
        p.recipient,
        p.attachments?.[0]?.content,
      ]);
    expect(files()).toEqual(files());
  });
});

describe('the transition table and the mail templates say the same thing', () => {
  const declared = [
    ...transitions.map((row) => ({
      action: row.action as string,
      from: row.from as string | null,
      audiences: row.notifies,
    })),
    ...Object.entries(recordedEvents).map(([action, { notifies }]) => ({
      action,
      from: null,
      audiences: notifies,
    })),
  ];
  const templated = Object.entries(mailTemplates).flatMap(([action, byAudience]) =>
    Object.keys(byAudience).map((audience) => `${action} → ${audience}`),
  );
  const pairs = new Set(
    declared.flatMap((row) => row.audiences.map((audience) => `${row.action} → ${audience}`)),
  );

  it('has a template for every (action, audience) the table declares', () => {
    expect([...pairs].filter((pair) => !templated.includes(pair))).toEqual([]);
  });

  it('has no template the table does not declare, so nothing else is ever sent', () => {
    expect(templated.filter((pair) => !pairs.has(pair))).toEqual([]);
  });

  /** Details each action's audit event carries, so every template has what it needs. */
  const details: Record<string, Record<string, unknown>> = {
    receive: { acknowledge: true, messageId: '<letter-001@lumencam.example>' },
    message_received: { sender: 'a@b.example', subject: 'Re: x', matchedBy: 'subject' },
    decline: { reason: 'Out of remit' },
    withdraw: { reason: 'They withdrew' },
    takedown: { reason: 'Published in error' },
    schedule: {
      start: '2027-02-24T14:00:00Z',
      end: '2027-02-24T15:20:00Z',
      location: 'Edinburgh',
      attendees: [
        {
          name: 'A',
          role: 'B',
          organisation: 'C',
          email: 'attendee@c.example',
          host: true,
          invitedGuest: false,
        },
      ],
      sequence: 0,
    },
    record_held: { noteDueBy: '2027-03-10' },
    request_changes: { comment: 'More detail' },
    approve: { publishAt: '2027-03-11T09:00:00Z' },
    publish: { pageUrl: 'https://meetings.example/x/', noteVersion: 2 },
    assign: { assignee: 'colin@office.example' },
  };
  details.reply = { to: ['vp.publicaffairs@lumencam.example'], messageKey: 'r5' };
  /** A reply is sent from the copy kept when staff wrote it: the message the event filed. */
  const reply: MessageRecord = {
    requestId: 'req-1',
    key: 'r5',
    direction: 'outbound',
    at: '2027-02-20T10:00:00.000Z',
    from: 'commissioner@office.example',
    to: ['vp.publicaffairs@lumencam.example'],
    subject: 'Re: Request [REQ-2026-0007]',
    messageId: '<REQ-2026-0007.reply.abc@postroom.office.example>',
    raw: { bucket: 'documents', key: 'requests/req-1/outbound/r5.eml' },
    author: 'cara@office.example',
  };
  details.reschedule = {
    ...details.schedule,
    sequence: 1,
    previousAttendees: [
      { name: 'A', email: 'attendee@c.example' },
      { name: 'D', email: 'dropped@d.example' },
    ],
  };
  // Withdrawn once scheduled, the event records the meeting it called off.
  details['withdraw from scheduled'] = {
    ...details.withdraw,
    ...details.schedule,
    meetingCancelled: true,
    sequence: 1,
  };
  details['close from scheduled'] = details['withdraw from scheduled'];

  it('plans each declared pair: its template’s mail to the audience’s addresses', () => {
    const withPeople: RequestRecord = {
      ...request,
      assignee: 'cara@office.example',
      draft: {
        version: 2,
        body: 'Note',
        editors: ['cara@office.example'],
        submittedBy: 'cara@office.example',
      },
    };
    const settings = { ...office, approverAddresses: ['amir@office.example'] };
    for (const row of declared) {
      if (row.audiences.length === 0) continue;
      const audit = sealEvent(
        {
          requestId: 'req-1',
          seq: 5,
          action: row.action,
          actor: 'ada@office.example',
          at: '2027-02-20T10:00:00.000Z',
          from: row.from,
          to: row.from ?? 'received',
          details: details[`${row.action} from ${row.from}`] ?? details[row.action] ?? {},
        },
        GENESIS_HASH,
      );
      const about = row.action === 'reply' ? reply : message;
      const planned = planNotifications(audit, withPeople, about, settings);
      expect(planned.length, `${row.action} from ${row.from}`).toBeGreaterThan(0);
      for (const audience of row.audiences) {
        const template = (mailTemplates as Record<string, Record<string, { kind: string }>>)[
          row.action
        ]?.[audience];
        const context = {
          event: audit,
          request: withPeople,
          message: about,
          office: settings,
        } as never;
        // Someone to tell, so the check below is not vacuous.
        expect(recipientsOf(audience, context), `${row.action} → ${audience}`).not.toEqual([]);
        for (const recipient of recipientsOf(audience, context)) {
          expect(
            planned.some((p) => p.kind === template?.kind && p.recipient === recipient),
            `${row.action} from ${row.from} → ${audience} (${recipient})`,
          ).toBe(true);
        }
      }
      // And nothing beyond what the row declares.
      const kinds = new Set(
        row.audiences.map(
          (audience) =>
            (mailTemplates as Record<string, Record<string, { kind: string }>>)[row.action]?.[
              audience
            ]?.kind,
        ),
      );
      expect(
        planned.every((p) => kinds.has(p.kind)),
        row.action,
      ).toBe(true);
    }
  });

  it('tells the office when a published note is taken down', () => {
    const audit = event('takedown', { reason: 'Published in error' }, 9, 'published');
    expect(
      planNotifications(audit, request, message, office).map((p) => [p.kind, p.recipient]),
    ).toEqual([['taken-down', 'triage@office.example']]);
  });
});
