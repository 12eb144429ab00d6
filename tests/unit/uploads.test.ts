import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staffUploads } from '../../infra/resources.ts';
import {
  acknowledgementWithheld,
  openedRequestSchema,
} from '../../shared/correspondence/opened-requests.ts';
import {
  claimUploads,
  MAX_UPLOAD_BYTES,
  newUpload,
  typeMismatch,
  UPLOAD_CLAIMABLE_SECONDS,
  type UploadPorts,
  type UploadRecord,
  uploadRequestSchema,
  uploadTypes,
} from '../../shared/correspondence/uploads.ts';
import { readInbound } from '../../shared/mail/inbound.ts';
import { uploadIdSchema } from '../../shared/workflow/ids.ts';
import { pdfWithText } from '../support/pdf.ts';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', 'fixtures', 'mail', name));

/** The first attachment of a fixture letter, as intake decodes it. */
async function attachmentOf(name: string): Promise<Uint8Array> {
  const reading = await readInbound(fixture(name), {
    maxBytes: 40 * 1024 * 1024,
    maxParts: 250,
    maxDepth: 32,
  });
  if (!reading.ok) throw new Error(`${name} was held`);
  const [attachment] = reading.letter.attachments;
  if (!attachment) throw new Error(`${name} has no attachment`);
  return attachment.content;
}

/** A ZIP whose first entry is `mimetype`, stored, as ODF requires (ODF 1.2 part 3, 3.3). */
function openDocumentPackage(type: string): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(8, 26); // the name's length; no extra field
  header.writeUInt32LE(type.length, 18);
  header.writeUInt32LE(type.length, 22);
  return Buffer.concat([header, Buffer.from(`mimetype${type}`), Buffer.from('PK\x01\x02')]);
}

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const jpeg = Buffer.from('ffd8ffe000104a46494600', 'hex');
const tiff = Buffer.from('49492a0008000000', 'hex');
const odt = 'application/vnd.oasis.opendocument.text';
const docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('typeMismatch: the bytes must be what the type says', () => {
  it('accepts each type’s own bytes', async () => {
    const word = await attachmentOf('02-docx-charity.eml');
    expect(typeMismatch('application/pdf', pdfWithText([['A letter']]))).toBeUndefined();
    expect(typeMismatch('image/png', png)).toBeUndefined();
    expect(typeMismatch('image/jpeg', jpeg)).toBeUndefined();
    expect(typeMismatch('image/tiff', tiff)).toBeUndefined();
    expect(typeMismatch('text/plain', Buffer.from('Grüße aus Edinburgh\n'))).toBeUndefined();
    expect(
      typeMismatch('text/csv', Buffer.from('name,organisation\nHelen,LumenCam\n')),
    ).toBeUndefined();
    expect(typeMismatch(docx, word)).toBeUndefined();
    expect(typeMismatch(odt, openDocumentPackage(odt))).toBeUndefined();
  });

  it('refuses another type’s bytes, saying what is wrong', async () => {
    const word = await attachmentOf('02-docx-charity.eml');
    expect(typeMismatch('application/pdf', png)).toBe('they have no %PDF- header');
    expect(typeMismatch('image/png', pdfWithText([['x']]))).toMatch(/PNG signature/);
    expect(typeMismatch('image/jpeg', png)).toMatch(/JPEG/);
    expect(typeMismatch('image/tiff', jpeg)).toMatch(/TIFF/);
    expect(typeMismatch(xlsx, word)).toBe('the package has no xl/ part');
    expect(typeMismatch(docx, png)).toMatch(/not a ZIP package/);
    expect(typeMismatch(odt, word)).toMatch(/does not name itself/);
    expect(
      typeMismatch(odt, openDocumentPackage('application/vnd.oasis.opendocument.spreadsheet')),
    ).toMatch(/does not name itself application\/vnd\.oasis\.opendocument\.text/);
  });

  it('takes text only as UTF-8, and never with NUL bytes', () => {
    expect(typeMismatch('text/plain', Buffer.from('café', 'latin1'))).toMatch(/not valid UTF-8/);
    expect(typeMismatch('text/csv', Buffer.from('a,b\u0000c'))).toMatch(/NUL/);
    expect(typeMismatch('text/plain', png)).toBeDefined();
  });
});

