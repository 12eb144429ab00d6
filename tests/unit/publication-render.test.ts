import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  feedEntriesOf,
  feedEntry,
  meetingPath,
  renderFeed,
  renderIndexPage,
  renderLetterPage,
  renderMeetingPage,
  renderNotFoundPage,
  renderRegisterCsv,
  renderRegisterJson,
} from '../../shared/publication/render.ts';
import { asPublished, site, workedExample } from '../fixtures/worked-example.ts';

const meeting = workedExample;

describe('a meeting page', () => {
  const html = renderMeetingPage(meeting, site);

  it('is one accessible document: language, one h1, landmarks and a skip link', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en-GB">/);
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html).toContain('<main id="content">');
    expect(html).toContain('<a class="skip" href="#content">Skip to main content</a>');
  });

  it('lists every attendee with role and organisation, marking the host and the invited guest', () => {
    expect(html).toContain('<caption>In attendance</caption>');
    expect(html.match(/<tr><td>/g)).toHaveLength(5);
    expect(html).toContain(
      '<tr><td>Helen Marsh</td><td>VP Public Affairs</td><td>LumenCam Ltd</td><td>host</td></tr>',
    );
    expect(html).toContain('<td>The Commissioner’s Office</td><td>invited guest</td>');
  });

  it('shows the metadata in readable form', () => {
    expect(html).toContain('24 February 2026');
    expect(html).toContain('14:00 to 15:20');
    expect(html).toContain('Central Edinburgh');
    expect(html).toContain('LumenCam Ltd, Northlight Communications');
  });

  it('renders headed sections, sub-headings, lists and footnotes, with raw HTML inert', () => {
    expect(html).toContain('<h2>Points of discussion</h2>');
    expect(html).toContain('<h3>Retention of footage</h3>');
    expect(html).toContain('<li>Default retention periods</li>');
    expect(html).toMatch(/<sup class="footnote-ref"><a href="#fn1" id="fnref1">\[1\]<\/a><\/sup>/);
    expect(html).toContain('<section class="footnotes">');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('carries a dated notice after a correction', () => {
    const corrected = renderMeetingPage(
      asPublished({
        ...meeting,
        corrections: [{ at: '2026-03-12T10:00:00Z', note: 'A job title was wrong.' }],
      }),
      site,
    );
    expect(corrected).toContain(
      '<strong>Corrected on 12 March 2026:</strong> A job title was wrong.',
    );
  });
});

describe('the letter rendition', () => {
  it('is escaped text in paragraphs', () => {
    const html = renderLetterPage(meeting, site);
    expect(html).not.toContain('<script>');
    expect(html).toContain('<p>We ask to meet. &lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html).toContain('Letter of 30 January 2026');
    expect(html).not.toContain('Enclosed with the letter');
  });

  it('links the letter’s attachments, as the meeting page does', () => {
    const withPdf = asPublished({
      ...meeting,
      attachments: [{ filename: 'Letter & annex.pdf', href: 'attachments/Letter-annex.pdf' }],
    });
    const link = '<li><a href="attachments/Letter-annex.pdf">Letter &amp; annex.pdf</a></li>';
    expect(renderLetterPage(withPdf, site)).toContain(
      `<h2>Enclosed with the letter</h2>\n<ul>${link}</ul>`,
    );
    expect(renderMeetingPage(withPdf, site)).toContain(link);
  });
});

describe('the not-found page', () => {
  it('is served at any address, so every link is absolute', () => {
    const html = renderNotFoundPage(site);
    expect(html).toContain('<h1>Page not found</h1>');
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links.filter((href) => href !== '#content'))
      expect(link?.startsWith(site.baseUrl), link).toBe(true);
  });
});

