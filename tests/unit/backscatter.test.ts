import { describe, expect, it } from 'vitest';
import { functions } from '../../infra/functions.ts';
import { acknowledgementWithheld } from '../../shared/intake/filing.ts';
import type { InboundLetter } from '../../shared/mail/inbound.ts';
import { acknowledgement, neutralEcho } from '../../shared/mail/templates/index.ts';
import { OFFICE_CAP_HIT, senderForLimit } from '../../shared/notify/send-notifications.ts';

/** What a forged letter can make the office send: little, and nothing of the attacker's. */
describe('backscatter', () => {
  it('counts plus-addressed variants as one sender', () => {
    expect(senderForLimit('Victim+1@Target.example')).toBe('victim@target.example');
    expect(senderForLimit('victim+a+b@target.example')).toBe('victim@target.example');
    expect(senderForLimit('"odd@name"@target.example')).toBe('"odd@name"@target.example');
  });

  it('withholds the acknowledgement when SPF and DKIM both fail', () => {
    const letter = (verdicts: InboundLetter['verdicts']) =>
      ({ verdicts, warnings: [] }) as unknown as InboundLetter;
    expect(acknowledgementWithheld(letter({ spf: 'FAIL', dkim: 'FAIL' }))).toMatch(/SPF and DKIM/);
    expect(acknowledgementWithheld(letter({ spf: 'FAIL', dkim: 'PASS' }))).toBeUndefined();
    expect(acknowledgementWithheld(letter({}))).toBeUndefined();
  });

  it('echoes at most a short, link-free form of the subject and the sender’s name', () => {
    expect(neutralEcho('Claim at https://scam.example/x or mail pay@scam.example', 60)).toBe(
      'Claim at … or mail …',
    );
    expect(neutralEcho('x'.repeat(500), 60)).toHaveLength(60);
    expect(neutralEcho('a\u202eb\u0007c', 60)).toBe('abc');
    const mail = acknowledgement(
      {
        reference: 'REQ-2026-0009',
        subject: `Visit www.scam.example today ${'!'.repeat(300)}`,
        senderName: 'Prize Team http://scam.example',
        replyBy: '2026-12-15',
        timeZone: 'Europe/London',
      } as never,
      'The Commissioner’s Office',
    );
    expect(mail.subject).toBe('[REQ-2026-0009] We have received your request');
    expect(mail.text).not.toMatch(/scam\.example/);
    expect(mail.text).toMatch(/^Dear Prize Team …,/);
  });

  it('alarms on the message notify logs when the office-wide cap is hit', () => {
    expect(functions.notify.logAlarms.map((alarm) => alarm.message)).toEqual([OFFICE_CAP_HIT]);
  });
});
