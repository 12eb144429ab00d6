import { createHash, randomBytes } from 'node:crypto';
import type { StoredAttachment } from '../workflow/records.ts';
import * as z from '../zod.ts';
import { attachmentKey } from './document-keys.ts';

/**
 * Files staff upload from the browser (a scanned letter, a note of a call), straight to
 * the documents bucket with a presigned PUT, so no file passes through the API (whose
 * bodies are capped at 6 MB, and base64 on top). An upload is only a promise until it
 * is claimed: the request or reply that names it checks that the bytes arrived, are the
 * size declared and look like the type declared, then files its own copy under the
 * request's documents, where retention finds it. What is never claimed expires.
 */

/** The largest file staff may upload: a scanned letter of many pages fits; an archive does not. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** How long the presigned PUT may be used: long enough for a slow connection, no longer. */
export const UPLOAD_URL_SECONDS = 15 * 60;
/**
 * How long an upload can still be attached. The documents bucket's lifecycle removes what
 * is left under `uploads/` a day after it was written (infra/resources.ts), and the
 * table's TTL the record, so this must not be longer.
 */
export const UPLOAD_CLAIMABLE_SECONDS = 24 * 60 * 60;
/** At most this many files on one request or reply. */
export const MAX_UPLOADS_PER_CLAIM = 20;

/** Where uploads wait to be claimed, in the documents bucket. */
export const UPLOAD_PREFIX = 'uploads/';
export const uploadKey = (uploadId: string) => `${UPLOAD_PREFIX}${uploadId}`;

const ascii = (text: string) => new TextEncoder().encode(text);
const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) =>
  magic.every((byte, index) => bytes[at + index] === byte);
const indexOf = (bytes: Uint8Array, text: string, from = 0, to = bytes.length) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(to, bytes.length)).indexOf(
    ascii(text),
    from,
  );

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why bytes declared as text are not UTF-8 text, or undefined when they are. */
function notUtf8Text(bytes: Uint8Array): string | undefined {
  try {
    utf8.decode(bytes);
  } catch {
    return 'they are not valid UTF-8 text (save the file as UTF-8 and upload it again)';
  }
  return bytes.includes(0) ? 'they hold NUL bytes, so they are binary, not text' : undefined;
}

/** A ZIP whose first entry, stored as is, names the OpenDocument type (ODF 1.2, part 3, 3.3). */
const openDocument = (type: string) => (bytes: Uint8Array) => {
  if (!startsWith(bytes, ZIP)) return 'they are not a ZIP package, as OpenDocument files are';
  if (indexOf(bytes, 'mimetype', 30, 38) !== 30 || indexOf(bytes, type, 38, 38 + type.length) < 0)
    return `the package does not name itself ${type}`;
  return undefined;
};

/** A ZIP with the Office Open XML content types and the main part of this kind of document. */
const officeOpenXml = (folder: string) => (bytes: Uint8Array) => {
  if (!startsWith(bytes, ZIP)) return 'they are not a ZIP package, as Office files are';
  if (indexOf(bytes, '[Content_Types].xml') < 0 || indexOf(bytes, `${folder}/`) < 0)
    return `the package has no ${folder}/ part`;
  return undefined;
};

/**
 * The types staff may upload: what correspondence to an office arrives as (letters,
 * scans, photographs, documents and spreadsheets), each with how its bytes are checked
 * against the type declared, so a file cannot be filed as something it is not. Formats
 * that can carry macros or scripts (.doc, .docm, HTML, SVG) are not among them.
 */
