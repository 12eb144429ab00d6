import { describe, expect, it } from 'vitest';
import {
  assertItemFits,
  ITEM_SIZE_LIMIT,
  ItemTooLargeError,
  itemSize,
  valueSize,
} from '../../shared/aws/item-size.ts';

/** DynamoDB's published sizing rules, one at a time (CapacityUnitCalculations). */
describe('item size', () => {
  it('counts strings and names in UTF-8 bytes', () => {
    expect(itemSize({ a: 'abc' })).toBe(1 + 3);
    expect(itemSize({ note: '€' })).toBe(4 + 3);
    expect(itemSize({ '€': '' })).toBe(3);
  });

  it('counts numbers by significant digits, never more than 21 bytes', () => {
    expect(valueSize(0)).toBe(2);
    expect(valueSize(7)).toBe(2);
    expect(valueSize(1000)).toBe(2);
    expect(valueSize(123456)).toBe(4);
    expect(valueSize(-12)).toBe(3);
    expect(valueSize(1.5)).toBe(2);
    expect(valueSize(Number.MAX_SAFE_INTEGER)).toBeLessThanOrEqual(21);
  });

  it('gives lists and maps 3 bytes, and each element 1 more', () => {
    expect(valueSize([])).toBe(3);
    expect(valueSize({})).toBe(3);
    expect(valueSize(['ab', 'c'])).toBe(3 + (1 + 2) + (1 + 1));
    expect(valueSize({ ab: 'c', d: true, e: null })).toBe(
      3 + (1 + 2 + 1) + (1 + 1 + 1) + (1 + 1 + 1),
    );
  });

  it('leaves out what marshalling removes: undefined members', () => {
    expect(itemSize({ a: 'x', b: undefined })).toBe(2);
    expect(valueSize({ a: undefined })).toBe(3);
  });

  it('refuses an item past 400 KB with the limit, the size and the largest parts named', () => {
    const fits = { PK: 'REQ#1', body: 'x'.repeat(ITEM_SIZE_LIMIT - 11) };
    expect(itemSize(fits)).toBe(ITEM_SIZE_LIMIT);
    expect(() => assertItemFits('request REQ-2026-0001', fits)).not.toThrow();
    const over = { ...fits, draft: { body: '€'.repeat(20_000) } };
    let thrown: unknown;
    try {
      assertItemFits('request REQ-2026-0001', over, { draft: 'the note' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ItemTooLargeError);
    const error = thrown as ItemTooLargeError;
    expect(error.size).toBe(itemSize(over));
    expect(error.limit).toBe(400 * 1024);
    expect(error.message).toMatch(
      /^request REQ-2026-0001 would come to 459 KB stored \(body 400 KB, the note 59 KB, PK 1 KB\); the most one can hold is 400 KB/,
    );
  });
});
