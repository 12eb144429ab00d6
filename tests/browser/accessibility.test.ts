import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  renderIndexPage,
  renderLetterPage,
  renderMeetingPage,
  renderNotFoundPage,
} from '../../shared/publication/render.ts';
import { renderReturnPage, renderReturnsIndex } from '../../shared/publication/returns.ts';
import { asPublished, site, workedExample } from '../fixtures/worked-example.ts';
import { launchChromium } from '../support/browser.ts';

/**
 * The published pages checked with axe-core in headless Chromium against WCAG 2.2 AA,
 * the standard UK public bodies must meet. Chromium comes from Debian (`apt-get install
 * -y chromium`); .ci/run installs it when it is missing.
 */
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
// The worked example, with a correction so the notice is checked too.
const meeting = asPublished({
  ...workedExample,
  corrections: [{ at: '2026-03-12T10:00:00Z', note: 'A job title was wrong.' }],
});

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
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

  it('the letter page, with its enclosures', async () => {
    const withPdf = asPublished({
      ...meeting,
      attachments: [{ filename: 'Letter.pdf', href: 'attachments/Letter.pdf' }],
    });
    expect(await violations(renderLetterPage(withPdf, site))).toEqual([]);
  });

  it('the not-found page', async () => {
    expect(await violations(renderNotFoundPage(site))).toEqual([]);
  });

  it('the index', async () => {
    expect(await violations(renderIndexPage([meeting], site, 1, 2, ['2026']))).toEqual([]);
  });

  it('a quarterly return, and the index of returns', async () => {
    const row = {
      officeHolder: 'The Commissioner',
      date: '2026-08-03',
      name: 'LumenCam Ltd',
      purpose: 'To discuss cameras in public places.',
      reference: 'REQ-2026-0002',
      noteUrl: `${site.baseUrl}meetings/2026/req-2026-0002/`,
      letterUrl: `${site.baseUrl}meetings/2026/req-2026-0002/letter.html`,
    };
    const unpublished = { ...row, reference: 'REQ-2026-0003', noteUrl: '', letterUrl: '' };
    const quarter = { year: 2026, quarter: 3 } as const;
    expect(
      await violations(renderReturnPage(quarter, [row, unpublished], site, '2026-10-28T08:00:00Z')),
    ).toEqual([]);
    expect(await violations(renderReturnPage(quarter, [], site, '2026-10-28T08:00:00Z'))).toEqual(
      [],
    );
    const published = { quarter: '2026-Q3', publishedAt: '2026-10-28T08:00:00Z' };
    expect(await violations(renderReturnsIndex([published], site))).toEqual([]);
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