export const uploadTypes = {
  'application/pdf': {
    name: 'PDF',
    // The header may follow a little junk; readers look in the first kilobyte.
    check: (bytes: Uint8Array) =>
      indexOf(bytes, '%PDF-', 0, 1024) < 0 ? 'they have no %PDF- header' : undefined,
  },
  'image/png': {
    name: 'PNG image',
    check: (bytes: Uint8Array) =>
      startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
        ? undefined
        : 'they do not start with the PNG signature',
  },
  'image/jpeg': {
    name: 'JPEG image',
    check: (bytes: Uint8Array) =>
      startsWith(bytes, [0xff, 0xd8, 0xff]) ? undefined : 'they do not start as a JPEG does',
  },
  'image/tiff': {
    name: 'TIFF image (as scanners save)',
    check: (bytes: Uint8Array) =>
      startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])
        ? undefined
        : 'they do not start as a TIFF does',
  },
  'text/plain': { name: 'plain text, UTF-8', check: notUtf8Text },
  'text/csv': { name: 'CSV, UTF-8', check: notUtf8Text },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    name: 'Word document (.docx)',
    check: officeOpenXml('word'),
  },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    name: 'Excel workbook (.xlsx)',
    check: officeOpenXml('xl'),
  },
  'application/vnd.oasis.opendocument.text': {
    name: 'OpenDocument text (.odt)',
    check: openDocument('application/vnd.oasis.opendocument.text'),
  },
  'application/vnd.oasis.opendocument.spreadsheet': {
    name: 'OpenDocument spreadsheet (.ods)',
    check: openDocument('application/vnd.oasis.opendocument.spreadsheet'),
  },
} as const satisfies Record<
  string,
  { name: string; check: (bytes: Uint8Array) => string | undefined }
>;

export type UploadType = keyof typeof uploadTypes;
const typeNames = Object.keys(uploadTypes) as [UploadType, ...UploadType[]];
const accepted = typeNames.map((type) => `${type} (${uploadTypes[type].name})`).join(', ');

