/**
 * DynamoDB's item size, counted by its published rules, so a write that DynamoDB would
 * refuse (a ValidationException, which the API could only answer with a 500) is refused
 * first with the limit and the size in words. The count errs high by a byte here and there,
 * never low: an item this accepts, DynamoDB accepts.
 */

/** 400 KB: the most one item may hold, attribute names and values together. */
export const ITEM_SIZE_LIMIT = 400 * 1024;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** About one byte per two significant digits, plus one; never more than 21 bytes. */
function numberSize(value: number | bigint): number {
  const digits = String(value)
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.min(
    21,
    1 + Math.ceil(Math.max(1, digits.length) / 2) + (String(value)[0] === '-' ? 1 : 0),
  );
}

/** The size of one attribute value, as the document client would marshal it. */
export function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const member of value) size += valueSize(member);
    return size;
  }
  // Lists and maps: 3 bytes of their own and 1 for each element, whatever the contents.
  if (Array.isArray(value)) {
    let size = 3;
    for (const element of value) if (element !== undefined) size += 1 + valueSize(element);
    return size;
  }
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
      // Undefined members are dropped when marshalled (removeUndefinedValues).
      if (member !== undefined) size += 1 + utf8(name) + valueSize(member);
    }
    return size;
  }
  return 0;
}

/** Each top-level attribute's size (name and value), largest first. */
export function attributeSizes(item: Record<string, unknown>): Array<[string, number]> {
  return Object.entries(item)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]): [string, number] => [name, utf8(name) + valueSize(value)])
    .sort((a, b) => b[1] - a[1]);
}

export function itemSize(item: Record<string, unknown>): number {
  return attributeSizes(item).reduce((total, [, size]) => total + size, 0);
}

const kb = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`;

/**
 * A write refused because its item would pass ITEM_SIZE_LIMIT. `what` names the record
 * and `parts` its largest attributes in the caller's words, so the message says what to
 * shorten. The staff API answers it with 413.
 */
export class ItemTooLargeError extends Error {
  override name = 'ItemTooLargeError';
  constructor(
    readonly what: string,
    readonly size: number,
    readonly parts: Array<[string, number]>,
    readonly limit = ITEM_SIZE_LIMIT,
  ) {
    const largest = parts.map(([part, bytes]) => `${part} ${kb(bytes)}`).join(', ');
    super(
      `${what} would come to ${kb(size)} stored (${largest}); the most one can hold is ${kb(limit)}, so shorten the largest of these and try again; nothing was saved`,
    );
  }
}

/**
 * Throws ItemTooLargeError when the item would not fit. `labels` puts attribute names in
 * the words people use; the three largest are named.
 */
export function assertItemFits(
  what: string,
  item: Record<string, unknown>,
  labels: Record<string, string> = {},
): void {
  const sizes = attributeSizes(item);
  const size = sizes.reduce((total, [, bytes]) => total + bytes, 0);
  if (size <= ITEM_SIZE_LIMIT) return;
  const parts = sizes
    .slice(0, 3)
    .map(([name, bytes]): [string, number] => [
      Object.hasOwn(labels, name) ? (labels[name] ?? name) : name,
      bytes,
    ]);
  throw new ItemTooLargeError(what, size, parts);
}
