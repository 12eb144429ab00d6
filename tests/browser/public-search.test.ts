import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteContentSecurityPolicy } from '../../shared/publication/render.ts';
import { rebuildSite, type SitePorts } from '../../shared/publication/site.ts';
import { asPublished, site, workedExample } from '../fixtures/worked-example.ts';
import { launchChromium } from '../support/browser.ts';

/**
 * The public search in headless Chromium: the site as the publisher writes it (pages,
 * /search/ files and script), served with the site's own Content-Security-Policy, so the
 * script runs only because the policy lets scripts from the site itself.
 */
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
const published = new Map<string, { body: string; type: string }>();
const ports: SitePorts = {
  readState: async () => undefined,
  writeState: async () => {},
  readPublic: async (key) => published.get(key)?.body,
  writePublic: async (key, body, type) => {
    published.set(key, { body, type });
  },
  deletePublic: async (key) => {
    published.delete(key);
  },
};
const other = asPublished({
  ...workedExample,
  reference: 'REQ-2026-0031',
  title: 'Meeting with the Kelpie Rowing Club',
  organisations: ['Kelpie Rowing Club'],
  start: '2026-03-05T10:00:00Z',
  end: '2026-03-05T11:00:00Z',
  noteMarkdown: 'We discussed the boathouse moorings.',
});

let server: Server;
let root: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await rebuildSite(ports, site, [workedExample, other], new Date('2026-03-10T09:00:00Z'));
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname.slice(1);
    const found = published.get(path.endsWith('/') || !path ? `${path}index.html` : path);
    response.writeHead(found ? 200 : 404, {
      'content-type': found?.type ?? 'text/plain',
      'content-security-policy': siteContentSecurityPolicy,
    });
    response.end(found?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchChromium();
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const text = (selector: string) =>
  page.evaluate(
    `document.querySelector(${JSON.stringify(selector)}).textContent`,
  ) as Promise<string>;

/**
 * Until the script has answered: its status says how many match. Polled from the test
 * with page.evaluate (a CDP evaluation the page's CSP does not govern), never with
 * waitForFunction, whose string predicate the page would have to eval, which the public
 * site's CSP (no 'unsafe-eval') rightly refuses.
 */
const searched = () =>
  expect
    .poll(() => text('#search-status').catch(() => ''), { timeout: 15_000 })
    .toMatch(/\bmatch(es)?\b/);

describe('the public search', () => {
  it('finds a published meeting from the index page’s search box, with the keyboard', async () => {
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    await page.goto(root);
    await page.focus('#site-search');
    await page.keyboard.type('moorings');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\/\?q=moorings/);
    await searched();
    expect(await text('#search-status')).toBe('1 meeting matches “moorings”.');
    expect(await text('#search-results li a')).toBe('Meeting with the Kelpie Rowing Club');
    await page.click('#search-results li a');
    await page.waitForURL(/\/meetings\/2026\/req-2026-0031\/$/);
    expect(refused).toEqual([]);
  });

  it('says when nothing matches, and finds by organisation', async () => {
    await page.goto(`${root}search/?q=zeppelin`);
    await searched();
    expect(await text('#search-status')).toBe('No published meetings match “zeppelin”.');
    await page.goto(`${root}search/?q=lumencam`);
    await searched();
    expect(await text('#search-results li a')).toBe(workedExample.title);
  });

  it('meets WCAG 2.2 AA with its results shown', async () => {
    await page.goto(`${root}search/?q=meeting`);
    await searched();
    // The CSP refuses an inline script tag: axe is evaluated through the protocol instead.
    await page.evaluate(axeSource);
    const violations = (await page.evaluate(`(async () => {
      const result = await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      });
      return result.violations.map((v) => v.id + ': ' + v.help);
    })()`)) as string[];
    expect(violations).toEqual([]);
  });
});
