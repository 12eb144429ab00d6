import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { functions } from '../../infra/functions.ts';
import { acknowledgementWithheld } from '../../shared/intake/filing.ts';
import type { InboundLetter } from '../../shared/mail/inbound.ts';
import { acknowledgement, defang, neutralEcho } from '../../shared/mail/templates/index.ts';
import { OFFICE_CAP_HIT, senderForLimit } from '../../shared/notify/send-notifications.ts';

/** What a forged letter can make the office send: little, and nothing of the attacker's. */
describe('backscatter', () => {
  it('counts sub-addressed and dotted variants as one sender', () => {
    expect(senderForLimit('Victim+1@Target.example')).toBe('victim@target.example');
    expect(senderForLimit('victim+a+b@target.example')).toBe('victim@target.example');
    expect(senderForLimit('victim-a@target.example')).toBe('victim@target.example');
    expect(senderForLimit('v.i.c.t.i.m@target.example')).toBe('victim@target.example');
    expect(senderForLimit('vi.ctim-b+c@target.example')).toBe('victim@target.example');
    expect(senderForLimit('"odd@name"@target.example')).toBe('"odd@name"@target.example');
    expect(senderForLimit('-x@target.example')).toBe('-x@target.example');
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
    // What a hostile pass found: hidden characters that join a link back up, bare domains.
    for (const subject of [
      'see https\u200b://evil.example/claim',
      'see www\u200b.evil.example/claim',
      'Claim at evil.example/claim now',
      'see xn--e1afmkfd.xn--p1ai/x',
      'visit пример.рф',
      'ｈｔｔｐｓ://evil.example',
      'write to mailto:x@evil.example',
      'javascript:alert(1)',
    ]) {
      const echoed = neutralEcho(subject, 60);
      expect(echoed).not.toMatch(/evil|example|xn--|пример|:\/\/|javascript:|mailto:/);
    }
    // Ordinary subjects come through as they are.
    for (const subject of [
      'Re: Ltd. e.g. v2.0 plans',
      'Dr. Smith on 3.5 million',
      'Meeting, please',
    ])
      expect(neutralEcho(subject, 60)).toBe(subject);
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

  it('shows staff a stranger’s words whole, with links made unclickable', () => {
    expect(defang('Claim https\u200b://evil.example/x at www.evil.example or evil.example/y')).toBe(
      'Claim hxxps[:]//evil[.]example/x at www[.]evil[.]example or evil[.]example/y',
    );
    expect(defang('Re: Ltd. e.g. v2.0 plans')).toBe('Re: Ltd. e.g. v2.0 plans');
    expect(defang('x'.repeat(5000))).toHaveLength(1001);
  });

  it('never lets a link through, however it is hidden', () => {
    const hidden = fc.constantFrom(
      '',
      '\u200b',
      '\u2060',
      '\u202e',
      '\u00ad',
      '\u0007',
      '\ufeff',
      '\u{E0041}',
      '\ufe0f',
      '\u061c',
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('https://', 'http://', 'www.', ''),
        // Under a top-level domain it knows: `Node.js` is a word, `evil.com` a domain.
        fc
          .tuple(
            fc.domain(),
            fc.constantFrom('com', 'org', 'example', 'uk', 'io', 'xn--p1ai', 'рф'),
          )
          .map(([domain, tld]) => `${domain.slice(0, domain.lastIndexOf('.'))}.${tld}`),
        hidden,
        fc.string({ maxLength: 20 }),
        (before, scheme, domain, hide, after) => {
          const cut = Math.floor(domain.length / 2);
          const text = `${before} ${scheme}${domain.slice(0, cut)}${hide}${domain.slice(cut)}/x ${after}`;
          // What a reader sees: hidden characters do not count.
          const seen = (shown: string) =>
            shown.replace(/[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu, '');
          expect(seen(neutralEcho(text, 200))).not.toContain(domain);
          if (domain.includes('.')) expect(seen(defang(text))).not.toContain(domain);
        },
      ),
    );
  });

  it('alarms on the message notify logs when the office-wide cap is hit', () => {
    expect(functions.notify.logAlarms.map((alarm) => alarm.message)).toEqual([OFFICE_CAP_HIT]);
  });
});
