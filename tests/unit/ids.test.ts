import { describe, expect, it } from 'vitest';
import { idsForObject } from '../../shared/intake/filing.ts';
import {
  heldMailIdSchema,
  messageKeySchema,
  referenceSchema,
  requestIdOrReferenceSchema,
  requestIdSchema,
  templateIdSchema,
} from '../../shared/workflow/ids.ts';
import { formatReference } from '../../shared/workflow/reference.ts';

/** The shapes the API checks ids against agree with the ids postroom makes. */
describe('id shapes', () => {
  const made = ['inbound/a', 'inbound/b'.repeat(300), 'inbound/€ ../..'].map((key) =>
    idsForObject('postroom-inbound', key),
  );

  it('accepts every request id and message key intake makes', () => {
    for (const { requestId, messageKey } of made) {
      expect(requestIdSchema.safeParse(requestId).success).toBe(true);
      expect(messageKeySchema.safeParse(messageKey).success).toBe(true);
      expect(requestIdOrReferenceSchema.safeParse(requestId).data).toBe(requestId);
    }
  });

  it('accepts every reference formatReference writes, in any case, as upper case', () => {
    for (const reference of [formatReference(2026, 7), formatReference(2026, 12345)]) {
      expect(referenceSchema.parse(reference)).toBe(reference);
      expect(requestIdOrReferenceSchema.parse(reference.toLowerCase())).toBe(reference);
    }
  });

  it('refuses anything else, however long, with the shape that is accepted', () => {
    const id = made[0]?.requestId ?? '';
    for (const bad of [
      '',
      'nope',
      id.toUpperCase(),
      `${id}0`,
      id.slice(1),
      'a'.repeat(5000),
      '../../../etc',
      `${id}/..`,
      'toString',
      '__proto__',
      `${id}\u0000`,
    ]) {
      const parsed = requestIdSchema.safeParse(bad);
      expect(parsed.success, bad.slice(0, 30)).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/20 lower-case hexadecimal/);
      expect(heldMailIdSchema.safeParse(bad).success).toBe(false);
      expect(messageKeySchema.safeParse(bad).success).toBe(false);
      expect(requestIdOrReferenceSchema.safeParse(bad).success).toBe(false);
    }
    for (const bad of ['REQ-26-1', 'REQ-2026-1', 'REQ-2026-0001x', `REQ-2026-${'1'.repeat(5000)}`])
      expect(referenceSchema.safeParse(bad).success, bad.slice(0, 30)).toBe(false);
    expect(messageKeySchema.safeParse('n3-acknowledgement-1x2').success).toBe(false);
    // Mail postroom sent is keyed by its event, kind and recipient; its text can be read too.
    expect(messageKeySchema.safeParse('n3-acknowledgement-1a2b3c4d').success).toBe(true);
    expect(messageKeySchema.safeParse('n0-acknowledgement-1a2b3c4d').success).toBe(false);
    expect(messageKeySchema.safeParse('n3-../x-1a2b3c4d').success).toBe(false);
  });

  it('takes a template id as a slug of 1 to 64 lower-case letters, digits and hyphens', () => {
    for (const id of ['meeting-agreed', 'a', '2026-decline', 'x'.repeat(64)])
      expect(templateIdSchema.safeParse(id).success, id).toBe(true);
    for (const bad of ['', 'Meeting', 'a_b', 'a b', 'café', 'x'.repeat(65), '../x', 'TEMPLATE#x']) {
      const parsed = templateIdSchema.safeParse(bad);
      expect(parsed.success, bad).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/lower-case letters, digits and hyphens/);
    }
  });
});
