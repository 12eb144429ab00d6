import { describe, expect, it } from 'vitest';
import {
  acknowledgement,
  newRequestAlert,
  type TemplateRequest,
} from '../../shared/mail/templates/index.ts';

function request(overrides: Partial<TemplateRequest> = {}): TemplateRequest {
  return {
    reference: 'REQ-2026-0042',
    subject: 'Request for a meeting with the Commissioner',
    senderName: 'Helen Marsh',
    senderAddress: 'vp.publicaffairs@lumencam.example',
    organisation: 'LumenCam Ltd',
    receivedAt: '2026-11-28T10:00:00.000Z',
    replyBy: '2026-12-14',
    timeZone: 'Europe/London',
    ...overrides,
  };
}

const hostile = '<script>alert("x")</script> & <b>bold</b>';
const alertDetails = { attachments: [], flags: [], acknowledged: 'sent to the sender' };

describe('acknowledgement', () => {
  it('puts the reference in brackets at the start of a subject of the office’s own words', () => {
    const mail = acknowledgement(request(), 'The Commissioner’s Office');
    // The sender's subject is not repeated: a forged letter must not make the office
    // send a stranger the forger's words.
    expect(mail.subject).toBe('[REQ-2026-0042] We have received your request');
    expect(mail.text).toContain('"Request for a meeting with the Commissioner"');
  });

  it('greets the sender by name, or says Hello when there is no name', () => {
    expect(acknowledgement(request(), 'Office').text).toMatch(/^Dear Helen Marsh,/);
    expect(acknowledgement(request({ senderName: '' }), 'Office').text).toMatch(/^Hello,/);
  });

  it('gives the reply-by date in words in the text and the HTML', () => {
    const mail = acknowledgement(request(), 'Office');
    expect(mail.text).toMatch(/We aim to reply by Monday,? 14 December 2026\./);
    expect(mail.html).toMatch(/Monday,? 14 December 2026/);
    expect(mail.text).not.toContain('2026-12-14');
  });

  it('reads the reply-by date from a full timestamp without shifting the day', () => {
    const mail = acknowledgement(request({ replyBy: '2026-12-14T23:30:00.000Z' }), 'Office');
    expect(mail.text).toMatch(/Monday,? 14 December 2026/);
  });

  it('asks the sender to keep the reference in replies and names the office', () => {
    const mail = acknowledgement(request(), 'The Commissioner’s Office');
    expect(mail.text).toContain('Please keep REQ-2026-0042 in the subject');
    expect(mail.text).toContain('The Commissioner’s Office has received it');
    expect(mail.text.endsWith('The Commissioner’s Office\n')).toBe(true);
  });

  it('escapes a hostile subject in the HTML', () => {
    const mail = acknowledgement(request({ subject: hostile }), 'Office');
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<b>bold');
    expect(mail.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;',
    );
  });

  it('escapes a hostile sender name and office name in the HTML', () => {
    const mail = acknowledgement(request({ senderName: '<img src=x onerror=y>' }), '<i>Office</i>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<i>');
    expect(mail.html).toContain('&lt;i&gt;Office&lt;/i&gt;');
  });

  it('is a whole HTML document with a language', () => {
    const { html } = acknowledgement(request(), 'Office');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>REQ-2026-0042 received</title>');
  });
});

describe('newRequestAlert', () => {
  it('puts the reference in brackets and names the organisation in the subject', () => {
    expect(newRequestAlert(request(), alertDetails).subject).toBe(
      '[REQ-2026-0042] New request from LumenCam Ltd: Request for a meeting with the Commissioner',
    );
  });

  it('names the sender address when no organisation was identified', () => {
    const mail = newRequestAlert(request({ organisation: undefined }), alertDetails);
    expect(mail.subject).toContain('New request from vp.publicaffairs@lumencam.example:');
    expect(mail.text).toContain('Organisation: not identified');
  });

  it('lists the facts staff triage by, with the reply-by date in words', () => {
    const mail = newRequestAlert(request(), {
      attachments: ['letter.pdf (application/pdf, 1332 bytes)'],
      flags: [],
      acknowledged: 'sent to the sender',
    });
    expect(mail.text).toContain('Reference: REQ-2026-0042');
    expect(mail.text).toContain('From: Helen Marsh <vp.publicaffairs@lumencam.example>');
    expect(mail.text).toMatch(/Reply due by: Monday,? 14 December 2026/);
    expect(mail.text).toContain('Attachments: letter.pdf (application/pdf, 1332 bytes)');
    expect(mail.text).toContain('Acknowledgement: sent to the sender');
    expect(mail.text).not.toContain('Warnings:');
  });

  it('says "none" for no attachments and lists warnings when there are flags', () => {
    const mail = newRequestAlert(request(), {
      attachments: [],
      flags: ['spam: SES spam verdict FAIL', 'sender authentication failed: SPF'],
      acknowledged: 'not sent (SES spam verdict FAIL)',
    });
    expect(mail.text).toContain('Attachments: none');
    expect(mail.text).toContain(
      'Warnings: spam: SES spam verdict FAIL; sender authentication failed: SPF',
    );
  });

  it('escapes a hostile subject and sender in the HTML', () => {
    const mail = newRequestAlert(
      request({ subject: hostile, senderName: '<svg onload=x>' }),
      alertDetails,
    );
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<svg');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).toContain('&lt;vp.publicaffairs@lumencam.example&gt;');
  });
});
