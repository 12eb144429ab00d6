import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PublishedMeeting,
  renderIndexPage,
  renderLetterPage,
  renderMeetingPage,
} from '../../shared/publication/render.ts';

/**
 * The published pages checked with axe-core in headless Chromium against WCAG 2.2 AA,
 * the standard UK public bodies must meet. Chromium comes from Debian (`apt-get install
 * -y chromium`); .ci/run installs it when it is missing.
 */
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
const site = {
  officeName: 'The Commissioner’s Office',
  baseUrl: 'https://meetings.office.example/',
};
const meeting: PublishedMeeting = {
  reference: 'REQ-2026-0007',
  title: 'Meeting with LumenCam Ltd about cameras and public safety',
  start: '2026-02-24T14:00:00Z',
  end: '2026-02-24T15:20:00Z',
  location: 'Central Edinburgh',
  organisations: ['LumenCam Ltd', 'Northlight Communications'],
  attendees: [
    {
      name: 'Helen Marsh',
      role: 'VP Public Affairs',
      organisation: 'LumenCam Ltd',
      host: true,
      invitedGuest: false,
    },
    {
      name: 'Raj Patel',
      role: 'Head of Policy',
      organisation: 'LumenCam Ltd',
      host: false,
      invitedGuest: false,
    },
    {
      name: 'Sophie Grant',
      role: 'Account Director',
      organisation: 'Northlight Communications',
      host: false,
      invitedGuest: false,
    },
    {
      name: 'Tom Reid',
      role: 'Consultant',
      organisation: 'Northlight Communications',
      host: false,
      invitedGuest: false,
    },
    {
      name: 'The Commissioner',
      role: 'Commissioner',
      organisation: 'The Commissioner’s Office',
      host: false,
      invitedGuest: true,
    },
  ],
  purposeSummary: 'Cameras and public safety.',
  noteMarkdown:
    '## Purpose\n\nLumenCam asked to meet in its letter of 30 January 2026.[^1]\n\n## Points of discussion\n\n### Retention\n\n- Default periods\n- Police access\n\n## Conclusion\n\nThe Commissioner will write.\n\n[^1]: Published beside this note.',
  letterText: 'Dear Commissioner,\n\nWe would welcome a meeting.\n\nKind regards,\n[redacted]',
  letterDate: '2026-01-30T09:12:44Z',
  attachments: [],
  publishedAt: '2026-03-10T09:00:00Z',
  corrections: [{ at: '2026-03-12T10:00:00Z', note: 'A job title was wrong.' }],
};

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
});

async function violations(html: string) {
  await page.setContent(html, { waitUntil: 'load' });
  await page.addScriptTag({ content: axeSource });
  // Runs in the page; written as source because this project's TypeScript has no DOM types.
  return page.evaluate(`(async () => {
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((v) => v.id + ': ' + v.help + ' (' + v.nodes.length + ')');
  })()`) as Promise<string[]>;
}

describe('the published pages meet WCAG 2.2 AA', () => {
  it('the meeting page', async () => {
    expect(await violations(renderMeetingPage(meeting, site))).toEqual([]);
  });

  it('the letter page', async () => {
    expect(await violations(renderLetterPage(meeting, site))).toEqual([]);
  });

  it('the index', async () => {
    expect(await violations(renderIndexPage([meeting], site, 1, 2, ['2026']))).toEqual([]);
  });

  it('puts the skip link first in the keyboard order', async () => {
    await page.setContent(renderMeetingPage(meeting, site));
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate('document.activeElement && document.activeElement.textContent'),
    ).toBe('Skip to main content');
  });

  it('would report a violation if a page had one (the check itself works)', async () => {
    const broken = renderMeetingPage(meeting, site).replace(
      '<main id="content">',
      '<main id="content"><img src="x.png">',
    );
    expect(await violations(broken)).toEqual([expect.stringMatching(/^image-alt:/)]);
  });
});
