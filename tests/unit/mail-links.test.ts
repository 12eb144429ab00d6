import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../shared/config.ts';
import { isMailableOrigin, linkOnSite } from '../../shared/mail/links.ts';
import { planNotifications } from '../../shared/notify/plan.ts';
import { GENESIS_HASH, sealEvent } from '../../shared/workflow/audit.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';

const site = 'https://meetings.office.example/';

describe('links postroom may put in mail', () => {
  it('passes a page on the configured site, and the local site', () => {
    expect(linkOnSite(`${site}meetings/2026/req-2026-0001/`, site)).toBe(
      `${site}meetings/2026/req-2026-0001/`,
    );
    expect(linkOnSite('http://127.0.0.1:3001/meetings/2026/x/', 'http://127.0.0.1:3001/')).toBe(
      'http://127.0.0.1:3001/meetings/2026/x/',
    );
  });

  it.each([
    ['a script', 'javascript:alert(document.domain)//'],
    ['data', 'data:text/html,<script>alert(1)</script>'],
    ['plain http', 'http://meetings.office.example/meetings/2026/x/'],
    ['another host', 'https://evil.example/meetings/2026/x/'],
    ['the site as a user name', 'https://meetings.office.example@evil.example/x/'],
    ['a look-alike host', 'https://meetings.office.example.evil.example/x/'],
    ['credentials', 'https://user:pass@meetings.office.example/x/'],
    ['plain http to localhost', 'http://localhost:3001/x/'],
    ['not a URL', 'meetings/2026/x/'],
    ['empty', ''],
  ])('refuses %s', (_what, address) => {
    expect(linkOnSite(address, site)).toBeUndefined();
  });

  it('keeps a site under a path to that path', () => {
    const under = 'https://office.example/transparency/';
    expect(linkOnSite('https://office.example/transparency/meetings/x/', under)).toBeDefined();
    expect(linkOnSite('https://office.example/admin/', under)).toBeUndefined();
    // `..` is resolved before the comparison, not after.
    expect(linkOnSite('https://office.example/transparency/../admin/', under)).toBeUndefined();
  });

  it('passes nothing but https: or the local http site, whatever the string', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        (junk, url) => {
          for (const candidate of [junk, url]) {
            const link = linkOnSite(candidate, site);
            if (link !== undefined)
              expect(new URL(link).origin).toBe('https://meetings.office.example');
          }
        },
      ),
    );
  });

  it('refuses a SITE_BASE_URL that could not go in mail, saying what is accepted', () => {
    expect(isMailableOrigin(site)).toBe(true);
    for (const bad of ['http://meetings.office.example/', 'javascript:alert(1)//x/']) {
      expect(() => readConfig(['SITE_BASE_URL'], { SITE_BASE_URL: bad })).toThrow(
        /SITE_BASE_URL: must be an https: address \(or http:\/\/127\.0\.0\.1 for the local site\)/,
      );
    }
  });
});

const office = {
  officeName: 'The Commissioner’s Office',
  officeAddress: 'commissioner@office.example',
  staffAlertAddress: 'triage@office.example',
  siteBaseUrl: site,
  timeZone: 'Europe/London',
};

const requestWith = (fields: Partial<RequestRecord>) =>
  ({
    id: 'req-1',
    reference: 'REQ-2026-0007',
    stage: 'received',
    version: 1,
    eventSeq: 1,
    lastHash: GENESIS_HASH,
    subject: 'Request for a meeting',
    sender: { address: 'helen@lumencam.example', name: 'Helen Marsh' },
    receivedAt: '2026-01-30T09:12:31.000Z',
    replyBy: '2026-02-13',
    flags: [],
    messageCount: 1,
    lastMessageAt: '2026-01-30T09:12:31.000Z',
    ...fields,
  }) as RequestRecord;

/** The mail one event of the request plans. */
const planned = (
  request: RequestRecord,
  action: string,
  details: Record<string, unknown>,
  [from, to]: [string | null, string],
) =>
  planNotifications(
    sealEvent(
      {
        requestId: request.id,
        seq: request.eventSeq + 1,
        action,
        actor: action === 'receive' ? 'system:intake' : 'cara@office.example',
        at: '2026-03-01T09:00:00.000Z',
        from,
        to,
        details,
      },
      GENESIS_HASH,
    ),
    request,
    undefined,
    office,
  );

describe('the published-note mail', () => {
  const request = requestWith({ stage: 'approved', version: 9, eventSeq: 9 });
  const published = (pageUrl: string) =>
    planned(request, 'publish', { pageUrl, noteVersion: 3 }, ['approved', 'published']);

  it('links the page the publisher wrote', () => {
    const page = `${site}meetings/2026/req-2026-0007/`;
    const planned = published(page);
    expect(planned.map((p) => p.kind).sort()).toEqual(['published', 'published-office']);
    for (const mail of planned) expect(mail.mail.text).toContain(page);
  });

  it('links only the site when the recorded page is not on it', () => {
    for (const mail of published('javascript:alert(document.domain)//')) {
      expect(mail.mail.text).not.toContain('javascript:');
      expect(mail.mail.html).not.toContain('javascript:');
      expect(mail.mail.text).toContain(site);
    }
    for (const mail of published('https://evil.example/phish')) {
      expect(mail.mail.text).not.toContain('evil.example');
    }
  });
});

describe('what a stranger wrote, in mail from the office', () => {
  const request = requestWith({
    subject: 'Claim refund https://evil.example/claim now at evil.example/x',
    sender: { address: 'victim@target.example', name: 'Prize desk www.evil.example' },
    organisation: 'evil.example',
  });

  it('carries no link of theirs to the requester, whose address may be forged', () => {
    const [decline] = planned(request, 'decline', { reason: 'Out of scope' }, [
      'received',
      'declined',
    ]);
    expect(decline?.recipient).toBe('victim@target.example');
    for (const part of [decline?.mail.subject, decline?.mail.text, decline?.mail.html])
      expect(part).not.toMatch(/evil|https?:/);
    expect(decline?.mail.text).toContain('Dear Prize desk …,');
  });

  it('shows staff the words with the links made unclickable', () => {
    const [alert] = planned(request, 'receive', { acknowledge: false }, [null, 'received']);
    expect(alert?.recipient).toBe('triage@office.example');
    expect(alert?.mail.text).toContain('hxxps[:]//evil[.]example/claim');
    expect(alert?.mail.text).not.toMatch(/https?:\/\/evil|(?<!\[)\.example\/claim/);
  });
});
