import { describe, expect, it } from 'vitest';
import { messageIdsIn, readHeaderBlock } from '../../shared/mail/headers.ts';
import { detectMachineMail } from '../../shared/mail/machine-mail.ts';

const headers = (...lines: string[]) =>
  readHeaderBlock(Buffer.from(`${lines.join('\r\n')}\r\n\r\nbody`));

describe('mail that must not be answered', () => {
  it('leaves a person’s letter alone', () => {
    expect(
      detectMachineMail(
        headers('From: a@org.example', 'Return-Path: <a@org.example>', 'Auto-Submitted: no'),
        'a@org.example',
      ),
    ).toBeUndefined();
  });

  it.each([
    ['Auto-Submitted: auto-replied', 'auto-reply'],
    ['Auto-Submitted: auto-generated', 'automated'],
    ['Auto-Submitted: auto-notified', 'automated'],
    ['Precedence: bulk', 'automated'],
    ['Precedence: list', 'automated'],
    ['Precedence: junk', 'automated'],
    ['List-Id: <news.org.example>', 'automated'],
    ['Return-Path: <>', 'automated'],
  ])('recognises %s', (header, kind) => {
    expect(detectMachineMail(headers('From: a@org.example', header), 'a@org.example')?.kind).toBe(
      kind,
    );
  });

  it('does not treat Precedence: first-class as bulk', () => {
    expect(detectMachineMail(headers('Precedence: first-class'), 'a@org.example')).toBeUndefined();
  });

  it.each(['MAILER-DAEMON@mx.example', 'postmaster@org.example'])(
    'recognises the machine sender %s',
    (sender) => {
      expect(detectMachineMail(headers(`From: ${sender}`), sender)).toEqual({
        kind: 'automated',
        reason: expect.stringMatching(/^machine sender/),
      });
    },
  );

  it('recognises a delivery status notification as a bounce before anything else', () => {
    const dsn = headers(
      'From: MAILER-DAEMON@mx.example',
      'Return-Path: <>',
      'Content-Type: multipart/report; report-type=delivery-status;',
      ' boundary="x"',
    );
    expect(detectMachineMail(dsn, 'mailer-daemon@mx.example')?.kind).toBe('bounce');
  });
});

describe('Message-IDs from headers', () => {
  it('keeps ids short enough to be table keys, and at most fifty of them', () => {
    expect(messageIdsIn('<a@x> junk <b@y>')).toEqual(['<a@x>', '<b@y>']);
    expect(messageIdsIn(`<${'a'.repeat(3000)}@x>`)).toEqual([]);
    expect(messageIdsIn(Array.from({ length: 80 }, (_, n) => `<${n}@x>`).join(' '))).toHaveLength(
      50,
    );
  });
});
