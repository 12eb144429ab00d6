import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadStore } from '../../shared/aws/uploads.ts';
import { claimUploads, MAX_UPLOAD_BYTES } from '../../shared/correspondence/uploads.ts';
import { pdfWithText } from '../support/pdf.ts';
import { documentClient, env, staff, staffClient, startPostroom } from '../support/postroom.ts';
import { uploadFile } from '../support/uploads.ts';

/**
 * Staff uploads: POST /api/uploads gives a presigned PUT to the documents bucket, the
 * browser puts the file there, and a claim checks what arrived before anything files it.
 * Real handlers, the real S3 emulator and real PUTs to the URL.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
const ports = () => uploadStore(env().table, env().documents);

const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

/** Asks for an upload URL as `as`, declaring the file; the answer as the API gave it. */
const ask = (as: string | undefined, declared: Record<string, unknown>) =>
  api(as, 'POST', '/api/uploads', declared);

/** Uploads `bytes` as a caseworker, declaring `size` (the truth unless given). */
const upload = (
  bytes: Uint8Array,
  file: { filename: string; contentType: string },
  declared: { size?: number } = {},
) => uploadFile(api, staff.caseworker, bytes, file, declared.size);

async function uploadItems() {
  const found = await documentClient.send(
    new ScanCommand({
      TableName: env().table,
      FilterExpression: 'begins_with(PK, :upload)',
      ExpressionAttributeValues: { ':upload': 'UPLOAD#' },
    }),
  );
  return found.Items ?? [];
}

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
});
afterAll(async () => {
  await postroom.close();
});

