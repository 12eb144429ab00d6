import { describe, expect, it } from 'vitest';
import { readHeaderBlock } from '../../shared/mail/headers.ts';
import {
  disownedBySender,
  failedAuthentication,
  fromDomainVouches,
  readVerdicts,
} from '../../shared/mail/verdicts.ts';

const headers = (lines: string[]) =>
  readHeaderBlock(new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n`));

describe('readVerdicts', () => {
  it('reads the SES spam and virus verdicts in upper case', () => {
    const verdicts = readVerdicts(
      headers(['X-SES-Spam-Verdict: fail', 'X-SES-Virus-Verdict: PASS', 'From: a@b.example']),
    );
    expect(verdicts.spam).toBe('FAIL');
    expect(verdicts.virus).toBe('PASS');
  });

  it('reads SPF from the first word of Received-SPF', () => {
    const verdicts = readVerdicts(
      headers([
        'Received-SPF: softfail (spfCheck: domain of b.example does not designate 203.0.113.9 as permitted sender) client-ip=203.0.113.9;',
      ]),
    );
    expect(verdicts.spf).toBe('SOFTFAIL');
  });

  it('prefers Received-SPF over the spf= result in Authentication-Results', () => {
    const verdicts = readVerdicts(
      headers(['Received-SPF: fail (x)', 'Authentication-Results: amazonses.com; spf=pass']),
    );
    expect(verdicts.spf).toBe('FAIL');
  });

  it('falls back to spf= in Authentication-Results without Received-SPF', () => {
    expect(readVerdicts(headers(['Authentication-Results: amazonses.com; spf=neutral'])).spf).toBe(
      'NEUTRAL',
    );
  });

  it('reads dkim and dmarc from a folded Authentication-Results header', () => {
    const verdicts = readVerdicts(
      headers([
        'Authentication-Results: amazonses.com;',
        ' spf=pass (spfCheck: domain of b.example designates 203.0.113.9 as permitted sender)',
        ' smtp.mailfrom=a@b.example;',
        ' dkim=fail header.i=@b.example;',
        ' dmarc=none header.from=b.example;',
      ]),
    );
    expect(verdicts).toEqual({
      spam: undefined,
      virus: undefined,
      spf: 'PASS',
      dkim: 'FAIL',
      dmarc: 'NONE',
      spfDomain: 'b.example',
      dkimDomain: 'b.example',
    });
  });

  it('leaves every verdict undefined when the headers say nothing', () => {
    expect(readVerdicts(headers(['From: a@b.example']))).toEqual({
      spam: undefined,
      virus: undefined,
      spf: undefined,
      dkim: undefined,
      dmarc: undefined,
      spfDomain: undefined,
      dkimDomain: undefined,
    });
  });
});

describe('fromDomainVouches', () => {
  const from = 'alice@org.example';
  it('vouches when DMARC passes, or SPF or DKIM passes for the From domain', () => {
    expect(fromDomainVouches({ dmarc: 'PASS' }, from)).toBe(true);
    expect(fromDomainVouches({ spf: 'PASS', spfDomain: 'org.example' }, from)).toBe(true);
    expect(fromDomainVouches({ spf: 'PASS', spfDomain: 'mail.org.example' }, from)).toBe(true);
    expect(fromDomainVouches({ spf: 'FAIL', dkim: 'PASS', dkimDomain: 'org.example' }, from)).toBe(
      true,
    );
  });

  it('does not when only the attacker’s own domain passed, or nothing did', () => {
    expect(
      fromDomainVouches(
        {
          spf: 'PASS',
          spfDomain: 'evil.example',
          dkim: 'PASS',
          dkimDomain: 'evil.example',
          dmarc: 'NONE',
        },
        from,
      ),
    ).toBe(false);
    expect(fromDomainVouches({ spf: 'SOFTFAIL', dkim: 'NONE', dmarc: 'NONE' }, from)).toBe(false);
  });

  it('says nothing of mail that carries no results (not through SES)', () => {
    expect(fromDomainVouches({}, from)).toBeUndefined();
  });
});

describe('disownedBySender', () => {
  it('is DMARC failing, or SPF failing with no DKIM pass', () => {
    expect(disownedBySender({ dmarc: 'FAIL' })).toBe(true);
    expect(disownedBySender({ spf: 'FAIL', dkim: 'NONE' })).toBe(true);
    expect(disownedBySender({ spf: 'SOFTFAIL' })).toBe(true);
    // Forwarding breaks SPF; DKIM survives it.
    expect(disownedBySender({ spf: 'FAIL', dkim: 'PASS' })).toBe(false);
    expect(disownedBySender({ spf: 'PASS' })).toBe(false);
  });
});

describe('failedAuthentication', () => {
  it('lists the checks that failed outright, in spf, dkim, dmarc order', () => {
    expect(failedAuthentication({ spf: 'FAIL', dkim: 'PASS', dmarc: 'FAIL' })).toEqual([
      'spf',
      'dmarc',
    ]);
    expect(failedAuthentication({ spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' })).toEqual([
      'spf',
      'dkim',
      'dmarc',
    ]);
  });

  it('does not count softfail, none or missing results as failures', () => {
    expect(failedAuthentication({ spf: 'SOFTFAIL', dkim: 'NONE' })).toEqual([]);
    expect(failedAuthentication({})).toEqual([]);
  });

  it('ignores the spam and virus verdicts', () => {
    expect(failedAuthentication({ spam: 'FAIL', virus: 'FAIL' })).toEqual([]);
  });
});
