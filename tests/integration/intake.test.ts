import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findBrokenLink } from '../../shared/workflow/audit.ts';
import {
  documentObject,
  documentText,
  env,
  fixture,
  inboundKeys,
  records,
  sentMail,
  startPostroom,
} from '../support/postroom.ts';

/**
 * The worked example end to end: a letter with a PDF arrives over SMTP, becomes request
 * REQ-<year>-0001 in DynamoDB Local with its parts in the S3 emulator, and the sender and
 * the office each get mail through the SES emulator.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;

beforeAll(async () => {
  postroom = await startPostroom();
});
afterAll(async () => {
  await postroom.close();
});
beforeEach(async () => {
  await sentMail.clear();
});

describe('a letter arriving by email', () => {
  it('becomes a tracked request with its parts, audit event and notifications', async () => {
    await postroom.deliver(fixture('01-letter-pdf.eml'), 'vp.publicaffairs@lumencam.example');
    const year = new Date().getFullYear();
    const reference = `REQ-${year}-0001`;

    const request = await records.byReference(reference);
    expect(request).toMatchObject({
      reference,
      stage: 'received',
      version: 1,
      subject: 'Request for a meeting with the Commissioner',
      sender: { address: 'vp.publicaffairs@lumencam.example', name: 'Helen Marsh' },
      organisation: 'LumenCam Ltd',
      messageCount: 1,
    });
    expect(request?.replyBy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((request?.replyBy ?? '') > (request?.receivedAt.slice(0, 10) ?? '')).toBe(true);
    expect(await records.requestsInStage('received')).toEqual([
      expect.objectContaining({ reference }),
    ]);

    // The first audit event, chained from the genesis hash, written with the request.
    const events = await records.events(request?.id ?? '');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      seq: 1,
      action: 'receive',
      to: 'received',
      prevHash: '0'.repeat(64),
    });
    expect(events[0]?.hash).toBe(request?.lastHash);
    expect(findBrokenLink(events)).toBeUndefined();

    // The raw MIME stays in the inbound bucket; the filing record points at the request.
    const [rawKey] = await inboundKeys();
    expect(rawKey).toMatch(/^inbound\/[0-9a-f]{40}$/);
    expect(await records.filing(rawKey ?? '')).toMatchObject({ place: 'request', reference });

    // Body text, sanitised HTML and the PDF, under the request in the documents bucket.
    const [message] = await records.messages(request?.id ?? '');
    expect(message).toMatchObject({
      direction: 'inbound',
      from: 'vp.publicaffairs@lumencam.example',
      messageId: '<letter-001@lumencam.example>',
      raw: { bucket: env().inbound, key: rawKey },
    });
    const documents = message?.documents;
    expect(await documentText(documents?.text ?? '')).toContain('public safety');
    expect(await documentText(documents?.html ?? '')).toContain('<p>');
    expect(documents?.attachments).toHaveLength(1);
    const [letter] = documents?.attachments ?? [];
    expect(letter).toMatchObject({ contentType: 'application/pdf', inline: false });
    const pdf = await documentObject(letter?.key ?? '');
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.bytes?.byteLength).toBe(letter?.size);
    expect(
      Buffer.from(pdf.bytes ?? [])
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    // An acknowledgement to the sender, threaded and marked as an automatic reply.
    const [acknowledgement] = await sentMail.to('vp.publicaffairs@lumencam.example');
    expect(acknowledgement?.subject).toContain(`[${reference}]`);
    expect(acknowledgement?.body.text).toContain(reference);
    expect(acknowledgement?.body.html).toContain(reference);
    const outbound = (await records.messages(request?.id ?? '')).filter(
      (m) => m.direction === 'outbound',
    );
    const ackRecord = outbound.find((m) => m.kind === 'acknowledgement');
    // The emulator re-encodes what it stores, so read the exact MIME postroom kept and sent.
    const raw = await documentText(ackRecord?.raw?.key ?? '');
    expect(raw).toMatch(/^Auto-Submitted: auto-replied\r?$/m);
    expect(raw).toMatch(/^In-Reply-To: <letter-001@lumencam\.example>\r?$/m);
    expect(raw).toMatch(
      new RegExp(
        `^References: <letter-001@lumencam\\.example> <${reference}\\.ack\\.[0-9a-f]{24}@postroom\\.office\\.example>`,
        'm',
      ),
    );

    // The office is told, with the attachment listed.
    const [alert] = await sentMail.to(env().staff);
    expect(alert?.subject).toContain(`[${reference}] New request from LumenCam Ltd`);
    expect(alert?.body.text).toMatch(/\.pdf \(application\/pdf, \d+ bytes\)/);
    const alertRecord = outbound.find((m) => m.kind === 'new-request-alert');
    expect(await documentText(alertRecord?.raw?.key ?? '')).toMatch(
      /^Auto-Submitted: auto-generated\r?$/m,
    );

    // Both outbound messages are recorded on the request with the ids replies will quote.
    expect(outbound.map((m) => m.kind).sort()).toEqual(['acknowledgement', 'new-request-alert']);
    expect(outbound.every((m) => m.sesMessageId?.endsWith('.amazonses.com>'))).toBe(true);
    expect(await records.notifications(request?.id ?? '')).toEqual([
      expect.objectContaining({ state: 'sent' }),
      expect.objectContaining({ state: 'sent' }),
    ]);
  });

  it('numbers the next letter REQ-<year>-0002 and stores a sanitised HTML copy', async () => {
    await postroom.deliver(fixture('05-html-dangerous.eml'));
    const request = await records.byReference(`REQ-${new Date().getFullYear()}-0002`);
    expect(request?.organisation).toBeDefined();
    const [message] = await records.messages(request?.id ?? '');
    const html = await documentText(message?.documents?.html ?? '');
    expect(html.length).toBeGreaterThan(50);
    expect(html).not.toMatch(/<script|onerror=|onload=|javascript:|<iframe|<form/i);
    expect(html).toMatch(/facial recognition/i);
  });
});
