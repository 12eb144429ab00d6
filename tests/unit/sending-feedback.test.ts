import { describe, expect, it } from 'vitest';
import { normaliseAddress, readFeedback } from '../../shared/sending/feedback.ts';

const bounce = (bounceType: string) =>
  JSON.stringify({
    eventType: 'Bounce',
    bounce: {
      bounceType,
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: 'A.Person@Example.org', status: '5.1.1' }],
      timestamp: '2026-11-28T09:00:00.000Z',
      feedbackId: 'f1',
    },
  });

describe('readFeedback', () => {
  it('suppresses the recipients of a permanent bounce, lower-cased, with the reason', () => {
    expect(readFeedback(bounce('Permanent'))).toEqual({
      kind: 'suppress',
      suppressions: [
        {
          address: 'a.person@example.org',
          reason: 'bounce',
          detail: 'permanent bounce (General, 5.1.1)',
          at: '2026-11-28T09:00:00.000Z',
          feedbackId: 'f1',
        },
      ],
    });
  });

  it('leaves transient and undetermined bounces alone, saying why', () => {
    for (const type of ['Transient', 'Undetermined']) {
      const verdict = readFeedback(bounce(type));
      expect(verdict).toMatchObject({
        kind: 'ignore',
        why: expect.stringContaining(type.toLowerCase()),
      });
    }
  });

  it('reads complaints from event publishing and from identity notifications alike', () => {
    for (const typeField of ['eventType', 'notificationType']) {
      const verdict = readFeedback(
        JSON.stringify({
          [typeField]: 'Complaint',
          complaint: {
            complainedRecipients: [{ emailAddress: 'x@example.org' }],
            timestamp: '2026-11-28T09:00:00.000Z',
            feedbackId: 'c',
          },
        }),
      );
      expect(verdict).toMatchObject({ kind: 'suppress', suppressions: [{ reason: 'complaint' }] });
    }
  });

  it('ignores what is not JSON, not feedback, or feedback missing its recipients', () => {
    expect(readFeedback('not json')).toMatchObject({ kind: 'ignore', why: /not JSON/ });
    expect(readFeedback(JSON.stringify({ eventType: 'Delivery' }))).toMatchObject({
      kind: 'ignore',
      why: /Delivery/,
    });
    const empty = JSON.parse(bounce('Permanent'));
    empty.bounce.bouncedRecipients = [];
    expect(readFeedback(JSON.stringify(empty))).toMatchObject({
      kind: 'ignore',
      why: /bounce\.bouncedRecipients/,
    });
  });

  it('takes the address out of a display-name form', () => {
    expect(normaliseAddress('"Office" <Office@Example.ORG>')).toBe('office@example.org');
  });
});