describe('the index, feed and register', () => {
  const older = asPublished({
    ...meeting,
    reference: 'REQ-2025-0003',
    start: '2025-11-02T10:00:00Z',
    title: 'Older meeting',
  });

  it('groups meetings by year, newest first, and pages', () => {
    const html = renderIndexPage([meeting, older], site, 1, 2);
    expect(html.indexOf('<h2>2026</h2>')).toBeLessThan(html.indexOf('<h2>2025</h2>'));
    expect(html).toContain(`href="${meetingPath(meeting)}"`);
    expect(html).toContain('<a href="page/2/" rel="next">Older meetings</a>');
    expect(renderIndexPage([older], site, 2, 2)).toContain(
      'href="../../meetings/2025/req-2025-0003/"',
    );
  });

  it('publishes an Atom feed with an entry per meeting', () => {
    const feed = renderFeed([meeting, older].map(feedEntry), site);
    expect(feed).toContain(
      '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://meetings.office.example/">',
    );
    expect(feed.match(/<entry>/g)).toHaveLength(2);
    expect(feed).toContain('<id>https://meetings.office.example/meetings/2026/req-2026-0007/</id>');
    expect(feed).toContain('<link href="meetings/2026/req-2026-0007/"/>');
    // Published once and never corrected: `updated` says both, to the second.
    expect(feed).not.toContain('<published>');
    expect(feed).toContain(`<updated>${meeting.publishedAt.replace(/\.\d+Z$/, 'Z')}</updated>`);
  });

  it('says when a corrected entry was first published', () => {
    const corrected = asPublished({
      ...meeting,
      corrections: [{ at: '2026-04-02T09:30:00.000Z', note: 'Attendee list corrected' }],
    });
    const feed = renderFeed([feedEntry(corrected)], site);
    expect(feed).toContain('<updated>2026-04-02T09:30:00Z</updated>');
    expect(feed).toContain(`<published>${meeting.publishedAt.replace(/\.\d+Z$/, 'Z')}</published>`);
  });
});

describe('reading the feed back, as the next publication does', () => {
  const entryOf = fc.record({
    reference: fc
      .tuple(fc.integer({ min: 2000, max: 2999 }), fc.integer({ min: 1, max: 99_999 }))
      .map(([year, n]) => `REQ-${year}-${String(n).padStart(4, '0')}`),
    start: fc.constant('2026-05-01T10:00:00.000Z'),
    title: fc.string({ unit: 'binary', maxLength: 80 }),
    purposeSummary: fc.string({ unit: 'binary', maxLength: 200 }),
    publishedAt: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2999-12-31'), noInvalidDate: true })
      .map((date) => date.toISOString()),
    corrections: fc.array(
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2999-12-31'), noInvalidDate: true })
        .map((date) => ({ at: date.toISOString(), note: 'corrected' })),
      { maxLength: 2 },
    ),
  });

  it('gives back every entry it wrote, whatever the text in them', () => {
    fc.assert(
      fc.property(fc.array(entryOf, { maxLength: 8 }), (meetings) => {
        const entries = meetings.map((m) => feedEntry(asPublished({ ...meeting, ...m })));
        expect(feedEntriesOf(renderFeed(entries, site))).toEqual(entries);
      }),
    );
  });

  it('reads the feed postroom wrote before it was compacted', () => {
    const before = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>https://meetings.office.example/</id>
<entry>
<id>https://meetings.office.example/meetings/2026/req-2026-0007/</id>
<title>Meeting with LumenCam Ltd &amp; others</title>
<link href="https://meetings.office.example/meetings/2026/req-2026-0007/"/>
<updated>2026-04-02T09:30:00.000Z</updated>
<published>2026-03-01T00:00:00.000Z</published>
<summary>Cameras &#39;in&#39; public</summary>
</entry>
</feed>
`;
    expect(feedEntriesOf(before)).toEqual([
      {
        reference: 'REQ-2026-0007',
        path: 'meetings/2026/req-2026-0007/',
        title: 'Meeting with LumenCam Ltd & others',
        purposeSummary: "Cameras 'in' public",
        publishedAt: '2026-03-01T00:00:00Z',
        updated: '2026-04-02T09:30:00Z',
      },
    ]);
  });

  it('gives nothing for a feed it cannot read, so the site rebuilds it', () => {
    expect(feedEntriesOf('<html>not a feed</html>')).toBeUndefined();
    const edited = renderFeed([feedEntry(meeting)], site).replace(/<summary>.*<\/summary>/, '');
    expect(feedEntriesOf(edited)).toBeUndefined();
  });
  it('lists each meeting in CSV and JSON with page and letter links, safe for spreadsheets', () => {
    const csv = renderRegisterCsv(
      [asPublished({ ...meeting, purposeSummary: '=HYPERLINK("x")' })],
      site,
    );
    expect(csv.split('\r\n')[0]).toBe(
      'reference,date,organisations,attendees,purpose_summary,page_url,letter_url',
    );
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    const json = JSON.parse(renderRegisterJson([meeting], site));
    expect(json.meetings[0]).toMatchObject({
      reference: 'REQ-2026-0007',
      date: '2026-02-24',
      organisations: ['LumenCam Ltd', 'Northlight Communications'],
      pageUrl: 'https://meetings.office.example/meetings/2026/req-2026-0007/',
      letterUrl: 'https://meetings.office.example/meetings/2026/req-2026-0007/letter.html',
    });
    expect(json.meetings[0].attendees[0]).toBe('Helen Marsh (VP Public Affairs, LumenCam Ltd)');
  });
});