describe('POST /api/uploads', () => {
  it('gives a 15-minute URL with the declared type and size signed in, and records who asked', async () => {
    const { status, body } = await ask(staff.approver, {
      filename: 'Letter from LumenCam.pdf',
      contentType: 'application/pdf',
      size: 1234,
    });
    expect(status).toBe(201);
    expect(body.uploadId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const url = new URL(body.url);
    expect(url.pathname).toBe(`/${env().documents}/uploads/${body.uploadId}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    // No checksum of an empty body signed in, which S3 would hold every real file to.
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    const recorded = (await uploadItems()).find((item) => item.id === body.uploadId);
    expect(recorded).toMatchObject({
      filename: 'Letter from LumenCam.pdf',
      contentType: 'application/pdf',
      size: 1234,
      by: staff.approver,
      expiresAt: expect.any(Number),
    });
  });

  it('refuses a file over the limit, a type not accepted or a name with a path, 422 naming the field, recording nothing', async () => {
    const before = (await uploadItems()).length;
    const cases = [
      [
        { filename: 'scan.pdf', contentType: 'application/pdf', size: MAX_UPLOAD_BYTES + 1 },
        'size',
        /at most 10 MB/,
      ],
      [{ filename: 'scan.pdf', contentType: 'application/pdf', size: 0 }, 'size', /empty/],
      [
        { filename: 'page.html', contentType: 'text/html', size: 10 },
        'contentType',
        /accepted types: application\/pdf \(PDF\).*image\/png/,
      ],
      [
        { filename: '../../secret.pdf', contentType: 'application/pdf', size: 10 },
        'filename',
        /no \/ or \\/,
      ],
      [
        { filename: 'C:\\scans\\letter.pdf', contentType: 'application/pdf', size: 10 },
        'filename',
        /no \/ or \\/,
      ],
      [
        { filename: 'letter\u0000.pdf', contentType: 'application/pdf', size: 10 },
        'filename',
        /control characters/,
      ],
      [{ filename: '', contentType: 'application/pdf', size: 10 }, 'filename', /name/],
      [
        { filename: `${'x'.repeat(201)}.pdf`, contentType: 'application/pdf', size: 10 },
        'filename',
        /200 characters/,
      ],
    ] as const;
    for (const [declared, path, message] of cases) {
      const { status, body } = await ask(staff.caseworker, declared);
      expect(status, JSON.stringify(declared)).toBe(422);
      expect(body.error.fields).toEqual([{ path, message: expect.stringMatching(message) }]);
      expect(body.error.message).toContain(path);
    }
    expect(await uploadItems()).toHaveLength(before);
  });

  it('needs a signed-in member of staff', async () => {
    const declared = { filename: 'a.txt', contentType: 'text/plain', size: 3 };
    expect((await ask(undefined, declared)).status).toBe(401);
  });

  it('lets the staff UI’s origin PUT to the URL across origins (CORS on the emulator)', async () => {
    const { body } = await ask(staff.caseworker, {
      filename: 'a.txt',
      contentType: 'text/plain',
      size: 3,
    });
    const preflight = await fetch(body.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:3000',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const elsewhere = await fetch(body.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    });
    expect(elsewhere.status).toBe(403);
  });
});

describe('claimUploads', () => {
  it('claims what was put to the URL: its name, type, size, SHA-256 and where it waits', async () => {
    const pdf = pdfWithText([['A letter by post']]);
    const { uploadId } = await upload(pdf, {
      filename: 'letter.pdf',
      contentType: 'application/pdf',
    });
    const text = Buffer.from('Notes of the call: they would like to meet in March.\n');
    const note = await upload(text, { filename: 'call.txt', contentType: 'text/plain' });
    const claim = await claimUploads([uploadId, note.uploadId], ports());
    expect(claim).toEqual({
      ok: true,
      attachments: [
        {
          uploadId,
          filename: 'letter.pdf',
          contentType: 'application/pdf',
          size: pdf.byteLength,
          sha256: createHash('sha256').update(pdf).digest('hex'),
          key: `uploads/${uploadId}`,
          etag: expect.any(String),
        },
        expect.objectContaining({ uploadId: note.uploadId, contentType: 'text/plain' }),
      ],
    });
  });

  it('refuses an upload whose size is not the size declared, naming it', async () => {
    const pdf = pdfWithText([['short']]);
    // The emulator takes the PUT (S3 itself would refuse it: the length is signed in).
    const { uploadId } = await upload(
      pdf,
      { filename: 'letter.pdf', contentType: 'application/pdf' },
      { size: pdf.byteLength + 10 },
    );
    expect(await claimUploads([uploadId], ports())).toEqual({
      ok: false,
      fields: [
        {
          path: 'uploadIds.0',
          message: expect.stringMatching(
            new RegExp(`is ${pdf.byteLength} bytes, but ${pdf.byteLength + 10} were declared`),
          ),
        },
      ],
    });
  });

  it('refuses PNG bytes declared as a PDF, and bytes that are not UTF-8 declared as text', async () => {
    const lie = await upload(png, { filename: 'letter.pdf', contentType: 'application/pdf' });
    const latin1 = await upload(Buffer.from('caf\u00e9 au lait', 'latin1'), {
      filename: 'notes.txt',
      contentType: 'text/plain',
    });
    const claim = await claimUploads([lie.uploadId, latin1.uploadId], ports());
    expect(claim).toEqual({
      ok: false,
      fields: [
        {
          path: 'uploadIds.0',
          message: expect.stringMatching(
            /declared application\/pdf \(PDF\), but they have no %PDF- header/,
          ),
        },
        { path: 'uploadIds.1', message: expect.stringMatching(/not valid UTF-8/) },
      ],
    });
  });

  it('refuses an upload never put, one that does not exist, and one named twice, each at its path', async () => {
    const asked = await ask(staff.caseworker, {
      filename: 'never.pdf',
      contentType: 'application/pdf',
      size: 100,
    });
    const real = await upload(pdfWithText([['real']]), {
      filename: 'real.pdf',
      contentType: 'application/pdf',
    });
    const claim = await claimUploads(
      [asked.body.uploadId, 'AAAAAAAAAAAAAAAAAAAAAA', real.uploadId, real.uploadId],
      ports(),
      { pathOf: (index) => `attachments.${index}.uploadId` },
    );
    expect(claim).toEqual({
      ok: false,
      fields: [
        {
          path: 'attachments.0.uploadId',
          message: expect.stringMatching(/nothing was uploaded for upload .* \(never\.pdf\)/),
        },
        { path: 'attachments.1.uploadId', message: expect.stringMatching(/does not exist/) },
        { path: 'attachments.3.uploadId', message: expect.stringMatching(/named twice/) },
      ],
    });
  });

  it('refuses an upload past the time it could be claimed', async () => {
    const { uploadId } = await upload(Buffer.from('late'), {
      filename: 'late.txt',
      contentType: 'text/plain',
    });
    const tomorrow = new Date(Date.now() + 25 * 3600 * 1000);
    const claim = await claimUploads([uploadId], ports(), { now: tomorrow });
    expect(claim).toMatchObject({
      ok: false,
      fields: [{ path: 'uploadIds.0', message: expect.stringMatching(/expired at/) }],
    });
  });
});
