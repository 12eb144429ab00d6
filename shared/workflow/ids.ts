import * as z from '../zod.ts';

/**
 * What postroom's identifiers look like, checked before any of them reaches a store: a
 * key DynamoDB or S3 refuses (too long, the wrong characters) would otherwise be a 500,
 * and an S3 prefix built from a stranger's text could name another request's objects.
 * Intake makes request ids and message keys from a digest of the raw object's key
 * (shared/intake/filing.ts idsForObject), held-mail ids likewise; tests/unit/ids.test.ts
 * holds the two sides together.
 */
export const requestIdSchema = z
  .string()
  .check(
    z.regex(
      /^[0-9a-f]{20}$/,
      'a request id is 20 lower-case hexadecimal characters, such as 5d41402abc4b2a76b971',
    ),
  );

export const heldMailIdSchema = z
  .string()
  .check(
    z.regex(
      /^[0-9a-f]{20}$/,
      'a held-mail id is 20 lower-case hexadecimal characters, such as 7d793037a0760186574b',
    ),
  );

/**
 * A message's key: "m" and 16 hex for mail received and replies staff wrote; `n<seq>-<kind>-`
 * and 8 hex for mail postroom sent by itself (one per event, kind and recipient).
 */
export const messageKeySchema = z
  .string()
  .check(
    z.regex(
      /^(m[0-9a-f]{16}|n[1-9][0-9]{0,8}-[a-z][a-z-]{0,39}-[0-9a-f]{8})$/,
      'a message key is "m" and 16 lower-case hexadecimal characters, such as m0cc175b9c0f1b6a8, or for mail postroom sent, such as n3-acknowledgement-1a2b3c4d',
    ),
  );

/**
 * A reply template's id, chosen by the admin who saves it: a short slug that reads well in
 * an address (`PUT /api/templates/meeting-agreed`) and is safe in a table key.
 */
export const templateIdSchema = z
  .string()
  .check(
    z.regex(
      /^[a-z0-9-]{1,64}$/,
      'a template id is 1 to 64 lower-case letters, digits and hyphens, such as meeting-agreed',
    ),
  );

/**
 * An email address postroom stores or writes to: at most 254 characters, the longest
 * that can be used (RFC 5321), since addresses become table keys.
 */
export const emailAddressSchema = z
  .email()
  .check(z.maxLength(254, 'an email address is at most 254 characters'));

/** A failed notification's id (shared/notify notificationId). */
export const notificationIdSchema = z
  .string()
  .check(
    z.regex(
      /^[0-9a-f]{12}$/,
      'a notification id is 12 lower-case hexadecimal characters, from the request’s failedNotifications',
    ),
  );

/**
 * An upload's id, as POST /api/uploads gives it (shared/correspondence/uploads.ts
 * newUploadId): 128 random bits in base64url, so it is unguessable and safe in a URL,
 * a table key and an S3 key alike.
 */
export const uploadIdSchema = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9_-]{22}$/,
      'an upload id is the 22 letters, digits, - and _ that POST /api/uploads answered, such as Qm9vay1vZi1ydXRoLTIwMjY',
    ),
  );

/** A human reference as formatReference writes it; case does not matter to people. */
export const referenceSchema = z.pipe(
  z.string().check(z.regex(/^REQ-\d{4}-\d{4,9}$/i, 'a reference looks like REQ-2026-0007')),
  z.transform((reference: string) => reference.toUpperCase()),
);

/** Where staff may name a request either way (attaching held mail). */
export const requestIdOrReferenceSchema = z.union([requestIdSchema, referenceSchema], {
  error:
    'give a request id (20 lower-case hexadecimal characters) or a reference like REQ-2026-0007',
});
