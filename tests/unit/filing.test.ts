import { describe, expect, it } from 'vitest';
import {
  acknowledgementWithheld,
  type DeadlineRules,
  type FilingContext,
  flagsFor,
  INTAKE_ACTOR,
  idsForObject,
  joinRequest,
  openRequest,
} from '../../shared/intake/filing.ts';
import type { InboundLetter } from '../../shared/mail/inbound.ts';
import { findBrokenLink, GENESIS_HASH, sealEvent } from '../../shared/workflow/audit.ts';
import { holidayCalendar, scottishBankHolidays } from '../../shared/workflow/deadlines.ts';

const passing = { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' };

function letter(overrides: Partial<InboundLetter> = {}): InboundLetter {
  return {
    messageId: '<letter-001@lumencam.example>',
    inReplyTo: [],
    references: [],
    from: { address: 'vp.publicaffairs@lumencam.example', name: 'Helen Marsh' },
    to: ['commissioner@office.example'],
    cc: ['deputy@office.example'],
    subject: 'Request for a meeting with the Commissioner',
    text: 'Dear Commissioner, ...',
    attachments: [],
    verdicts: passing,
    organisation: { name: 'LumenCam Ltd', source: 'signature' },
    warnings: [],
    ...overrides,
  };
}

function context(overrides: Partial<FilingContext> = {}): FilingContext {
  return {
    letter: letter(),
    messageKey: 'm0123456789abcdef',
    receivedAt: new Date('2026-11-28T10:00:00Z'),
    raw: { bucket: 'inbound', key: 'inbound/abc' },
    documents: { text: 'req/m/body.txt', attachments: [] },
    ...overrides,
  };
}

const rules: DeadlineRules = {
  calendar: scottishBankHolidays,
  timeZone: 'Europe/London',
  replyWorkingDays: 10,
};

const ids = { requestId: 'req-1', reference: 'REQ-2026-0007' };

describe('idsForObject', () => {
  it('gives the same ids for the same object every time', () => {
    expect(idsForObject('inbound', 'inbound/abc')).toEqual(idsForObject('inbound', 'inbound/abc'));
  });

  it('gives a 20-hex-digit request id and an m-prefixed message key', () => {
    const { requestId, messageKey } = idsForObject('inbound', 'inbound/abc');
    expect(requestId).toMatch(/^[0-9a-f]{20}$/);
    expect(messageKey).toMatch(/^m[0-9a-f]{16}$/);
  });

  it('gives different ids for different keys or buckets', () => {
    const a = idsForObject('inbound', 'inbound/abc');
    const b = idsForObject('inbound', 'inbound/abd');
    const c = idsForObject('other', 'inbound/abc');
    expect(b.requestId).not.toBe(a.requestId);
    expect(b.messageKey).not.toBe(a.messageKey);
    expect(c.requestId).not.toBe(a.requestId);
  });
});

describe('acknowledgementWithheld', () => {
  it('is undefined for a person’s letter that passed the spam check', () => {
    expect(acknowledgementWithheld(letter())).toBeUndefined();
  });

  it('withholds for machine mail, giving the reason', () => {
    expect(
      acknowledgementWithheld(
        letter({ machine: { kind: 'automated', reason: 'Precedence: bulk' } }),
      ),
    ).toBe('automatic mail: Precedence: bulk');
  });

  it('withholds for spam', () => {
    expect(acknowledgementWithheld(letter({ verdicts: { ...passing, spam: 'FAIL' } }))).toBe(
      'SES spam verdict FAIL',
    );
  });

  it('does not withhold for failed sender authentication alone', () => {
    expect(
      acknowledgementWithheld(letter({ verdicts: { ...passing, spf: 'FAIL', dmarc: 'FAIL' } })),
    ).toBeUndefined();
  });
});

describe('flagsFor', () => {
  it('has no flags for a clean letter', () => {
    expect(flagsFor(letter())).toEqual([]);
  });

  it('flags spam, failed authentication, machine mail and parse warnings, in that order', () => {
    expect(
      flagsFor(
        letter({
          verdicts: { spam: 'FAIL', virus: 'PASS', spf: 'FAIL', dkim: 'FAIL', dmarc: 'PASS' },
          machine: { kind: 'auto-reply', reason: 'Auto-Submitted: auto-replied' },
          warnings: ['the MIME structure is not closed; the message may be truncated'],
        }),
      ),
    ).toEqual([
      'spam: SES spam verdict FAIL',
      'sender authentication failed: SPF, DKIM',
      'automatic mail: Auto-Submitted: auto-replied',
      'the MIME structure is not closed; the message may be truncated',
    ]);
  });
});

describe('openRequest', () => {
  it('computes replyBy in working days from the office date (St Andrew’s Day skipped)', () => {
    const { request, event } = openRequest(ids, context(), rules);
    expect(request.replyBy).toBe('2026-12-14');
    expect(event.details.replyBy).toBe('2026-12-14');
  });

  it('counts from the office’s date, not the UTC date, late in a BST evening', () => {
    // 23:30 UTC on Thu 2 July 2026 is already Fri 3 July in London.
    const { request } = openRequest(
      ids,
      context({ receivedAt: new Date('2026-07-02T23:30:00Z') }),
      { ...rules, replyWorkingDays: 1 },
    );
    expect(request.replyBy).toBe('2026-07-06');
  });

  it('uses the calendar it is given', () => {
    const none = holidayCalendar({ events: [{ date: '2000-01-03', title: 'unrelated' }] });
    const { request } = openRequest(ids, context(), { ...rules, calendar: none });
    expect(request.replyBy).toBe('2026-12-11');
  });

  it('seals event 1 onto the genesis hash, as a receive by intake', () => {
    const { event } = openRequest(ids, context(), rules);
    expect(event).toMatchObject({
      requestId: 'req-1',
      seq: 1,
      action: 'receive',
      actor: INTAKE_ACTOR,
      at: '2026-11-28T10:00:00.000Z',
      from: null,
      to: 'received',
      prevHash: GENESIS_HASH,
    });
    expect(findBrokenLink([event])).toBeUndefined();
  });

  it('records what the notifier needs in the event details', () => {
    const { event } = openRequest(ids, context(), rules);
    expect(event.details).toEqual({
      messageKey: 'm0123456789abcdef',
      messageId: '<letter-001@lumencam.example>',
      sender: 'vp.publicaffairs@lumencam.example',
      subject: 'Request for a meeting with the Commissioner',
      replyBy: '2026-12-14',
      acknowledge: true,
    });
  });

  it('records a withheld acknowledgement and its reason', () => {
    const { event, request } = openRequest(
      ids,
      context({ letter: letter({ verdicts: { ...passing, spam: 'FAIL' } }) }),
      rules,
    );
    expect(event.details.acknowledge).toBe(false);
    expect(event.details.acknowledgementWithheld).toBe('SES spam verdict FAIL');
    expect(request.flags).toEqual(['spam: SES spam verdict FAIL']);
  });

  it('lets the caller withhold the acknowledgement and name the actor', () => {
    const { event } = openRequest(ids, context(), rules, {
      actor: 'cara@office.example',
      withheld: 'opened from held mail',
    });
    expect(event.actor).toBe('cara@office.example');
    expect(event.details.acknowledge).toBe(false);
    expect(event.details.acknowledgementWithheld).toBe('opened from held mail');
  });

  it('builds the request record at stage received, continuing from the event', () => {
    const { request, event } = openRequest(ids, context(), rules);
    expect(request).toEqual({
      id: 'req-1',
      reference: 'REQ-2026-0007',
      stage: 'received',
      version: 1,
      eventSeq: 1,
      lastHash: event.hash,
      subject: 'Request for a meeting with the Commissioner',
      sender: { address: 'vp.publicaffairs@lumencam.example', name: 'Helen Marsh' },
      organisation: 'LumenCam Ltd',
      receivedAt: '2026-11-28T10:00:00.000Z',
      replyBy: '2026-12-14',
      flags: [],
      messageCount: 1,
      lastMessageAt: '2026-11-28T10:00:00.000Z',
    });
  });

  it('builds the inbound message record with To and Cc together', () => {
    const { message } = openRequest(ids, context(), rules);
    expect(message).toMatchObject({
      requestId: 'req-1',
      key: 'm0123456789abcdef',
      direction: 'inbound',
      at: '2026-11-28T10:00:00.000Z',
      from: 'vp.publicaffairs@lumencam.example',
      to: ['commissioner@office.example', 'deputy@office.example'],
      messageId: '<letter-001@lumencam.example>',
      raw: { bucket: 'inbound', key: 'inbound/abc' },
    });
  });

  it('rebuilds the very same records for the same delivery', () => {
    expect(openRequest(ids, context(), rules)).toEqual(openRequest(ids, context(), rules));
  });
});

describe('joinRequest', () => {
  const opened = openRequest(ids, context(), rules);
  const reply = context({
    letter: letter({
      messageId: '<letter-002@lumencam.example>',
      subject: 'Re: Request for a meeting with the Commissioner',
      inReplyTo: ['<letter-001@lumencam.example>'],
    }),
    messageKey: 'mfedcba9876543210',
    receivedAt: new Date('2026-12-01T09:00:00Z'),
  });

  it('continues the chain from the request’s last hash with the next seq', () => {
    const { event } = joinRequest(opened.request, 'in-reply-to', reply);
    expect(event.seq).toBe(2);
    expect(event.prevHash).toBe(opened.request.lastHash);
    expect(findBrokenLink([opened.event, event])).toBeUndefined();
  });

  it('continues from a later point in the chain', () => {
    const third = sealEvent(
      {
        requestId: 'req-1',
        seq: 2,
        action: 'accept',
        actor: 'cara@office.example',
        at: '2026-11-30T09:00:00.000Z',
        from: 'received',
        to: 'accepted',
        details: {},
      },
      opened.event.hash,
    );
    const current = {
      ...opened.request,
      stage: 'accepted' as const,
      eventSeq: 2,
      lastHash: third.hash,
    };
    const { event } = joinRequest(current, 'subject-token', reply);
    expect(event.seq).toBe(3);
    expect(event.prevHash).toBe(third.hash);
    expect(event.from).toBe('accepted');
    expect(event.to).toBe('accepted');
    expect(findBrokenLink([opened.event, third, event])).toBeUndefined();
  });

  it('records the message, how it matched, and who filed it', () => {
    const { event, message } = joinRequest(opened.request, 'in-reply-to', reply);
    expect(event.action).toBe('message_received');
    expect(event.actor).toBe(INTAKE_ACTOR);
    expect(event.at).toBe('2026-12-01T09:00:00.000Z');
    expect(event.details).toEqual({
      messageKey: 'mfedcba9876543210',
      messageId: '<letter-002@lumencam.example>',
      sender: 'vp.publicaffairs@lumencam.example',
      subject: 'Re: Request for a meeting with the Commissioner',
      matchedBy: 'in-reply-to',
    });
    expect(message.requestId).toBe('req-1');
    expect(message.key).toBe('mfedcba9876543210');
  });

  it('notes machine mail and spam on the event', () => {
    const { event, message } = joinRequest(
      opened.request,
      'subject-token',
      context({
        letter: letter({
          machine: { kind: 'auto-reply', reason: 'Auto-Submitted: auto-replied' },
          verdicts: { ...passing, spam: 'FAIL' },
        }),
      }),
      'cara@office.example',
    );
    expect(event.details.machine).toBe('Auto-Submitted: auto-replied');
    expect(event.details.spam).toBe(true);
    expect(event.actor).toBe('cara@office.example');
    expect(message.machine).toBe('Auto-Submitted: auto-replied');
  });
});
