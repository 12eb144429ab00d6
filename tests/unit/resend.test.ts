import { describe, expect, it } from 'vitest';
import { RESEND_WINDOW_DAYS, recogniseSameMessageId } from '../../shared/intake/resend.ts';
import type { MessagePointer } from '../../shared/workflow/records.ts';

const pointer: MessagePointer = {
  messageId: '<a@x.example>',
  requestId: 'r1',
  received: {
    requestId: 'r1',
    from: 'a@x.example',
    sentAt: '2026-11-30T09:15:00.000Z',
    filedAt: '2026-11-30T09:16:00.000Z',
    messageKey: 'm1',
  },
};
const letter = {
  messageId: '<a@x.example>',
  from: { address: 'a@x.example', name: 'A' },
  sentAt: '2026-11-30T09:15:00.000Z',
};
const at = (iso: string) => new Date(iso);

describe('recognising a message delivered again', () => {
  it('is a resend with the same id, sender and date inside the window', () => {
    expect(recogniseSameMessageId(letter, at('2026-12-01T00:00:00Z'), pointer)).toEqual({
      kind: 'resend',
      requestId: 'r1',
      messageKey: 'm1',
    });
  });

  it('is not a resend after the window, with another sender, date or no date', () => {
    const late = new Date(
      Date.parse('2026-11-30T09:16:00Z') + (RESEND_WINDOW_DAYS + 1) * 86_400_000,
    );
    for (const [candidate, when] of [
      [letter, late],
      [{ ...letter, from: { address: 'b@x.example', name: '' } }, at('2026-12-01T00:00:00Z')],
      [{ ...letter, sentAt: '2026-12-01T09:15:00.000Z' }, at('2026-12-01T00:00:00Z')],
      [{ ...letter, sentAt: undefined }, at('2026-12-01T00:00:00Z')],
    ] as const) {
      const found = recogniseSameMessageId(candidate, when, pointer);
      expect(found?.kind).toBe('reused-id');
      expect(found && 'warning' in found ? found.warning : '').toMatch(/not merged/);
    }
  });

  it('flags an id postroom itself sent, and ignores a letter with no id or an unknown id', () => {
    const sent: MessagePointer = { messageId: '<a@x.example>', requestId: 'r1', sent: true };
    expect(recogniseSameMessageId(letter, at('2026-12-01T00:00:00Z'), sent)).toMatchObject({
      kind: 'reused-id',
      warning: expect.stringMatching(/mail postroom sent/),
    });
    expect(recogniseSameMessageId(letter, new Date(), undefined)).toBeUndefined();
    expect(
      recogniseSameMessageId({ ...letter, messageId: undefined }, new Date(), pointer),
    ).toBeUndefined();
  });
});
