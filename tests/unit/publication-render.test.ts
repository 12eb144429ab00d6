import { describe, expect, it } from 'vitest';
import {
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
    expect(feed).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(feed.match(/<entry>/g)).toHaveLength(2);
    expect(feed).toContain('<id>https://meetings.office.example/meetings/2026/req-2026-0007/</id>');
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
