import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/processes.ts';
import { startPublicSite } from '../../infra/local/public-site.ts';
import { buildStaffUi, launchChromium, watchedPage } from '../support/browser.ts';
import { pdfWithText } from '../support/pdf.ts';
import {
  documentText,
  env,
  fixture,
  records,
  type SentMail,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * One letter, the whole way: it arrives by SMTP, a caseworker accepts it, schedules and
 * holds the meeting, writes the note and reviews its redactions, an approver approves it,
 * and a member of the public finds it on the public site. Headless Chromium against the
 * real local runtime (handlers, DynamoDB Local, the S3 and SES emulators), driven by roles
 * and labels as a person would, checking the record, the mail and the pages at each step.
 */
const artifacts = join(import.meta.dirname, 'artifacts');
const sender = 'vp.publicaffairs@lumencam.example';
const subject = 'Request for a meeting with the Commissioner';
const attachmentName = 'LumenCam-letter-to-the-Commissioner.pdf';
// OFFICE_TIMEZONE's default: the runtime here leaves it unset.
const officeTimeZone = 'Europe/London';

// The note: footnotes, and personal data the detectors find (a phone number, an email
// address) beside a private individual only a person can spot.
const notePhone = '020 7946 0321';
const noteEmail = 'press.office@lumencam.example';
const privatePerson = 'Morag Fairlie';
const noteTitle = 'Meeting with LumenCam Ltd about body-worn cameras';
const noteBody = `## Purpose

LumenCam Ltd asked to meet about body-worn cameras and public safety.[^1]

## Points of discussion

- Retention periods for footage recorded in shops.
- A complaint from a resident, ${privatePerson}, about a camera facing her garden.
- LumenCam gave a contact for follow-up questions: ${notePhone} or ${noteEmail}.

## Conclusion

The Commissioner agreed to write to LumenCam Ltd setting out what the office expects.[^2]

[^1]: Letter from Helen Marsh of 30 January 2026.
[^2]: The office will reply within twenty working days.
`;

/** The template the caseworker replies from, which an admin saved. */
const replyTemplate = {
  id: 'considering-your-request',
  fields: {
    name: 'We are considering your request',
    body: 'Dear {{requesterName}},\n\nThank you for your letter about {{reference}}. We attach a suggested agenda.\n\n{{officeName}}',
  },
};
const replyAttachment = 'Suggested-agenda.pdf';
const replyHeading = 'Reply to the requester — this is sent by email';
/** The Message-ID of the caseworker's reply, as the requester's mail program saw it. */
let replyMessageId = '';

let postroom: Awaited<ReturnType<typeof startPostroom>>;
let staffUi: Awaited<ReturnType<typeof buildStaffUi>> | undefined;
let site: Awaited<ReturnType<typeof startPublicSite>> | undefined;
let browser: Browser;
let page: Page;
let base: string;
let requestId: string;
let reference: string;
/** Everything the detectors found, as the redaction review listed it; all left redacted. */
let foundPersonalData: string[] = [];
const problemsSeen: string[] = [];
const mailLog: Array<{ step: string; to: string; subject: string }> = [];
const seenMail = new Set<string>();

/** YYYY-MM-DD in the office's time zone. */
const officeDay = (at: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: officeTimeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
const officeClock = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: officeTimeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
// A meeting that has already happened, so it can be recorded as held.
const meetingDay = officeDay(new Date(Date.now() - 24 * 60 * 60 * 1000));

/**
 * The mail sent since the last look, once every stream consumer is done. The sweep's
 * daily digest (a timer, every minute locally) may land at any moment, so it is left out.
 */
async function mailFrom(step: string): Promise<SentMail[]> {
  await postroom.settle();
  const fresh = (await sentMail.all()).filter((mail) => !seenMail.has(mail.messageId));
  for (const mail of fresh) seenMail.add(mail.messageId);
  const ours = fresh.filter((mail) => !mail.subject.startsWith('Daily digest'));
  for (const mail of ours)
    mailLog.push({ step, to: mail.destination.to.join(', '), subject: mail.subject });
  return ours;
}

/** "recipient | subject", sorted: what a step's mail must be, exactly. */
const addressed = (mail: SentMail[]) =>
  mail.map((one) => `${one.destination.to.join(', ')} | ${one.subject}`).sort();

const stage = async () => (await records.request(requestId))?.stage;

async function screenshot(target: Page, name: string) {
  // Chromium may not paint a sandboxed frame that is outside the viewport in a full-page
  // capture, so the viewport is made as tall as the page for the moment of the capture.
  const viewport = target.viewportSize() ?? { width: 1280, height: 900 };
  const height = (await target.evaluate('document.documentElement.scrollHeight')) as number;
  await target.setViewportSize({
    width: viewport.width,
    height: Math.max(height, viewport.height),
  });
  await target.evaluate(
    'new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100)))',
  );
  await target.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  await target.setViewportSize(viewport);
}

// A UK office: dates in inputs read day first. The app works on the office's clock
// (OFFICE_TIMEZONE, from config.json) whatever this says.
const openPage = () => watchedPage(browser, problemsSeen, { locale: 'en-GB' });

/** The confirmation after an action: its words, and the "Success: " the stylesheet adds. */
async function expectSuccess(message: string) {
  // In <main>: the live region that announces the same words sits outside it.
  const banner = page.getByRole('main').getByText(message, { exact: true });
  await banner.waitFor();
  expect(
    await page.evaluate(
      `getComputedStyle(document.querySelector('.notification__heading'), '::before').content`,
    ),
  ).toBe('"Success: "');
}

const actions = () => page.getByRole('region', { name: 'What you can do' });

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  staffUi = await buildStaffUi();
  postroom = await startPostroom({ staffUiDir: staffUi.dir });
  base = `http://127.0.0.1:${postroom.apiPort}`;
  browser = await launchChromium();
  page = await openPage();
}, 180_000);

