import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStaffUi, launchChromium, watchedPage } from '../support/browser.ts';
import { pdfWithText } from '../support/pdf.ts';
import {
  act,
  documentClient,
  env,
  fixture,
  records,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * The staff UI in headless Chromium against the real local runtime (emulators, handlers,
 * the API stand-in serving a fresh build of web/): signing in, the inbox, a request, scheduling, the
 * note editor and held mail, each checked with axe-core against WCAG 2.2 AA, and driven
 * only by roles and labels, the way a keyboard or screen-reader user finds things.
 */
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

let postroom: Awaited<ReturnType<typeof startPostroom>>;
let staffUi: Awaited<ReturnType<typeof buildStaffUi>> | undefined;
let browser: Browser;
let page: Page;
let base: string;
let requestId: string;
let reference: string;
// Text is looked for in <main>: the live region that announces it sits outside.
const violationsSeen: string[] = [];
const requester = 'vp.publicaffairs@lumencam.example';
/** A reply template, saved by an admin before the tests. */
const template = {
  id: 'being-considered',
  fields: {
    name: 'We are considering your request',
    subject: 'Your request {{reference}}',
    body: 'Dear {{requesterName}},\n\nThank you. We are **considering** your request.\n\n{{officeName}}',
  },
};

beforeAll(async () => {
  staffUi = await buildStaffUi();
  postroom = await startPostroom({ staffUiDir: staffUi.dir });
  base = `http://127.0.0.1:${postroom.apiPort}`;
  await postroom.deliver(fixture('01-letter-pdf.eml'), 'vp.publicaffairs@lumencam.example');
  await postroom.deliver(fixture('18-missing-from.eml'));
  const [request] = await records.requestsInStage('received');
  if (!request) throw new Error('the letter did not become a request');
  requestId = request.id;
  reference = request.reference;
  const saved = await staffClient(postroom.apiPort)(
    staff.admin,
    'PUT',
    `/api/templates/${template.id}`,
    template.fields,
  );
  if (saved.status !== 200) throw new Error(`the template was not saved: ${JSON.stringify(saved)}`);
  browser = await launchChromium();
  page = await watchedPage(browser, violationsSeen);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await postroom?.close();
  await staffUi?.remove();
});

/** axe-core against WCAG 2.2 AA. Frames are sandboxed (no scripts), so axe stays outside. */
async function violations(): Promise<string[]> {
  // Through DevTools, not a <script>: the page's policy rightly refuses inline scripts.
  await page.evaluate(axeSource);
  return page.evaluate(`(async () => {
    const result = await axe.run(document, {
      iframes: false,
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((v) => v.id + ': ' + v.help + ' (' + v.nodes.map((n) => n.target.join(' ')).join(', ') + ')');
  })()`) as Promise<string[]>;
}

const focused = () =>
  page.evaluate(
    `(() => { const e = document.activeElement; return e ? (e.getAttribute('aria-label') || e.textContent || '').trim().replace(/\\s+/g, ' ') + '|' + e.tagName + '|' + (e.getAttribute('role') || '') : ''; })()`,
  ) as Promise<string>;

const heading = () => page.getByRole('heading', { level: 1 });
const composerHeading = 'Reply to the requester — this is sent by email';
const internalNoteHeading = 'Internal note — only staff see this, it is never sent';

/**
 * The API stops honouring this tab's token, as when a session lapses: the token is spoiled
 * (the API checks signatures) while the tab still believes it is good for an hour.
 */
async function endSession() {
  // The page's own reads (the letter, the timeline's messages) finish first: one of them,
  // not the person's click, would otherwise be the call that finds the session over.
  await expect.poll(() => page.getByText(/^Loading the (letter|message)…$/).count()).toBe(0);
  await page.evaluate(`(() => {
    const session = JSON.parse(sessionStorage.getItem('postroom.session'));
    session.token = session.token.slice(0, -4) + 'AAAA';
    session.expiresAt = Date.now() + 60 * 60 * 1000;
    sessionStorage.setItem('postroom.session', JSON.stringify(session));
  })()`);
}

/** Another caseworker changes the request behind this page's back. */
async function colleagueComments(text: string) {
  const api = staffClient(postroom.apiPort);
  expect((await act(api, staff.otherCaseworker, requestId, 'comment', { text })).status).toBe(200);
}

describe('the staff UI', () => {
  it('asks for sign-in, and the sign-in page lists the seeded staff with their roles', async () => {
    await page.goto(`${base}/`);
    await expect.poll(() => page.url()).toBe(`${base}/sign-in`);
    await heading().waitFor();
    expect(await heading().textContent()).toBe('Sign in to postroom');
    await expect.poll(() => page.getByRole('button', { name: /^Sign in as / }).count()).toBe(4);
    expect(
      await page.getByRole('main').getByText('Approver · amir.approver@office.example').count(),
    ).toBe(1);
    // The skip link is the first thing the keyboard reaches.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to main content|A|');
    expect(await violations()).toEqual([]);
  });

  it('signs in and shows the inbox grouped by stage, with counts', async () => {
    await page.getByRole('button', { name: 'Sign in as Cara Caseworker' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    expect(await focused()).toBe('Inbox|H1|');
    expect(await page.getByRole('heading', { level: 2, name: 'Received 1 request' }).count()).toBe(
      1,
    );
    expect(await page.getByRole('link', { name: 'Received (1)' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: reference }).count()).toBe(1);
    expect(await violations()).toEqual([]);
  });

  it('marks overdue requests in words, and filters to them', async () => {
    // The letter arrived today; make its reply date a past one, as time would.
    await documentClient.send(
      new UpdateCommand({
        TableName: env().table,
        Key: { PK: `REQ#${requestId}`, SK: 'META' },
        UpdateExpression: 'SET replyBy = :due, GSI1SK = :sort',
        ExpressionAttributeValues: { ':due': '2026-01-05', ':sort': `2026-01-05#${requestId}` },
      }),
    );
    await page.getByLabel('Overdue only').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/?overdue=true`);
    const row = page.getByRole('row', { name: new RegExp(reference) });
    await row.waitFor();
    expect(await row.textContent()).toContain('Overdue');
    expect(await violations()).toEqual([]);
  });

  it('searches by reference, organisation or subject', async () => {
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.getByLabel('Search').fill('lumencam');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect
      .poll(() => page.getByRole('main').getByText('1 request match these filters').count())
      .toBe(1);
    await page.getByLabel('Search').fill('no such organisation');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect
      .poll(() => page.getByRole('main').getByText('0 requests match these filters').count())
      .toBe(1);
    await page.getByRole('link', { name: 'Clear filters' }).click();
  });

  it('finds any request from the header, marks the words in the passage, and links to the request', async () => {
    await postroom.settle();
    const header = page.getByRole('navigation', { name: 'Main' });
    await page.getByLabel('Find any request, in every stage').fill('public safety');
    await header.getByRole('button', { name: 'Find' }).click();
    await heading().filter({ hasText: 'Results for “public safety”' }).waitFor();
    const results = page.getByRole('list', { name: /result/ });
    expect(await results.getByRole('link', { name: new RegExp(reference) }).count()).toBe(1);
    expect(await results.locator('mark').first().textContent()).toMatch(/public|safety/i);
    expect(await violations()).toEqual([]);
    await page.getByLabel('Find any request, in every stage').fill(reference);
    await header.getByRole('button', { name: 'Find' }).click();
    await heading().filter({ hasText: reference }).waitFor();
    const first = page
      .getByRole('list', { name: /result/ })
      .getByRole('link')
      .first();
    expect(await first.textContent()).toContain(reference);
    await page.getByRole('link', { name: 'Inbox' }).click();
    await heading().waitFor();
  });

  it('shows a request: the letter, attachments, deadlines, timeline and only the allowed actions', async () => {
    await page.getByRole('link', { name: reference }).click();
    await page
      .getByRole('heading', { level: 1, name: /Request for a meeting with the Commissioner/ })
      .waitFor();
    const actions = page.getByRole('region', { name: 'What you can do' });
    const names = [
      ...(await actions.getByRole('button').allTextContents()),
      ...(await actions.getByRole('link').allTextContents()),
    ].sort();
    expect(names).toEqual(
      [
        'Accept request',
        'Assign request',
        'Assign to me',
        'Close request',
        'Decline request',
        'Extend deadline',
        'Reply to the requester',
        'Withdraw request',
      ].sort(),
    );
    expect(await page.getByRole('button', { name: 'Approve note' }).count()).toBe(0);
    const letter = page.getByRole('region', { name: 'The letter' });
    // The letter's sanitised HTML, from the staff API, in a frame that may run nothing.
    const frame = letter.locator('iframe[title="The letter, as sent"]');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    await expect
      .poll(() => letter.frameLocator('iframe').locator('body').textContent())
      .toContain('the role our products play in public safety');
    expect(
      await letter.getByRole('link', { name: /LumenCam-letter-to-the-Commissioner\.pdf/ }).count(),
    ).toBe(1);
    expect(await page.getByRole('region', { name: 'Deadlines' }).textContent()).toContain(
      'Overdue',
    );
    expect(await page.getByRole('region', { name: 'Timeline' }).textContent()).toContain(
      'Mail sent to vp.publicaffairs@lumencam.example',
    );
    expect(await violations()).toEqual([]);
  });

  it('lists all of a sender’s and an organisation’s requests, linked from the request', async () => {
    await page.getByRole('link', { name: /all their requests and meetings/ }).click();
    await heading().filter({ hasText: 'vp.publicaffairs@lumencam.example' }).waitFor();
    const requests = page.getByRole('region', { name: 'Requests' });
    expect(await requests.getByRole('link', { name: reference }).count()).toBe(1);
    expect(await violations()).toEqual([]);
    await page.goBack();
    await page.getByRole('link', { name: /all its requests and meetings/ }).click();
    await heading().filter({ hasText: 'Organisation' }).waitFor();
    expect(
      await page
        .getByRole('region', { name: 'Requests' })
        .getByRole('link', { name: reference })
        .count(),
    ).toBe(1);
    expect(await violations()).toEqual([]);
    await page.goBack();
    await heading()
      .filter({ hasText: /Request for a meeting with the Commissioner/ })
      .waitFor();
  });

  it('offers a reply, sent by email, and an internal note, never sent, that cannot be taken for each other', async () => {
    const composer = page.getByRole('region', { name: composerHeading });
    const note = page.getByRole('region', { name: internalNoteHeading });
    await composer.waitFor();
    // Each has its own button, named for what it does.
    expect(await composer.getByRole('button', { name: 'Send reply' }).count()).toBe(1);
    expect(await composer.getByRole('button', { name: 'Add internal note' }).count()).toBe(0);
    expect(await note.getByRole('button', { name: 'Add internal note' }).count()).toBe(1);
    expect(await note.getByRole('button', { name: 'Send reply' }).count()).toBe(0);
    expect(await note.textContent()).toContain('The requester never sees it.');
    // Only an approver may write to an address the request does not know.
    expect(await composer.getByLabel('Also write to (optional)').count()).toBe(0);
    // Colour is not the only sign, but it is one: the two frames differ in style as well.
    const frame = (selector: string) =>
      page.evaluate(
        `(() => { const s = getComputedStyle(document.querySelector('${selector}')); return s.borderTopStyle + ' ' + s.backgroundColor; })()`,
      );
    expect(await frame('.composer')).not.toBe(await frame('.internal-note'));
    // The requester is ticked; the subject carries the reference, so answers thread.
    const to = composer.getByRole('group', { name: 'To' });
    expect(
      await to
        .getByRole('checkbox', { name: `Helen Marsh, the requester (${requester})` })
        .isChecked(),
    ).toBe(true);
    expect(await composer.getByLabel('Subject').inputValue()).toBe(
      `Re: Request for a meeting with the Commissioner [${reference}]`,
    );
    // The action's link takes focus to the composer, further down the page.
    await page
      .getByRole('region', { name: 'What you can do' })
      .getByRole('link', { name: 'Reply to the requester' })
      .click();
    expect(await focused()).toBe(`${composerHeading}|H2|`);
    expect(await violations()).toEqual([]);
  });

  it('refuses a reply with no message, saying so beside the field', async () => {
    const composer = page.getByRole('region', { name: composerHeading });
    await composer.getByRole('button', { name: 'Send reply' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Write your reply');
    expect(await page.getByRole('main').getByText('Error: Write your reply').count()).toBe(1);
    expect(await violations()).toEqual([]);
    await summary.getByRole('link', { name: 'Write your reply' }).click();
    expect(await focused()).toMatch(/\|TEXTAREA\|$/);
  });

  it('uploads each file as it is chosen, and says beside the input when one is refused', async () => {
    const composer = page.getByRole('region', { name: composerHeading });
    const files = composer.getByLabel('Attachments (optional)');
    await files.setInputFiles({
      name: 'minutes.exe',
      mimeType: 'application/x-msdownload',
      buffer: Buffer.from('MZ not a document'),
    });
    const refused = composer.getByText(/minutes\.exe cannot be attached: .*application\/pdf/);
    await refused.waitFor();
    expect(await violations()).toEqual([]);
    // Sending is refused while it is listed, naming it.
    await composer.getByRole('textbox', { name: 'Message' }).fill('A first line.');
    await composer.getByRole('button', { name: 'Send reply' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Remove minutes.exe');
    await composer.getByRole('button', { name: 'Remove minutes.exe' }).click();
    expect(await refused.count()).toBe(0);
    await files.setInputFiles({
      name: 'agenda.pdf',
      mimeType: 'application/pdf',
      buffer: pdfWithText([['Agenda: footage retention']]),
    });
    await composer
      .getByRole('listitem')
      .filter({ hasText: 'agenda.pdf' })
      .getByText('Uploaded')
      .waitFor();
    expect(await violations()).toEqual([]);
  });

  it('sends a reply started from a template, with the file; the timeline shows it whole', async () => {
    const composer = page.getByRole('region', { name: composerHeading });
    await composer.getByLabel('Start from a template (optional)').selectOption({
      label: template.fields.name,
    });
    await composer.getByRole('button', { name: 'Use this template' }).click();
    const message = composer.getByRole('textbox', { name: 'Message' });
    // The placeholders stay for the server to fill when it sends.
    expect(await message.inputValue()).toBe(template.fields.body);
    expect(await focused()).toMatch(/\|TEXTAREA\|$/);
    expect(await composer.getByLabel('Subject').inputValue()).toBe('Your request {{reference}}');
    await composer.getByLabel('Format as Markdown').check();
    // A colleague acts meanwhile: nothing is sent, and nothing written is lost on reloading.
    await colleagueComments('Asked the Commissioner’s office for dates.');
    await composer.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('heading', { name: 'Someone else changed this request' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain(
      'what you wrote, and the files, are kept',
    );
    await page.getByRole('button', { name: 'Reload this request' }).click();
    await page
      .getByRole('region', { name: 'Timeline' })
      .getByText('Asked the Commissioner’s office for dates.')
      .waitFor();
    expect(await message.inputValue()).toBe(template.fields.body);
    expect(await composer.getByLabel('Format as Markdown').isChecked()).toBe(true);
    await composer
      .getByRole('listitem')
      .filter({ hasText: 'agenda.pdf' })
      .getByText('Uploaded')
      .waitFor();
    expect(
      await sentMail
        .to(requester)
        .then((all) => all.filter((one) => one.subject.startsWith('Your request'))),
    ).toEqual([]);
    await composer.getByRole('button', { name: 'Send reply' }).click();
    await page
      .getByRole('main')
      .getByText(
        `Your reply to ${requester} is on its way. The timeline shows when it has been sent.`,
      )
      .waitFor();

    await postroom.settle();
    await page.reload();
    const reply = page
      .getByRole('region', { name: 'Timeline' })
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: `Reply by email to ${requester}` }) });
    await reply.getByText('Sent', { exact: true }).waitFor();
    const shown = (await reply.textContent()) ?? '';
    expect(shown).toContain(`Written by${staff.caseworker}`);
    expect(shown).toContain(`Your request ${reference}`);
    expect(shown).toContain('commissioner@office.example');
    // The words as sent: placeholders filled, Markdown as typed in the text copy.
    await expect.poll(() => reply.textContent()).toContain('Dear Helen Marsh,');
    expect(await reply.getByRole('link', { name: 'agenda.pdf' }).count()).toBe(1);
    expect(await violations()).toEqual([]);

    const [mail] = await sentMail
      .to(requester)
      .then((all) => all.filter((one) => one.subject.startsWith(`Your request ${reference}`)));
    expect(mail?.attachments.map((attachment) => attachment.filename)).toEqual(['agenda.pdf']);
    expect(mail?.body.html).toContain('<strong>considering</strong>');
  });

  it('assigns the request to one of the staff, chosen from a list', async () => {
    await page.getByRole('link', { name: 'Assign request' }).click();
    await page.getByRole('heading', { level: 1, name: /Assign this request/ }).waitFor();
    const assignee = page.getByLabel('Assignee');
    const options = await assignee.locator('option').allTextContents();
    expect(options).toContain('Colin Caseworker (Caseworker), colin.caseworker@office.example');
    expect(options).toHaveLength(5);
    expect(await violations()).toEqual([]);
    await assignee.selectOption({
      label: 'Colin Caseworker (Caseworker), colin.caseworker@office.example',
    });
    await page.getByRole('button', { name: 'Assign request' }).click();
    await page.getByRole('main').getByText('Request assigned.').waitFor();
    expect((await records.request(requestId))?.assignee).toBe(staff.otherCaseworker);
  });

  it('extends the deadline with a reason, which the request page shows', async () => {
    await page.getByRole('link', { name: 'Extend deadline' }).click();
    await page.getByRole('heading', { level: 1, name: /Extend the deadline/ }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain(
      'A day after the current deadline, 5 January 2026.',
    );
    const until = new Date(Date.now() + 40 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    await page.getByLabel('New deadline').fill(until);
    await page.getByLabel('Reason').fill('Waiting for the Commissioner’s diary.');
    await page.getByRole('button', { name: 'Extend deadline' }).click();
    await page.getByRole('main').getByText('Deadline extended.').waitFor();
    const deadlines = page.getByRole('region', { name: 'Deadlines' });
    expect(await deadlines.textContent()).toMatch(
      /Reply by moved from 5 January 2026 to .+ by cara\.caseworker@office\.example, .+Reason: Waiting for the Commissioner’s diary\./,
    );
    expect(await violations()).toEqual([]);
  });

  it('lets the keyboard reach the main actions', async () => {
    await page.reload();
    await heading().waitFor();
    const seen: string[] = [];
    // The header's search box and the sender's and organisation's links come first too.
    for (let press = 0; press < 16; press += 1) {
      await page.keyboard.press('Tab');
      seen.push(await focused());
      if (seen.at(-1)?.startsWith('Accept request|')) break;
    }
    expect(seen[0]).toBe('Skip to main content|A|');
    expect(seen.at(-1)).toBe('Accept request|BUTTON|');
    // The skip link skips the header: Enter on it, then Tab, lands inside the page.
    await page.reload();
    await heading().waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Back to the inbox|A|');
  });

  it('shows field errors next to the fields and a summary that takes focus', async () => {
    await page.getByRole('link', { name: 'Decline request' }).click();
    await page.getByRole('heading', { level: 1, name: /Decline this request/ }).waitFor();
    await page.getByRole('button', { name: 'Decline request' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    expect(await focused()).toMatch(
      /^There is a problem ?Enter the reason for declining\|DIV\|alert$/,
    );
    expect(
      await page.getByRole('main').getByText('Error: Enter the reason for declining').count(),
    ).toBe(1);
    expect(await page.title()).toMatch(/^Error: /);
    expect(await violations()).toEqual([]);
    // The summary links to the field.
    await summary.getByRole('link', { name: 'Enter the reason for declining' }).click();
    expect(await focused()).toMatch(/\|TEXTAREA\|$/);
    await page.getByRole('link', { name: 'Cancel' }).click();
  });

  it('says so when someone else changed the request, and offers a reload', async () => {
    await page.getByRole('link', { name: 'Assign request' }).waitFor();
    // Someone else acts after this page was read.
    await colleagueComments('Phoned them.');
    await page.getByRole('button', { name: 'Accept request' }).click();
    await page.getByRole('heading', { name: 'Someone else changed this request' }).waitFor();
    await page.getByRole('button', { name: 'Reload this request' }).click();
    const note = page
      .getByRole('region', { name: 'Timeline' })
      .getByRole('listitem')
      .filter({ hasText: 'Phoned them.' });
    await note.waitFor();
    // Marked in words as staff's own, never sent, as well as by its frame.
    expect(await note.getByRole('heading').textContent()).toMatch(
      /^Internal note by colin\.caseworker@office\.example/,
    );
    expect(await note.textContent()).toContain('only staff see this, it was never sent');
  });

  it('accepts, then schedules with the attendee editor', async () => {
    await page.getByRole('button', { name: 'Accept request' }).click();
    await page
      .getByRole('main')
      .getByText('Request accepted. The requester has been told.')
      .waitFor();
    await page.getByRole('link', { name: 'Schedule meeting' }).click();
    await page.getByRole('heading', { level: 1, name: /Schedule the meeting/ }).waitFor();
    expect(await violations()).toEqual([]);

    await page.getByLabel('Start date and time').fill('2026-02-24T14:00');
    await page.getByLabel('End date and time').fill('2026-02-24T15:20');
    await page.getByLabel('Location').fill('Central Edinburgh');
    const first = page.getByRole('group', { name: 'Attendee 1' });
    expect(await first.getByLabel('Name').inputValue()).toBe('Helen Marsh');
    await first.getByLabel('Role').fill('Vice President, Public Affairs');
    await page.getByRole('button', { name: 'Add another attendee' }).click();
    expect(await focused()).toMatch(/\|INPUT\|$/);
    const second = page.getByRole('group', { name: 'Attendee 2' });
    await second.getByLabel('Name').fill('The Commissioner');
    await second.getByLabel('Role').fill('Commissioner');
    await second.getByLabel('Organisation').fill('The Commissioner’s Office');
    await second.getByLabel('Email address (optional)').fill('not an address');
    await second.getByRole('radio', { name: 'Invited guest' }).check();
    await page.getByRole('button', { name: 'Add another attendee' }).click();
    await page.getByRole('button', { name: 'Remove attendee 3' }).click();
    expect(await page.getByRole('group', { name: 'Attendee 3' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Schedule meeting' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain(
      'Enter attendee 2’s email address in the right form',
    );
    expect(await violations()).toEqual([]);
    await second.getByLabel('Email address (optional)').fill('');
    await page.getByRole('button', { name: 'Schedule meeting' }).click();
    await page
      .getByRole('main')
      .getByText('Meeting scheduled. The invitation has been sent.')
      .waitFor();
    const stored = await records.request(requestId);
    expect(stored?.meeting).toMatchObject({
      start: '2026-02-24T14:00:00.000Z',
      end: '2026-02-24T15:20:00.000Z',
      location: 'Central Edinburgh',
      attendees: [
        { name: 'Helen Marsh', host: true, invitedGuest: false },
        { name: 'The Commissioner', host: false, invitedGuest: true },
      ],
    });
  });

  it('shows and reads times on the clock its config.json names', async () => {
    const served = (await (await fetch(`${base}/config.json`)).json()) as Record<string, unknown>;
    // The local runtime writes the functions' own OFFICE_TIMEZONE (here its default).
    expect(served).toMatchObject({ mode: 'local', timeZone: 'Europe/London' });
    const requestPage = page.url();
    // An office in Tokyo: the meeting at 14:00 UTC is at 23:00 there.
    await page.route('**/config.json', (route) =>
      route.fulfill({ json: { ...served, timeZone: 'Asia/Tokyo' } }),
    );
    try {
      await page.reload();
      await page
        .getByRole('main')
        .getByText(/24 February 2026(,| at) 23:00 to 00:20/)
        .first()
        .waitFor();
      await page.getByRole('link', { name: 'Reschedule meeting' }).click();
      const start = page.getByLabel('Start date and time');
      expect(await start.inputValue()).toBe('2026-02-24T23:00');
      expect(await page.getByRole('main').textContent()).toContain('Office time (Asia/Tokyo)');
    } finally {
      await page.unroute('**/config.json');
    }
    await page.goto(requestPage);
    await page
      .getByRole('main')
      .getByText(/24 February 2026(,| at) 14:00 to 15:20/)
      .first()
      .waitFor();
  });

  it('edits the note with a live preview from the publication renderer, and keeps versions', async () => {
    await page.getByRole('button', { name: 'Record meeting as held' }).click();
    await page
      .getByRole('main')
      .getByText('Meeting recorded as held. The note is now due.')
      .waitFor();
    await page.getByRole('link', { name: 'Write the note' }).first().click();
    await page.getByRole('heading', { level: 1, name: /Edit the note of the meeting/ }).waitFor();
    const note = page.getByLabel('Note', { exact: true });
    expect(await note.inputValue()).toContain('## In attendance');
    await note.fill(
      '## Purpose\n\nTo discuss cameras.[^1] Call 020 7946 0321.\n\n[^1]: The letter.',
    );
    const frame = page.frameLocator('iframe[title="Preview of the public meeting page"]');
    await expect
      .poll(() => frame.locator('#note-heading ~ p').first().textContent(), { timeout: 5000 })
      .toContain('To discuss cameras.');
    // The preview is the public copy: the phone number is redacted, as publication will.
    expect(await frame.locator('main').textContent()).toContain('Call [redacted].');
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('main').getByText('Note saved as version 1.').waitFor();
    await page
      .getByLabel('Note', { exact: true })
      .fill('## Purpose\n\nTo discuss body-worn cameras.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('main').getByText('Note saved as version 2.').waitFor();
    await page.getByLabel('From version').selectOption('1');
    await page.getByLabel('To version').selectOption('2');
    await page.getByRole('button', { name: 'Show changes' }).click();
    const diff = page.getByRole('region', { name: 'Changes from version 1 to version 2' });
    await diff.waitFor();
    expect(await diff.textContent()).toContain('+To discuss body-worn cameras.');
    expect(await violations()).toEqual([]);
  });

  it('shows held mail, and the held message with its three actions', async () => {
    await page.getByRole('link', { name: 'Held mail' }).click();
    await page.getByRole('heading', { level: 1, name: 'Held mail' }).waitFor();
    expect(await page.getByRole('main').getByText('1 message held.').count()).toBe(1);
    expect(await violations()).toEqual([]);
    await page.getByRole('link', { name: 'Request for a meeting about street cameras' }).click();
    await page.getByRole('heading', { level: 1, name: /street cameras/ }).waitFor();
    for (const name of ['Attach to request', 'Open as new request', 'Discard message'])
      expect(await page.getByRole('button', { name }).count()).toBe(1);
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Discard message' }).click();
    expect(await page.getByRole('alert').textContent()).toContain(
      'Enter the reason for discarding the message',
    );
    await page.getByLabel('Reason').fill('A duplicate of a letter we already have.');
    await page.getByRole('button', { name: 'Discard message' }).click();
    await page.getByRole('main').getByText('0 messages held.').waitFor();
    expect((await records.heldMail()).length).toBe(0);
  });

  it('shows the Reports page: each chart beside its table, every table as CSV, the whole report from the API', async () => {
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    // By default the last full quarter: the letters of this run are not in it.
    const main = page.getByRole('main');
    await main.getByText(/^0 requests received from /).waitFor();
    expect(await violations()).toEqual([]);
    await page.getByRole('link', { name: 'Last 90 days' }).click();
    await main.getByText(/^\d+ requests? received from /).waitFor();
    expect(await main.getByText(/^0 requests received/).count()).toBe(0);
    const charts = main.getByRole('img', { name: /^Chart: / });
    expect(await charts.count()).toBe(7);
    expect(await main.getByRole('table').count()).toBe(7);
    const byChannel = main.getByRole('table', { name: 'Requests received, by channel' });
    expect(await byChannel.getByRole('rowheader', { name: 'Email' }).count()).toBe(1);
    expect(
      await main
        .getByRole('img', { name: /^Chart: Requests received, by channel/ })
        .getAttribute('aria-labelledby'),
    ).toMatch(/-chart .*-chart-desc$/);
    expect(await violations()).toEqual([]);

    const [tableFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV of requests received, by channel' }).click(),
    ]);
    expect(tableFile.suggestedFilename()).toMatch(
      /^postroom-received-by-channel-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const tableCsv = readFileSync((await tableFile.path()) ?? '', 'utf8');
    expect(tableCsv.split('\r\n')[0]).toBe('"channel","requests"');
    expect(tableCsv).toMatch(/^"email","[1-9]\d*"$/m);

    const [reportFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the whole report (CSV)' }).click(),
    ]);
    expect(reportFile.suggestedFilename()).toMatch(/^postroom-report-.*\.csv$/);
    const reportCsv = readFileSync((await reportFile.path()) ?? '', 'utf8');
    expect(reportCsv.split('\r\n')[0]).toBe('"table","key","column","value"');

    // A period the API refuses is shown beside the field it names.
    await page.getByLabel('From').fill('2026-09-30');
    await page.getByLabel('To').fill('2026-07-01');
    await page.getByRole('button', { name: 'Show the report' }).click();
    expect(await page.getByRole('alert').textContent()).toContain(
      'The period must not end before it starts',
    );
    expect(await violations()).toEqual([]);
  });

  it('lets an approver review redactions and see the public copy; another approves', async () => {
    await page.getByRole('link', { name: 'Inbox', exact: true }).click();
    await page.getByRole('link', { name: reference }).click();
    await page.getByRole('button', { name: 'Submit note for approval' }).click();
    await page
      .getByRole('main')
      .getByText('Note submitted for approval. The approvers have been told.')
      .waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('main').getByText('You have signed out.').waitFor();
    await page.getByRole('button', { name: 'Sign in as Amir Approver' }).click();
    await page.getByRole('link', { name: reference }).click();
    const actions = page.getByRole('region', { name: 'What you can do' });
    await actions.waitFor();
    expect((await actions.getByRole('link').allTextContents()).sort()).toEqual(
      [
        'Approve note',
        'Assign request',
        'Close request',
        'Extend deadline',
        'Reply to the requester',
        'Request changes',
        'Review redactions',
      ].sort(),
    );

    await actions.getByRole('link', { name: 'Review redactions' }).click();
    await page.getByRole('heading', { level: 1, name: /Review redactions/ }).waitFor();
    // The letter's phone number was found; publishing it needs a reason.
    const phone = page.getByRole('group', { name: '“+44 20 7946 0321”' });
    await phone.getByLabel('Publish this instead of redacting it').check();
    await page.getByRole('button', { name: 'Save redaction decisions' }).click();
    expect(await page.getByRole('alert').textContent()).toContain(
      'Say why “+44 20 7946 0321” may be published',
    );
    expect(await violations()).toEqual([]);
    await phone
      .getByLabel('Why may this be published?')
      .fill('The company’s switchboard, published on its website.');
    await page.getByLabel('Other text to redact').fill('Helen Marsh');
    await page.getByRole('button', { name: 'Save redaction decisions' }).click();
    await page.getByRole('main').getByText('Redaction decisions saved.').waitFor();
    const letterPage = page.frameLocator('iframe[title="Preview of the public letter page"]');
    await expect.poll(() => letterPage.locator('main').textContent()).toContain('+44 20 7946 0321');
    expect(await letterPage.locator('main').textContent()).not.toContain('Helen Marsh');

    await page.getByRole('link', { name: `Back to ${reference}` }).click();
    // Who decided the redactions changed what will be published: someone else approves,
    // and the page says so rather than offering a button that could only be refused.
    await actions.getByText(/“Approve note” is not open to you: .*separation of duties/).waitFor();
    expect(await actions.getByRole('link', { name: 'Approve note' }).count()).toBe(0);
    expect(await violations()).toEqual([]);
    // The action's own address says the same.
    await page.goto(`${page.url()}/approve`);
    await page.getByRole('heading', { level: 1, name: /Approve note is not available/ }).waitFor();
    await page.getByText(/It is not open to you: .*separation of duties/).waitFor();
    expect(await page.getByRole('button', { name: 'Approve note' }).count()).toBe(0);
    expect((await records.request(requestId))?.stage).toBe('in_review');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('main').getByText('You have signed out.').waitFor();
    await page.getByRole('button', { name: 'Sign in as Ada Admin' }).click();
    await page.getByRole('link', { name: reference }).click();
    await page.getByRole('link', { name: 'Approve note' }).click();
    await page.getByRole('heading', { level: 1, name: /Approve the note/ }).waitFor();
    await page.getByRole('button', { name: 'Approve note' }).click();
    await page
      .getByRole('main')
      .getByText('Note approved. It will be published automatically.')
      .waitFor();
    expect((await records.request(requestId))?.stage).toBe('approved');
  });

  it('lets an admin keep reply templates, with errors beside the fields', async () => {
    await page.getByRole('link', { name: 'Templates', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Reply templates' }).waitFor();
    expect(
      await page
        .getByRole('region', { name: template.fields.name })
        .getByText(template.fields.body)
        .count(),
    ).toBe(1);
    expect(await violations()).toEqual([]);
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('heading', { level: 1, name: 'New template' }).waitFor();
    await page.getByRole('button', { name: 'Save template' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    for (const problem of [
      'Enter an id for the template',
      'Enter a name for the template',
      'Write the template’s message',
    ])
      expect(await summary.textContent()).toContain(problem);
    expect(await violations()).toEqual([]);

    await page.getByLabel('Id').fill(template.id);
    await page.getByLabel('Name').fill('Meeting agreed');
    await page.getByLabel('Message').fill('Dear {{requesterName}}, we meet on {{meetingDay}}.');
    await page.getByRole('button', { name: 'Save template' }).click();
    // An id already taken is not overwritten by a new template.
    expect(await page.getByRole('alert').textContent()).toContain(
      `The template “${template.fields.name}” already has this id`,
    );
    await page.getByLabel('Id').fill('meeting-agreed');
    await page.getByRole('button', { name: 'Save template' }).click();
    // The API's refusal, beside the field it names.
    await page
      .getByRole('main')
      .getByText(/^Error: .*\{\{meetingDay\}\}/)
      .waitFor();
    expect(await violations()).toEqual([]);
    await page.getByLabel('Message').fill('Dear {{requesterName}}, we meet on {{meetingDate}}.');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByRole('main').getByText('Template “Meeting agreed” saved.').waitFor();
    await page.getByRole('link', { name: 'Edit the template “Meeting agreed”' }).click();
    await page.getByLabel('Name').fill('Meeting agreed, with the date');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page
      .getByRole('main')
      .getByText('Template “Meeting agreed, with the date” saved.')
      .waitFor();
    const saved = await staffClient(postroom.apiPort)(staff.caseworker, 'GET', '/api/templates');
    expect(saved.body.items).toContainEqual(
      expect.objectContaining({
        id: 'meeting-agreed',
        name: 'Meeting agreed, with the date',
        version: 2,
      }),
    );
  });

  it('previews and downloads a quarterly return, the admin warned that it names individuals', async () => {
    await page.getByRole('link', { name: 'Returns', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Quarterly returns' }).waitFor();
    await page.getByText('As an admin you see private individuals named').waitFor();
    expect(await violations()).toEqual([]);
    // The meeting scheduled above, on 24 February 2026, is in the first quarter.
    await page.goto(`${base}/returns?quarter=2026-Q1`);
    await page.getByRole('button', { name: 'Show preview' }).click();
    const table = page.getByRole('table', { name: /^2026-Q1: \d+ rows?$/ });
    await table.waitFor();
    expect(await table.getByRole('columnheader').allTextContents()).toEqual([
      'Office-holder',
      'Date',
      'Name of organisation or individual',
      'Purpose of meeting',
      'Reference',
      'Note URL',
      'Letter URL',
    ]);
    expect(await table.getByRole('cell', { name: '2026-02-24' }).count()).toBeGreaterThan(0);
    expect(await violations()).toEqual([]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('2026-Q1.csv');
  });

  it('opens a request by hand for a phone call, with a file', async () => {
    await page.getByRole('link', { name: 'New request', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'New request' }).waitFor();
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Open request' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Enter a subject');
    expect(await violations()).toEqual([]);

    await page.getByRole('radio', { name: 'By phone' }).check();
    await page
      .getByLabel('Name of the person who wrote, called or is meeting the office')
      .fill('Morven Reid');
    await page.getByLabel('Their email address (optional)').fill('m.reid@harbourtrust.example');
    await page.getByLabel('Organisation (optional)').fill('Harbour Trust');
    await page.getByLabel('Subject').fill('A meeting about harbour cameras');
    await page
      .getByLabel('The letter’s text, or notes of the call')
      .fill('Called to ask for a meeting about the cameras on the harbour wall.');
    await page.getByLabel('Scans and files (optional)').setInputFiles({
      name: 'call-notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Notes of the call, typed up.\n'),
    });
    await page
      .getByRole('listitem')
      .filter({ hasText: 'call-notes.txt' })
      .getByText('Uploaded')
      .waitFor();
    await page.getByRole('button', { name: 'Open request' }).click();
    await page
      .getByRole('heading', { level: 1, name: /A meeting about harbour cameras/ })
      .waitFor();
    const opened =
      (await page
        .getByRole('main')
        .getByText(/^Request REQ-\d{4}-\d{4} opened\.$/)
        .textContent()) ?? '';
    const stored = await records.byReference(opened.split(' ')[1] ?? '');
    expect(stored).toMatchObject({
      stage: 'received',
      channel: 'phone',
      subject: 'A meeting about harbour cameras',
    });
    expect(await page.getByRole('main').textContent()).toContain('How it cameBy phone');
    expect(await violations()).toEqual([]);

    // Closed before any meeting: withdrawn, with the reason on the request.
    await page.getByRole('link', { name: 'Close request' }).click();
    await page.getByRole('heading', { level: 1, name: /Close this request/ }).waitFor();
    await page.getByLabel('Reason').fill('Opened by mistake: they wrote as well.');
    await page.getByRole('button', { name: 'Close request' }).click();
    await page.getByRole('main').getByText('Request closed.').waitFor();
    expect(await page.getByRole('main').textContent()).toContain(
      'Reason closedOpened by mistake: they wrote as well.',
    );
    expect((await records.byReference(stored?.reference ?? ''))?.stage).toBe('withdrawn');
  });

  it('sends the person to sign in again when the API says the session is over', async () => {
    await endSession();
    await page.getByRole('link', { name: 'Inbox', exact: true }).click();
    await page
      .getByRole('main')
      .getByText('Your session has ended. Sign in again to carry on.')
      .waitFor();
    expect(page.url()).toBe(`${base}/sign-in`);
  });

  it('keeps what was typed when the session ends before it is saved, and warns before it ends', async () => {
    await page.getByRole('button', { name: 'Sign in as Amir Approver' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    // Five minutes before the token lapses, a line above every page says when.
    await page.evaluate(`(() => {
      const session = JSON.parse(sessionStorage.getItem('postroom.session'));
      session.expiresAt = Date.now() + 3 * 60 * 1000;
      sessionStorage.setItem('postroom.session', JSON.stringify(session));
    })()`);
    await page.goto(`${base}/requests/${requestId}`);
    await page
      .getByRole('main')
      .getByText(/^Your session ends at \d{2}:\d{2}\. Save what you are doing/)
      .waitFor();
    expect(await violations()).toEqual([]);

    const comment = 'The Commissioner asked for the footage retention figures.';
    await page.getByRole('textbox', { name: 'Internal note' }).fill(comment);
    await endSession();
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page
      .getByText(
        /^Your session has ended, so your change was not saved\. What you had typed is kept/,
      )
      .waitFor();
    expect(page.url()).toBe(`${base}/sign-in`);
    expect(
      await page.evaluate(
        `getComputedStyle(document.querySelector('.notification__heading'), '::before').content`,
      ),
    ).toBe('"Important: "');

    await page.getByRole('button', { name: 'Sign in as Amir Approver' }).click();
    await page
      .getByText(/^Your session ended before you saved\. What you had typed has been put back/)
      .waitFor();
    expect(page.url()).toBe(`${base}/requests/${requestId}`);
    expect(await page.getByRole('textbox', { name: 'Internal note' }).inputValue()).toBe(comment);
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page.getByRole('main').getByText('Internal note added. Only staff can see it.').waitFor();
    const events = await records.events(requestId);
    // Saved once: the attempt without a session left nothing behind.
    const saved = events.filter(
      (event) => event.action === 'comment' && event.details?.text === comment,
    );
    expect(saved).toHaveLength(1);

    // Someone else signing in at this tab does not get (or get to save) those words.
    await page.getByRole('textbox', { name: 'Internal note' }).fill('Not for anyone else to see.');
    await endSession();
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page.getByRole('button', { name: 'Sign in as Cara Caseworker' }).click();
    await page.getByRole('heading', { level: 2, name: internalNoteHeading }).waitFor();
    expect(page.url()).toBe(`${base}/requests/${requestId}`);
    expect(await page.getByRole('textbox', { name: 'Internal note' }).inputValue()).toBe('');
    expect(
      await page
        .getByRole('main')
        .getByText(/has been put back/)
        .count(),
    ).toBe(0);
  });

  it('shows, rather than puts back, what was typed when someone changed the request meanwhile', async () => {
    const words = 'Agreed to send the retention figures by Friday.';
    await page.getByRole('textbox', { name: 'Internal note' }).fill(words);
    await endSession();
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page
      .getByRole('main')
      .getByText(/What you had typed is kept/)
      .waitFor();
    // A colleague changes the request while the form waits.
    await colleagueComments('Called back.');

    await page.getByRole('button', { name: 'Sign in as Cara Caseworker' }).click();
    await page
      .getByRole('main')
      .getByText(/someone else has changed this request since/)
      .waitFor();
    expect(await page.getByRole('textbox', { name: 'Internal note' }).inputValue()).toBe('');
    const kept = page.getByRole('group').filter({ hasText: 'What you had typed' });
    // Only what was typed: not the subject the reply composer filled in itself.
    expect(await kept.locator('dt').allTextContents()).toEqual(['Internal note']);
    expect(await kept.locator('dd').allTextContents()).toEqual([words]);
    expect(await violations()).toEqual([]);
  });

  it('would report a violation if a page had one (the check itself works)', async () => {
    await page.evaluate(`document.querySelector('main').append(document.createElement('img'))`);
    expect(await violations()).toEqual([expect.stringMatching(/^image-alt:/)]);
  });

  it('broke none of the page’s own security rules', () => {
    expect(violationsSeen).toEqual([]);
  });
});
