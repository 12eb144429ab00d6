import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as extractText } from '../../functions/extract-text.ts';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { type TextLayer, textLayerKey } from '../../shared/attachments/text-layer.ts';
import type { MessageRecord } from '../../shared/workflow/records.ts';
import { letterWithAttachments } from '../support/letters.ts';
import { pdfWithText } from '../support/pdf.ts';
import {
  documentKeys,
  documentText,
  insertedOnStream,
  records,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * Attachments' text is read once, when the letter is filed, by a function of its own (it
 * carries pdf.js), and kept beside the attachment; redaction review reads that text, so a
 * cleared PDF can no longer carry a phone number or an address out unseen.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
let id = '';
let message: MessageRecord | undefined;

const annex = pdfWithText([
  ['Annex: our members', 'Chair: Morag Fairlie'],
  ['Call our PA on (020) 7946 0321', 'or write to pa@lumen-private.example'],
]);

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  await postroom.deliver(
    letterWithAttachments({
      from: 'Helen Marsh <helen@lumencam.example>',
      subject: 'Request for a meeting',
      // A name only NLP finds: no title, not a signature, not in the headers.
      body: 'Dear Commissioner,\r\n\r\nOur treasurer John Smith would like to meet you about the annex.\r\n\r\nKind regards,\r\nHelen Marsh',
      attachments: [
        { filename: 'annex.pdf', contentType: 'application/pdf', content: annex },
        {
          filename: 'broken.pdf',
          contentType: 'application/pdf',
          content: '%PDF-1.4 this is not really a PDF',
        },
        {
          filename: 'plan.docx',
          contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          content: 'PK\u0003\u0004 not read',
        },
        {
          filename: 'notes.txt',
          contentType: 'text/plain; charset=iso-8859-1',
          content: Buffer.from('Caf\u00e9 meeting: ring 07700.900.123', 'latin1'),
        },
      ],
    }),
    'helen@lumencam.example',
  );
  id = (await records.requestsInStage('received'))[0]?.id ?? '';
  message = (await records.messages(id)).find((candidate) => candidate.direction === 'inbound');
});
afterAll(async () => {
  await postroom.close();
});

const attachmentNamed = (filename: string) => {
  const found = message?.documents?.attachments.find((a) => a.filename === filename);
  if (!found) throw new Error(`no attachment ${filename}`);
  return found;
};
const layerOf = async (filename: string) =>
  JSON.parse(await documentText(textLayerKey(attachmentNamed(filename).key))) as TextLayer;