describe('uploadRequestSchema', () => {
  const valid = { filename: 'Letter.pdf', contentType: 'application/pdf', size: 1 };
  const refusal = (body: object) =>
    uploadRequestSchema.safeParse(body).error?.issues.map((issue) => issue.path.join('.'));

  it('takes a name, an accepted type and a size up to the limit', () => {
    expect(uploadRequestSchema.safeParse({ ...valid, size: MAX_UPLOAD_BYTES }).success).toBe(true);
    expect(
      uploadRequestSchema.safeParse({ ...valid, filename: 'Brief für Büro.odt' }).success,
    ).toBe(true);
    expect(refusal({ ...valid, size: MAX_UPLOAD_BYTES + 1 })).toEqual(['size']);
    expect(refusal({ ...valid, size: 1.5 })).toEqual(['size']);
    expect(refusal({ ...valid, contentType: 'image/svg+xml' })).toEqual(['contentType']);
    expect(refusal({ ...valid, contentType: 'Application/PDF' })).toEqual(['contentType']);
    for (const filename of ['a/b.pdf', 'a\\b.pdf', '..', 'tab\there.pdf', 'line\nbreak.pdf'])
      expect(refusal({ ...valid, filename }), filename).toEqual(['filename']);
  });

  it('lists every accepted type in the refusal', () => {
    const message = uploadRequestSchema.safeParse({ ...valid, contentType: 'text/html' }).error
      ?.issues[0]?.message;
    for (const type of Object.keys(uploadTypes)) expect(message).toContain(type);
  });
});

describe('uploads and the bucket agree', () => {
  it('an upload is claimable no longer than the bucket keeps it', () => {
    expect(UPLOAD_CLAIMABLE_SECONDS).toBeLessThanOrEqual(staffUploads.expireDays * 86_400);
  });

  it('gives each upload an id of the declared shape', () => {
    const upload = newUpload(
      { filename: 'a.txt', contentType: 'text/plain', size: 3 },
      'cara@office.example',
      new Date('2026-02-02T10:00:00Z'),
    );
    expect(uploadIdSchema.safeParse(upload.id).success).toBe(true);
    expect(upload.claimableUntil).toBe('2026-02-03T10:00:00.000Z');
  });
});

describe('claimUploads', () => {
  const record: UploadRecord = {
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    filename: 'call.txt',
    contentType: 'text/plain',
    size: 5,
    by: 'cara@office.example',
    at: '2026-02-02T10:00:00.000Z',
    claimableUntil: '2026-02-03T10:00:00.000Z',
  };
  const ports = (upload: UploadRecord | undefined, stored: Uint8Array): UploadPorts => ({
    findUpload: async () => upload,
    readUploaded: async (_key, maxBytes) =>
      stored.byteLength > maxBytes
        ? { size: stored.byteLength }
        : { size: stored.byteLength, bytes: stored },
  });
  const now = new Date('2026-02-02T11:00:00Z');

  it('refuses an upload already filed, and one over the limit, at their paths', async () => {
    const claimed = { ...record, claimed: { requestId: 'r', at: now.toISOString() } };
    expect(await claimUploads([record.id], ports(claimed, Buffer.from('hello')), { now })).toEqual({
      ok: false,
      fields: [{ path: 'uploadIds.0', message: expect.stringMatching(/already filed/) }],
    });
    const huge = new Uint8Array(MAX_UPLOAD_BYTES + 1);
    expect(await claimUploads([record.id], ports(record, huge), { now })).toEqual({
      ok: false,
      fields: [{ path: 'uploadIds.0', message: expect.stringMatching(/over the 10 MB limit/) }],
    });
  });

  it('claims nothing for no uploads', async () => {
    expect(await claimUploads([], ports(undefined, Buffer.alloc(0)), { now })).toEqual({
      ok: true,
      attachments: [],
    });
  });
});

describe('requests opened by hand', () => {
  it('acknowledge only a requester with an address who wrote or called', () => {
    expect(acknowledgementWithheld('post', 'a@b.example')).toBeUndefined();
    expect(acknowledgementWithheld('phone', 'a@b.example')).toBeUndefined();
    expect(acknowledgementWithheld('phone', undefined)).toBe(
      'no email address was given: it came by phone',
    );
    expect(acknowledgementWithheld('office', 'a@b.example')).toMatch(/arranged it itself/);
  });

  it('take only the channels staff record; email is intake’s', () => {
    const body = { channel: 'email', sender: { name: 'A' }, subject: 'S', text: '' };
    expect(openedRequestSchema.safeParse(body).error?.issues[0]?.path).toEqual(['channel']);
    expect(openedRequestSchema.parse({ ...body, channel: 'post' }).uploadIds).toEqual([]);
  });
});
