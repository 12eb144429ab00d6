import { describe, expect, it } from 'vitest';
import { readHeaderBlock } from '../../shared/mail/headers.ts';
import { detectMachineMail } from '../../shared/mail/machine-mail.ts';

const person = [
  'Return-Path: <helen@lumencam.example>',
  'From: "Helen Marsh" <helen@lumencam.example>',
  'To: commissioner@office.example',
  'Subject: Request for a meeting',
  'Content-Type: text/plain; charset=utf-8',
];

function detect(extra: string[], sender = 'helen@lumencam.example', base = person) {
  const raw = `${[...base, ...extra].join('\r\n')}\r\n\r\nHello\r\n`;
  return detectMachineMail(readHeaderBlock(new TextEncoder().encode(raw)), sender);
}

describe('detectMachineMail', () => {
  it('returns undefined for mail a person sent', () => {
    expect(detect([])).toBeUndefined();
  });

  it('treats a multipart/report delivery-status message as a bounce', () => {
    const base = person.filter((line) => !line.startsWith('Content-Type'));
    expect(
      detect(
        ['Content-Type: multipart/report; report-type=delivery-status;', ' boundary="b1"'],
        'helen@lumencam.example',
        base,
      ),
    ).toEqual({ kind: 'bounce', reason: 'delivery status notification (bounce)' });
  });

  it('accepts a quoted report-type on a DSN', () => {
    const base = person.filter((line) => !line.startsWith('Content-Type'));
    expect(
      detect(
        ['Content-Type: multipart/report; report-type="delivery-status"; boundary="b1"'],
        'helen@lumencam.example',
        base,
      )?.kind,
    ).toBe('bounce');
  });

  it('does not call a multipart/report of another report type a bounce', () => {
    const base = person.filter((line) => !line.startsWith('Content-Type'));
    expect(
      detect(
        ['Content-Type: multipart/report; report-type=disposition-notification; boundary="b1"'],
        'helen@lumencam.example',
        base,
      ),
    ).toBeUndefined();
  });

  it('treats Auto-Submitted: auto-replied as an auto-reply', () => {
    expect(detect(['Auto-Submitted: auto-replied'])).toEqual({
      kind: 'auto-reply',
      reason: 'Auto-Submitted: auto-replied',
    });
  });

  it('treats Auto-Submitted: auto-replied with parameters as an auto-reply', () => {
    expect(detect(['Auto-Submitted: Auto-Replied; owner-email="x@y.example"'])?.kind).toBe(
      'auto-reply',
    );
  });

  it('treats Auto-Submitted: auto-generated as automated', () => {
    expect(detect(['Auto-Submitted: auto-generated'])).toEqual({
      kind: 'automated',
      reason: 'Auto-Submitted: auto-generated',
    });
  });

  it('treats Auto-Submitted: no as a person', () => {
    expect(detect(['Auto-Submitted: no'])).toBeUndefined();
    expect(detect(['Auto-Submitted: No'])).toBeUndefined();
  });

  it.each(['bulk', 'list', 'junk', 'Bulk'])('treats Precedence: %s as automated', (value) => {
    expect(detect([`Precedence: ${value}`])).toEqual({
      kind: 'automated',
      reason: `Precedence: ${value.toLowerCase()}`,
    });
  });

  it('does not treat other Precedence values as automated', () => {
    expect(detect(['Precedence: first-class'])).toBeUndefined();
  });

  it('treats a List-Id as mailing-list mail', () => {
    expect(detect(['List-Id: Policy Forum <weekly.policyforum.example>'])).toEqual({
      kind: 'automated',
      reason: 'mailing list (List-Id)',
    });
  });

  it('treats an empty Return-Path <> as automated', () => {
    const base = person.filter((line) => !line.startsWith('Return-Path'));
    expect(detect(['Return-Path: <>'], 'helen@lumencam.example', base)).toEqual({
      kind: 'automated',
      reason: 'empty Return-Path',
    });
  });

  it('treats an empty Return-Path with spaces inside the brackets as automated', () => {
    const base = person.filter((line) => !line.startsWith('Return-Path'));
    expect(detect(['Return-Path: < >'], 'helen@lumencam.example', base)?.reason).toBe(
      'empty Return-Path',
    );
  });

  it.each([
    ['MAILER-DAEMON@mx1.partner-mail.example', 'MAILER-DAEMON'],
    ['mailer-daemon@mx1.partner-mail.example', 'mailer-daemon'],
    ['postmaster@harbourmail.example', 'postmaster'],
  ])('treats the sender %s as a machine', (sender, localPart) => {
    expect(detect([], sender)).toEqual({
      kind: 'automated',
      reason: `machine sender ${localPart}`,
    });
  });

  it('does not treat an address merely containing postmaster as a machine', () => {
    expect(detect([], 'the.postmaster@harbourmail.example')).toBeUndefined();
  });

  it('returns undefined with no sender and no machine headers', () => {
    const raw = `${person.join('\r\n')}\r\n\r\nHello\r\n`;
    expect(
      detectMachineMail(readHeaderBlock(new TextEncoder().encode(raw)), undefined),
    ).toBeUndefined();
  });

  it('prefers the bounce over other signals', () => {
    const base = person.filter((line) => !line.startsWith('Content-Type'));
    expect(
      detect(
        [
          'Auto-Submitted: auto-replied',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        ],
        'mailer-daemon@mx.example',
        base,
      )?.kind,
    ).toBe('bounce');
  });
});
