import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { buildWeb } from '../../web/build.ts';

/** Debian's Chromium, headless, with the flags a root CI machine without a GPU needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/**
 * Builds the staff UI into a directory of this test file's own, so test files running side
 * by side, or a developer's `npm run dev` serving web/dist, never see a half-written build.
 */
export async function buildStaffUi(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'postroom-staff-ui-'));
  await buildWeb({ outdir: dir });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A page that reports what the page's own Content-Security-Policy refuses, and any
 * uncaught error, into `problems`: both are bugs.
 */
export async function watchedPage(
  browser: Browser,
  problems: string[],
  options: BrowserContextOptions = {},
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ...options });
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (event) => {
      console.error('CSP ' + event.violatedDirective + ' ' + event.blockedURI);
    });`,
  );
  page.on('console', (message) => {
    if (message.text().startsWith('CSP ')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return page;
}