afterAll(async () => {
  writeFileSync(join(artifacts, 'mail.json'), `${JSON.stringify(mailLog, null, 2)}\n`);
  await browser?.close();
  await site?.stop();
  await postroom?.close();
  await staffUi?.remove();
});

describe('one letter, from the post room to the public site', () => {
  it('1. a letter with a PDF arrives by SMTP: the sender and the office hear of it', async () => {
    await postroom.deliver(fixture('01-letter-pdf.eml'), sender);
    const received = await records.requestsInStage('received');
    expect(received).toHaveLength(1);
    const [request] = received;
    if (!request) throw new Error('the letter did not become a request');
    requestId = request.id;
    reference = request.reference;
    expect(reference).toMatch(/^REQ-\d{4}-\d{4}$/);
    expect(request.subject).toBe(subject);
    expect(request.sender.address).toBe(sender);

    const mail = await mailFrom('1. letter arrives');
    expect(addressed(mail)).toEqual(
      [
        `${sender} | [${reference}] We have received your request`,
        `${env().staff} | [${reference}] New request from ${request.organisation ?? sender}: ${subject}`,
      ].sort(),
    );
    // The office's alert lists the attachment, so staff know there is a PDF to read.
    const alert = mail.find((one) => one.destination.to.includes(env().staff));
    expect(alert?.body.text).toContain(attachmentName);
    expect(env().staff).toMatch(/^staff-.+@office\.example$/);
  });

  it('2. a caseworker signs in and finds the letter in the inbox', async () => {
    await page.goto(`${base}/`);
    await expect.poll(() => page.url()).toBe(`${base}/sign-in`);
    await page.getByRole('heading', { level: 1, name: 'Sign in to postroom' }).waitFor();
    await screenshot(page, '01-sign-in');
    await page.getByRole('button', { name: 'Sign in as Cara Caseworker' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Received 1 request' }).waitFor();
    expect(await page.getByRole('link', { name: reference, exact: true }).count()).toBe(1);
    await screenshot(page, '02-inbox');
    expect(await mailFrom('2. sign in')).toEqual([]);
  });

  it('3. opens the request and accepts it: the requester is told', async () => {
    await page.getByRole('link', { name: reference, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    const letter = page.getByRole('region', { name: 'The letter' });
    await expect
      .poll(() => letter.frameLocator('iframe').locator('body').textContent())
      .toContain('the role our products play in public safety');
    expect(await letter.getByRole('link', { name: attachmentName }).count()).toBe(1);
    await screenshot(page, '03-request');

    await actions().getByRole('button', { name: 'Accept request' }).click();
    await expectSuccess('Request accepted. The requester has been told.');
    expect(await stage()).toBe('accepted');
    expect(addressed(await mailFrom('3. accept'))).toEqual([
      `${sender} | [${reference}] Your request for a meeting has been accepted`,
    ]);
  });

  it('4. replies from a template, with a file: one mail on the letter’s thread, written by a person', async () => {
    const saved = await staffClient(postroom.apiPort)(
      staff.admin,
      'PUT',
      `/api/templates/${replyTemplate.id}`,
      replyTemplate.fields,
    );
    expect(saved.status).toBe(200);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await actions().getByRole('link', { name: 'Reply to the requester' }).click();
    const composer = page.getByRole('region', { name: replyHeading });
    expect(
      await composer
        .getByRole('group', { name: 'To' })
        .getByRole('checkbox', {
          name: new RegExp(`the requester \\(${sender.replace(/\./g, '\\.')}\\)`),
        })
        .isChecked(),
    ).toBe(true);
    await composer
      .getByLabel('Start from a template (optional)')
      .selectOption({ label: replyTemplate.fields.name });
    await composer.getByRole('button', { name: 'Use this template' }).click();
    expect(await composer.getByRole('textbox', { name: 'Message' }).inputValue()).toBe(
      replyTemplate.fields.body,
    );
    await composer.getByLabel('Attachments (optional)').setInputFiles({
      name: replyAttachment,
      mimeType: 'application/pdf',
      buffer: pdfWithText([['Suggested agenda', '1. Footage retention', '2. Public signage']]),
    });
    await composer
      .getByRole('listitem')
      .filter({ hasText: replyAttachment })
      .getByText('Uploaded')
      .waitFor();
    await screenshot(page, '03b-reply');
    await composer.getByRole('button', { name: 'Send reply' }).click();
    await expectSuccess(
      `Your reply to ${sender} is on its way. The timeline shows when it has been sent.`,
    );
    expect(await stage()).toBe('accepted');

    const mail = await mailFrom('4. reply');
    const replySubject = `Re: ${subject} [${reference}]`;
    expect(addressed(mail)).toEqual([`${sender} | ${replySubject}`]);
    const [reply] = mail;
    // The placeholders filled in by the server, as the requester reads them.
    expect(reply?.body.text).toContain('Dear Helen Marsh,');
    expect(reply?.body.text).toContain(`about ${reference}`);
    expect(reply?.body.text).not.toContain('{{');
    // The raw message: on the letter's thread, with the file, and from a person. The SES
    // emulator re-encodes what it stores, so the headers are read from the exact MIME
    // postroom kept and handed to SES, tied to the emulator's record by its text and file.
    const kept = (await records.messages(requestId)).find(
      (message) => message.direction === 'outbound' && message.kind === 'reply',
    );
    expect(kept).toMatchObject({ author: staff.caseworker, to: [sender], subject: replySubject });
    const raw = await PostalMime.parse(await documentText(kept?.raw?.key ?? ''));
    expect(raw.inReplyTo).toBe('<letter-001@lumencam.example>');
    expect(raw.messageId).toBe(kept?.messageId);
    expect(raw.references?.split(/\s+/)).toEqual(['<letter-001@lumencam.example>', raw.messageId]);
    const headerNames = raw.headers.map((one) => one.key);
    expect(headerNames).not.toContain('auto-submitted');
    expect(raw.subject).toBe(reply?.subject);
    expect(raw.text).toBe(reply?.body.text);
    expect(raw.attachments.map((attachment) => [attachment.filename, attachment.mimeType])).toEqual(
      [[replyAttachment, 'application/pdf']],
    );
    expect(Buffer.from(raw.attachments[0]?.content as ArrayBuffer).toString('base64')).toBe(
      reply?.attachments[0]?.content,
    );
    replyMessageId = raw.messageId ?? '';

    await page.reload();
    const shown = page
      .getByRole('region', { name: 'Timeline' })
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: `Reply by email to ${sender}` }) });
    await shown.getByText('Sent', { exact: true }).waitFor();
    expect(await shown.textContent()).toContain(`Written by${staff.caseworker}`);
    await expect.poll(() => shown.textContent()).toContain('Dear Helen Marsh,');
    expect(await shown.getByRole('link', { name: replyAttachment }).count()).toBe(1);
  });

  it('5. the requester answers the reply by email: the answer joins the request’s timeline', async () => {
    const answer = Buffer.from(
      [
        `From: "Helen Marsh" <${sender}>`,
        'To: commissioner@office.example',
        // No reference in the subject: the answer threads by the reply's Message-ID alone.
        `Subject: Re: ${subject}`,
        `Date: ${new Date().toUTCString()}`,
        'Message-ID: <answer-001@lumencam.example>',
        `In-Reply-To: ${replyMessageId}`,
        `References: ${replyMessageId}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Thank you. The agenda suits us; we will bring the retention figures.',
        '',
      ].join('\r\n'),
    );
    await postroom.deliver(answer, sender);
    const messages = await records.messages(requestId);
    expect(
      messages
        .filter((message) => message.direction === 'inbound')
        .map((message) => message.messageId),
    ).toContain('<answer-001@lumencam.example>');
    expect(await stage()).toBe('accepted');
    // The office hears of it, as of any mail joining a request.
    expect(addressed(await mailFrom('5. the requester answers'))).toEqual([
      `${env().staff} | [${reference}] New message: Re: ${subject}`,
    ]);

    await page.reload();
    const received = page
      .getByRole('region', { name: 'Timeline' })
      .getByRole('listitem')
      .filter({ hasText: 'The agenda suits us' });
    await received.waitFor();
    expect(await received.getByRole('heading').textContent()).toMatch(/^Received from .*lumencam/);
    await screenshot(page, '03c-answer-in-timeline');
  });

  it('6. schedules a meeting with five attendees: each with an address gets an invitation', async () => {
    await actions().getByRole('link', { name: 'Schedule meeting' }).click();
    await page.getByRole('heading', { level: 1, name: /Schedule the meeting/ }).waitFor();
    await page.getByLabel('Start date and time').fill(`${meetingDay}T10:00`);
    await page.getByLabel('End date and time').fill(`${meetingDay}T11:00`);
    await page.getByLabel('Location').fill('The Commissioner’s Office, Edinburgh');

    const attendees = [
      // The requester, filled in by the form.
      {
        name: 'Helen Marsh',
        role: 'Vice President, Public Affairs',
        organisation: 'LumenCam Ltd',
        email: sender,
        as: 'Attendee',
      },
      {
        name: 'Daniel Okafor',
        role: 'Chief Executive',
        organisation: 'LumenCam Ltd',
        email: 'ceo@lumencam.example',
        as: 'Attendee',
      },
      {
        name: 'Sophie Grant',
        role: 'Account Director',
        organisation: 'Northlight Communications',
        email: '',
        as: 'Attendee',
      },
      {
        name: 'The Commissioner',
        role: 'Commissioner',
        organisation: 'The Commissioner’s Office',
        email: '',
        as: 'Host',
      },
      {
        name: 'Priya Nair',
        role: 'Independent adviser on surveillance',
        organisation: 'University of Stirling',
        email: 'p.nair@stirling.example',
        as: 'Invited guest',
      },
    ] as const;
    const first = page.getByRole('group', { name: 'Attendee 1', exact: true });
    expect(await first.getByLabel('Name', { exact: true }).inputValue()).toBe('Helen Marsh');
    expect(await first.getByLabel('Email address (optional)').inputValue()).toBe(sender);
    for (const [index, attendee] of attendees.entries()) {
      if (index > 0) await page.getByRole('button', { name: 'Add another attendee' }).click();
      const group = page.getByRole('group', { name: `Attendee ${index + 1}`, exact: true });
      await group.getByLabel('Name', { exact: true }).fill(attendee.name);
      await group.getByLabel('Role', { exact: true }).fill(attendee.role);
      await group.getByLabel('Organisation', { exact: true }).fill(attendee.organisation);
      await group.getByLabel('Email address (optional)').fill(attendee.email);
      await group
        .getByRole('group', { name: 'Attending as' })
        .getByRole('radio', { name: attendee.as, exact: true })
        .check();
    }
    expect(await page.getByRole('group', { name: /^Attendee \d+$/ }).count()).toBe(5);
    await screenshot(page, '04-schedule-form');

    await page.getByRole('button', { name: 'Schedule meeting' }).click();
    await expectSuccess('Meeting scheduled. The invitation has been sent.');
    const request = await records.request(requestId);
    expect(request?.stage).toBe('scheduled');
    const meeting = request?.meeting;
    expect(meeting?.location).toBe('The Commissioner’s Office, Edinburgh');
    // Entered on the office's clock, stored as instants.
    expect([meeting?.start, meeting?.end].map((at) => officeDay(new Date(at ?? '')))).toEqual([
      meetingDay,
      meetingDay,
    ]);
    expect([officeClock(meeting?.start ?? ''), officeClock(meeting?.end ?? '')]).toEqual([
      '10:00',
      '11:00',
    ]);
    expect(meeting?.attendees).toEqual(
      attendees.map((attendee) => ({
        name: attendee.name,
        role: attendee.role,
        organisation: attendee.organisation,
        ...(attendee.email ? { email: attendee.email } : {}),
        host: attendee.as === 'Host',
        invitedGuest: attendee.as === 'Invited guest',
      })),
    );

    const mail = await mailFrom('6. schedule');
    const invited = attendees.flatMap((attendee) => (attendee.email ? [attendee.email] : []));
    expect(addressed(mail)).toEqual(
      invited.map((address) => `${address} | [${reference}] Meeting arranged`).sort(),
    );
    const stamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    for (const one of mail) {
      const calendar = one.attachments.find((attachment) =>
        attachment.contentType.startsWith('text/calendar'),
      );
      const ics = Buffer.from(calendar?.content ?? '', 'base64')
        .toString('utf8')
        .replace(/\r\n /g, '');
      expect(ics).toMatch(/^METHOD:REQUEST\r$/m);
      expect(ics).toContain(`UID:${requestId}@postroom.office.example`);
      expect(ics).toContain(`DTSTART:${stamp(meeting?.start ?? '')}`);
      expect(ics).toContain(`DTEND:${stamp(meeting?.end ?? '')}`);
      for (const address of invited) expect(ics).toContain(`mailto:${address}`);
      expect(one.body.text).toContain('- The Commissioner, Commissioner');
      expect(one.body.text).toContain('(host)');
      expect(one.body.text).toContain('- Priya Nair, Independent adviser on surveillance');
      expect(one.body.text).toContain('(invited guest)');
    }
  });

  it('7. records the meeting as held: the note is due, and its assignee is told when', async () => {
    await actions().getByRole('button', { name: 'Record meeting as held' }).click();
    await expectSuccess('Meeting recorded as held. The note is now due.');
    const request = await records.request(requestId);
    expect(request?.stage).toBe('held');
    const due = request?.noteDueBy ?? '';
    expect(due > meetingDay).toBe(true);
    const dueWords = new Date(`${due}T12:00:00Z`).toLocaleDateString('en-GB', {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    // Whoever accepted the request holds it, so the note is theirs to write.
    expect(request?.assignee).toBe(staff.caseworker);
    expect(addressed(await mailFrom('7. record held'))).toEqual([
      `${staff.caseworker} | [${reference}] Meeting held: the note is due by ${dueWords}`,
    ]);
  });

  it('8. writes the note in Markdown, with footnotes, and sees the public copy as it types', async () => {
    await actions().getByRole('link', { name: 'Write the note' }).click();
    await page.getByRole('heading', { level: 1, name: /Edit the note of the meeting/ }).waitFor();
    await page.getByLabel('Title', { exact: true }).fill(noteTitle);
    await page.getByLabel('Note', { exact: true }).fill(noteBody);
    const preview = page.frameLocator('iframe[title="Preview of the public meeting page"]');
    await expect
      .poll(() => preview.getByRole('heading', { level: 1 }).textContent(), { timeout: 5000 })
      .toBe(noteTitle);
    const note = preview.locator('main');
    expect(await note.textContent()).toContain('Retention periods for footage recorded in shops.');
    // The footnote reference, and the footnote itself.
    expect(await preview.getByRole('link', { name: '[1]', exact: true }).count()).toBe(1);
    expect(
      await preview
        .getByRole('listitem')
        .filter({ hasText: 'Letter from Helen Marsh of 30 January 2026.' })
        .count(),
    ).toBe(1);
    // The detectors already redact the phone number and the email address; the name needs
    // a person, in the redaction review.
    const previewText = (await note.textContent()) ?? '';
    expect(previewText).toContain('questions: [redacted] or [redacted].');
    expect(previewText).not.toContain('7946 0321');
    expect(previewText).not.toContain(noteEmail);
    expect(previewText).toContain(privatePerson);
    await screenshot(page, '05-note-editor');

    await page.getByRole('button', { name: 'Save draft' }).click();
    await expectSuccess('Note saved as version 1.');
    const request = await records.request(requestId);
    expect(request?.stage).toBe('drafting');
    expect(request?.draft).toMatchObject({
      version: 1,
      title: noteTitle,
      editors: [staff.caseworker],
    });
    expect(await mailFrom('8. save draft')).toEqual([]);
  });

  it('9. reviews the redactions: keeps what was found redacted, adds a name, clears the PDF', async () => {
    await page.getByRole('link', { name: 'Review redactions' }).click();
    await page.getByRole('heading', { level: 1, name: /Review redactions/ }).waitFor();
    const findings = page
      .getByRole('region', { name: 'Personal data found' })
      .getByRole('group', { name: /^“.+”$/ });
    await findings.first().waitFor();
    // Everything found is redacted, but the names of those attending in an official role.
    const privateFindings = findings.filter({
      has: page.getByLabel('Publish this instead of redacting it'),
    });
    foundPersonalData = (await privateFindings.locator('legend').allTextContents()).map((legend) =>
      legend.slice(1, -1),
    );
    expect(foundPersonalData).toEqual(expect.arrayContaining([notePhone, noteEmail]));
    for (const text of [notePhone, noteEmail]) {
      const finding = page.getByRole('group', { name: `“${text}”`, exact: true });
      const publish = finding.getByLabel('Publish this instead of redacting it');
      expect(await publish.isChecked()).toBe(false);
      // The reason is asked for only when the finding is to be published.
      expect(await finding.getByLabel('Why may this be published?').isVisible()).toBe(false);
    }
    for (let index = 0; index < (await privateFindings.count()); index += 1)
      expect(
        await privateFindings
          .nth(index)
          .getByLabel('Publish this instead of redacting it')
          .isChecked(),
      ).toBe(false);
    await page.getByLabel('Other text to redact').fill(privatePerson);
    expect(await page.getByLabel('Patterns to redact').inputValue()).toBe('');
    await page.getByRole('checkbox', { name: `Publish ${attachmentName}` }).check();
    // Its text was not read for personal data, so publishing it needs a reason.
    await page
      .getByLabel(`Why may ${attachmentName} be published?`)
      .fill('Checked by hand: no personal data in it');
    await screenshot(page, '06-redaction-review');

    await page.getByRole('button', { name: 'Save redaction decisions' }).click();
    await expectSuccess('Redaction decisions saved.');
    const request = await records.request(requestId);
    expect(request?.stage).toBe('drafting');
    expect(request?.redactions).toMatchObject({
      reinstated: [],
      texts: [privatePerson],
      patterns: [],
    });
    expect(request?.redactions?.clearedAttachments).toEqual([
      expect.stringMatching(new RegExp(`${attachmentName.replace(/\./g, '\\.')}$`)),
    ]);
    // The public copy, as publication would write it now.
    const meetingPreview = page
      .frameLocator('iframe[title="Preview of the public meeting page"]')
      .locator('main');
    const letterPreview = page
      .frameLocator('iframe[title="Preview of the public letter page"]')
      .locator('main');
    await expect.poll(() => meetingPreview.textContent()).toContain('a resident, [redacted],');
    await expect.poll(() => letterPreview.textContent()).toContain('Tel: [redacted]');
    for (const text of [...foundPersonalData, privatePerson]) {
      expect(await meetingPreview.textContent()).not.toContain(text);
      expect(await letterPreview.textContent()).not.toContain(text);
    }
    await screenshot(page, '07-redactions-saved');
    expect(await mailFrom('9. review redactions')).toEqual([]);
  });

  it('10. submits the note for approval: the approver is told', async () => {
    await page.getByRole('link', { name: `Back to ${reference}` }).click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await actions().getByRole('button', { name: 'Submit note for approval' }).click();
    await expectSuccess('Note submitted for approval. The approvers have been told.');
    const request = await records.request(requestId);
    expect(request?.stage).toBe('in_review');
    expect(request?.draft?.submittedBy).toBe(staff.caseworker);
    const mail = await mailFrom('10. submit note');
    expect(addressed(mail)).toEqual([
      `${staff.approver} | [${reference}] A meeting note awaits your approval`,
    ]);
    expect(mail[0]?.body.text).toContain(`${staff.caseworker} has submitted the note`);
  });

  it('11. the approver signs in and approves: the note is published, and everyone is told', async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('main').getByText('You have signed out.').waitFor();
    await page.getByRole('button', { name: 'Sign in as Amir Approver' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inbox' }).waitFor();
    await page.getByRole('link', { name: reference, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await actions().getByRole('link', { name: 'Approve note' }).click();
    await page.getByRole('heading', { level: 1, name: /Approve the note/ }).waitFor();
    expect(await page.getByLabel('Publish at (optional)').inputValue()).toBe('');
    await screenshot(page, '08-approve');
    await page.getByRole('button', { name: 'Approve note' }).click();
    await expectSuccess('Note approved. It will be published automatically.');

    // The approval goes out on the table stream; publication follows unaided.
    const mail = await mailFrom('11. approve and publish');
    const request = await records.request(requestId);
    expect(request?.stage).toBe('published');
    const events = await records.events(requestId);
    expect(events.slice(-2).map((event) => [event.action, event.actor])).toEqual([
      ['approve', staff.approver],
      ['publish', 'system:publish'],
    ]);
    expect(addressed(mail)).toEqual(
      [
        // To whoever holds the request: the caseworker who accepted it.
        `${staff.caseworker} | [${reference}] Meeting note approved`,
        `${sender} | [${reference}] The note of our meeting will be published`,
        `${sender} | [${reference}] The note of our meeting is published`,
        `${env().staff} | [${reference}] Meeting note published`,
      ].sort(),
    );
    const pageUrl = `${process.env.SITE_BASE_URL}meetings/${request?.meeting?.start.slice(0, 4)}/${reference.toLowerCase()}/`;
    const published = mail.filter((one) => / (is|note) published$/.test(one.subject));
    expect(published).toHaveLength(2);
    for (const one of published) expect(one.body.text).toContain(pageUrl);

    await page.reload();
    await page.getByRole('heading', { level: 1, name: subject }).waitFor();
    await expect
      .poll(() => page.getByRole('region', { name: 'Timeline' }).textContent())
      .toContain('Published');
  });

  it('12. a member of the public finds the note and the letter, with nothing redacted left in', async () => {
    site = await startPublicSite(await freePort(), process.env.PUBLIC_BUCKET ?? '');
    const siteBase = `http://127.0.0.1:${site.port}`;
    const reader = await openPage();
    const mustNotAppear = [...new Set([...foundPersonalData, notePhone, noteEmail, privatePerson])];
    // Served HTML and the page as read: neither may hold a redacted string.
    const expectClean = async (where: string) => {
      const address = new URL(reader.url());
      address.hash = '';
      const served = await (await reader.request.get(address.href)).text();
      const shown = await reader.content();
      for (const text of mustNotAppear) {
        expect(served, `${where}: ${text}`).not.toContain(text);
        expect(shown, `${where}: ${text}`).not.toContain(text);
      }
      expect(served).not.toContain('7946 0321');
      expect(served).toContain('[redacted]');
    };

    await reader.goto(`${siteBase}/`);
    await reader
      .getByRole('heading', { level: 1, name: 'Meetings with outside organisations' })
      .waitFor();
    await reader.getByRole('link', { name: noteTitle, exact: true }).click();
    await reader.getByRole('heading', { level: 1, name: noteTitle }).waitFor();
    expect(new URL(reader.url()).pathname).toMatch(
      new RegExp(`^/meetings/\\d{4}/${reference.toLowerCase()}/$`),
    );
    const main = reader.getByRole('main');
    expect(await main.textContent()).toContain('Retention periods for footage recorded in shops.');
    expect(await main.textContent()).toContain('a resident, [redacted],');
    const attendance = reader.getByRole('table', { name: 'In attendance' });
    expect(
      await attendance.getByRole('row').filter({ hasText: 'The Commissioner' }).textContent(),
    ).toContain('host');
    expect(
      await attendance.getByRole('row').filter({ hasText: 'Priya Nair' }).textContent(),
    ).toContain('invited guest');
    expect(await attendance.getByRole('row').count()).toBe(6);
    // The footnote: follow the reference to it.
    await reader.getByRole('link', { name: '[1]', exact: true }).click();
    expect(new URL(reader.url()).hash).toBe('#fn1');
    expect(
      await reader
        .getByRole('listitem')
        .filter({ hasText: 'Letter from Helen Marsh of 30 January 2026.' })
        .count(),
    ).toBe(1);
    // The cleared PDF, beside the link to the letter.
    const letterSection = reader.getByRole('region', { name: 'The letter requesting the meeting' });
    const pdfLink = letterSection.getByRole('link', { name: attachmentName, exact: true });
    const pdf = await reader.request.get(
      new URL((await pdfLink.getAttribute('href')) ?? '', reader.url()).href,
    );
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await expectClean('meeting page');
    await screenshot(reader, '09-public-meeting');

    await letterSection.getByRole('link', { name: /^Read the letter of / }).click();
    await reader
      .getByRole('heading', { level: 1, name: /^Letter of .+ requesting the meeting/ })
      .waitFor();
    expect(await reader.getByRole('heading', { level: 1 }).textContent()).toContain(reference);
    const letterText = (await reader.getByRole('main').textContent()) ?? '';
    expect(letterText).toContain('the role our products play in public safety');
    expect(letterText).toContain('Tel: [redacted]');
    // The PDF is offered beside the letter too, and is the same file.
    const enclosed = reader.getByRole('main').getByRole('link', { name: attachmentName });
    const fromLetter = await reader.request.get(
      new URL((await enclosed.getAttribute('href')) ?? '', reader.url()).href,
    );
    expect(fromLetter.status()).toBe(200);
    expect(Buffer.compare(await fromLetter.body(), await pdf.body())).toBe(0);
    await expectClean('letter page');
    await screenshot(reader, '10-public-letter');
    await reader.close();
  });

  it('broke none of the pages’ own security rules, and threw no errors', () => {
    expect(problemsSeen).toEqual([]);
  });
});