describe('attachment text layers', () => {
  it('finds the people the letter names, by NLP, once, and keeps them beside it', async () => {
    const people = JSON.parse(
      await documentText(`requests/${id}/messages/${message?.key}/text/people.json`),
    );
    expect(people.names).toContain('John Smith');
    const review = await api(staff.caseworker, 'GET', `/api/requests/${id}/redactions`);
    expect(review.body.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'name',
          text: 'John Smith',
          where: 'letter',
          redacted: true,
        }),
      ]),
    );
    const preview = await api(staff.caseworker, 'GET', `/api/requests/${id}/publication-preview`);
    expect(preview.body.letter).toContain('Our treasurer [redacted] would like to meet you');
  });

  it('reads each attachment once, when its letter is filed, and keeps the text beside it', async () => {
    const pdf = await layerOf('annex.pdf');
    expect(pdf).toMatchObject({ status: 'extracted', pages: 2 });
    expect(pdf.text).toContain('Chair: Morag Fairlie');
    expect(pdf.text).toContain('(020) 7946 0321');
    expect(pdf.text).toContain('pa@lumen-private.example');
    // A text file in a legacy charset (not UTF-8) is still read right.
    expect(await layerOf('notes.txt')).toMatchObject({
      status: 'extracted',
      text: 'Café meeting: ring 07700.900.123',
    });
    expect(await layerOf('broken.pdf')).toMatchObject({
      status: 'unreadable',
      text: '',
      reason: expect.stringMatching(/not a readable PDF/),
    });
    expect(await layerOf('plan.docx')).toMatchObject({
      status: 'unsupported',
      reason: expect.stringMatching(/does not read/),
    });
    // Beside the attachments, under the request: disposal deletes the request's prefix.
    const layers = await documentKeys(`requests/${id}/messages/${message?.key}/text/`);
    expect(layers.map((key) => key.split('/').at(-1)).sort()).toEqual([
      '01-annex.pdf.json',
      '02-broken.pdf.json',
      '03-plan.docx.json',
      '04-notes.txt.json',
      'people.json',
    ]);
  });

  it('shows review what is in a PDF, and asks a reason before it, or one not read, goes out', async () => {
    const review = await api(staff.caseworker, 'GET', `/api/requests/${id}/redactions`);
    expect(review.status).toBe(200);
    const byName = new Map(
      (
        review.body.attachments as Array<{
          filename: string;
          key: string;
          scanned: boolean;
          textLayer: string;
          findings: number;
          needsReason: boolean;
          unread?: string;
        }>
      ).map((attachment) => [attachment.filename, attachment]),
    );
    expect(byName.get('annex.pdf')).toMatchObject({
      scanned: true,
      textLayer: 'extracted',
      needsReason: true,
    });
    expect(byName.get('annex.pdf')?.findings).toBeGreaterThanOrEqual(2);
    const found = (
      review.body.findings as Array<{ kind: string; text: string; attachment?: string }>
    ).filter((finding) => finding.attachment === attachmentNamed('annex.pdf').key);
    expect(found.map((finding) => finding.kind)).toEqual(
      expect.arrayContaining(['email', 'phone']),
    );
    expect(found.map((finding) => finding.text)).toContain('pa@lumen-private.example');
    expect(byName.get('broken.pdf')).toMatchObject({
      scanned: false,
      textLayer: 'unreadable',
      needsReason: true,
    });
    expect(byName.get('plan.docx')).toMatchObject({ scanned: false, textLayer: 'unsupported' });
    expect(byName.get('notes.txt')).toMatchObject({ scanned: true, findings: 1 });

    const refused = await api(staff.caseworker, 'PUT', `/api/requests/${id}/redactions`, {
      ...review.body.decisions,
      expectedVersion: review.body.version,
      clearedAttachments: [byName.get('annex.pdf')?.key, byName.get('broken.pdf')?.key],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields.map((field: { message: string }) => field.message)).toEqual([
      expect.stringMatching(/annex\.pdf shows \d+ finding\(s\) \(.*email.*\)/),
      expect.stringMatching(/broken\.pdf was not fully checked .*not a readable PDF/),
    ]);
    // A reason for a file that is not being cleared would read, later, as if it had been.
    const stray = await api(staff.caseworker, 'PUT', `/api/requests/${id}/redactions`, {
      ...review.body.decisions,
      expectedVersion: review.body.version,
      clearedAttachments: [],
      clearingReasons: [{ key: byName.get('annex.pdf')?.key, reason: 'Checked' }],
    });
    expect(stray.status).toBe(422);
    expect(stray.body.error.fields).toEqual([
      {
        path: 'clearingReasons.0.key',
        message: expect.stringMatching(/not in clearedAttachments/),
      },
    ]);
    expect((await api(staff.caseworker, 'GET', `/api/requests/${id}`)).body.version).toBe(
      review.body.version,
    );
  });

  it('changes nothing when the stream delivers the filing again', async () => {
    const before = await layerOf('annex.pdf');
    const replay = insertedOnStream({ PK: `REQ#${id}`, SK: 'MSG#x', type: 'message', ...message });
    const response = await extractText(replay, lambdaContext('extract-text', 300));
    expect(response.batchItemFailures).toEqual([]);
    expect(await layerOf('annex.pdf')).toEqual(before);
  });
});