/** Why these bytes are not what `type` says, or undefined when they look like it. */
export function typeMismatch(type: UploadType, bytes: Uint8Array): string | undefined {
  return uploadTypes[type].check(bytes);
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1).replace(/\.0$/, '')} MB`;

/** What POST /api/uploads takes: the file as the browser describes it, before it is sent. */
export const uploadRequestSchema = z.object({
  filename: z.string().check(
    z.minLength(1, 'give the file’s name, such as letter.pdf'),
    z.maxLength(200, 'a file name is at most 200 characters'),
    z.refine(
      (name) => !/[/\\\p{Cc}]/u.test(name) && name !== '.' && name !== '..',
      'a file name is the name alone: no / or \\ (no folders) and no control characters',
    ),
  ),
  contentType: z.enum(typeNames, { error: `accepted types: ${accepted}` }),
  size: z
    .number()
    .check(
      z.int('the size is a whole number of bytes'),
      z.gte(1, 'the file is empty; upload a file with something in it'),
      z.lte(
        MAX_UPLOAD_BYTES,
        `a file may be at most ${megabytes(MAX_UPLOAD_BYTES)} (${MAX_UPLOAD_BYTES} bytes); scan at a lower resolution or split the document`,
      ),
    ),
});
export type UploadRequest = z.output<typeof uploadRequestSchema>;

/** An upload as recorded when its URL was given. */
export interface UploadRecord {
  id: string;
  filename: string;
  contentType: UploadType;
  /** The size declared, and signed into the URL: S3 takes no other. */
  size: number;
  /** Who asked for it, by email address. */
  by: string;
  at: string;
  /** After this it can no longer be claimed. */
  claimableUntil: string;
  /** Set in the transaction that filed it: one upload is filed once. */
  claimed?: { requestId: string; at: string };
}

/** 128 random bits, base64url: an id nobody can guess (shared/workflow/ids.ts uploadIdSchema). */
export const newUploadId = () => randomBytes(16).toString('base64url');

export function newUpload(request: UploadRequest, by: string, now: Date): UploadRecord {
  return {
    id: newUploadId(),
    ...request,
    by,
    at: now.toISOString(),
    claimableUntil: new Date(now.getTime() + UPLOAD_CLAIMABLE_SECONDS * 1000).toISOString(),
  };
}

/** What claiming needs: the record, and the object as stored. */
export interface UploadPorts {
  findUpload(uploadId: string): Promise<UploadRecord | undefined>;
  /**
   * The uploaded object (HEAD first, so nothing is read of one that is too large): its
   * stored size and ETag, and its bytes when within maxBytes; undefined when nothing was
   * uploaded.
   */
  readUploaded(
    key: string,
    maxBytes: number,
  ): Promise<{ size: number; etag?: string; bytes?: Uint8Array } | undefined>;
}

/** A file checked and ready to be filed. */
export interface ClaimedUpload {
  uploadId: string;
  filename: string;
  contentType: UploadType;
  size: number;
  /** SHA-256 of the bytes checked, hex: what the audit trail records. */
  sha256: string;
  /** Where it waits: `uploads/<uploadId>` in the documents bucket. */
  key: string;
  /** The object's ETag when its bytes were checked; copying is conditional on it. */
  etag?: string;
}

export type UploadClaim =
  | { ok: true; attachments: ClaimedUpload[] }
  | { ok: false; fields: Array<{ path: string; message: string }> };

/**
 * Checks that each named upload can be filed: recorded, not yet filed nor expired,
 * actually uploaded, of the size declared (and within the limit), and with bytes that
 * look like the type declared. Reads only; every problem is reported, each at its path
 * (`uploadIds.0` by default; `pathOf` names another, such as `attachments.0.uploadId`).
 * The caller files the copies (fileUploads) and marks the uploads claimed in the
 * transaction that records them, so a claim that loses a race files nothing.
 */
export async function claimUploads(
  uploadIds: readonly string[],
  ports: UploadPorts,
  options: { now?: Date; pathOf?: (index: number) => string } = {},
): Promise<UploadClaim> {
  const now = options.now ?? new Date();
  const pathOf = options.pathOf ?? ((index: number) => `uploadIds.${index}`);
  const results = await Promise.all(
    uploadIds.map(async (uploadId, index) => {
      const refuse = (message: string) => ({ path: pathOf(index), message });
      if (uploadIds.indexOf(uploadId) !== index)
        return refuse(`upload ${uploadId} is named twice; name each file once`);
      const upload = await ports.findUpload(uploadId);
      if (!upload)
        return refuse(
          `upload ${uploadId} does not exist: ask POST /api/uploads for one, then PUT the file to its url`,
        );
      const file = `upload ${uploadId} (${upload.filename})`;
      if (upload.claimed)
        return refuse(
          `${file} is already filed on another request or reply; upload the file again to file it here too`,
        );
      if (Date.parse(upload.claimableUntil) < now.getTime())
        return refuse(`${file} expired at ${upload.claimableUntil}; upload the file again`);
      const stored = await ports.readUploaded(uploadKey(uploadId), MAX_UPLOAD_BYTES);
      if (!stored)
        return refuse(
          `nothing was uploaded for ${file}: PUT the file to the url POST /api/uploads gave, within ${UPLOAD_URL_SECONDS / 60} minutes`,
        );
      if (stored.size > MAX_UPLOAD_BYTES || !stored.bytes)
        return refuse(
          `${file} is ${stored.size} bytes, over the ${megabytes(MAX_UPLOAD_BYTES)} limit`,
        );
      if (stored.size !== upload.size)
        return refuse(
          `${file} is ${stored.size} bytes, but ${upload.size} were declared; upload it again, declaring its real size`,
        );
      const mismatch = typeMismatch(upload.contentType, stored.bytes);
      if (mismatch)
        return refuse(
          `${file} was declared ${upload.contentType} (${uploadTypes[upload.contentType].name}), but ${mismatch}; upload it again with its real type`,
        );
      const claimed: ClaimedUpload = {
        uploadId,
        filename: upload.filename,
        contentType: upload.contentType,
        size: stored.size,
        sha256: createHash('sha256').update(stored.bytes).digest('hex'),
        key: uploadKey(uploadId),
        ...(stored.etag ? { etag: stored.etag } : {}),
      };
      return claimed;
    }),
  );
  const fields = results.filter((result) => 'path' in result);
  if (fields.length) return { ok: false, fields };
  return { ok: true, attachments: results as ClaimedUpload[] };
}

/** Copies one claimed upload to its place among a request's documents. */
export type CopyUpload = (upload: ClaimedUpload, to: string) => Promise<void>;

/**
 * Files claimed uploads as a message's attachments, under its documents prefix
 * (shared/correspondence/document-keys.ts), numbered and named as intake names a
 * letter's. Copies to fixed keys, so a retry simply copies again.
 */
export async function fileUploads(
  uploads: readonly ClaimedUpload[],
  prefix: string,
  copy: CopyUpload,
): Promise<StoredAttachment[]> {
  const attachments = uploads.map((upload, index) => ({
    filename: upload.filename,
    contentType: upload.contentType,
    size: upload.size,
    key: attachmentKey(prefix, index, upload.filename),
    inline: false,
    sha256: upload.sha256,
  }));
  await Promise.all(uploads.map((upload, index) => copy(upload, attachments[index]?.key ?? '')));
  return attachments;
}
