import { decodeHTML } from 'entities/decode';

/**
 * A text as a reader would see it, with the way back to the text as stored. Detection
 * runs on the view, so `jane&#64;private.example`, `jane=40private.example` (quoted-
 * printable), a soft line break inside an address, or a zero-width space between digits
 * is found as what it renders as; redaction then replaces the stored characters that
 * produced it, so nothing of the encoded form is left behind.
 */
export interface TextView {
  /** The decoded text. */
  text: string;
  /**
   * The same for finding words: lower-cased, and every space, hyphen or underscore a
   * space, character for character (same length, same positions), so a marked
   * "Morag Fairlie" is found in "Morag-Fairlie-CV.pdf" and "morag_fairlie" too.
   */
  words: string;
  /** For each position of `text`, and one past its end, the position in the stored text. */
  origin: Int32Array;
}

/** An entity as HTML and Markdown decode it: named, decimal or hex, at most 40 characters. */
const entity = /&(?:#\d{1,7}|#x[\da-f]{1,6}|[a-z][a-z\d]{1,31});/iy;

/** Where the view may differ from the stored text; everything between is copied as it is. */
const special = /[&=\u00ad\u200b-\u200d\u2060\ufeff\uff01-\uff5e]/g;

/** Decodes entities, quoted-printable escapes and soft breaks, and drops invisible marks. */
export function textView(stored: string): TextView {
  const parts: string[] = [];
  // At most one view character per stored one, plus the end.
  const origin = new Int32Array(stored.length + 1);
  let length = 0;
  const copy = (from: number, to: number) => {
    if (to <= from) return;
    parts.push(stored.slice(from, to));
    for (let i = from; i < to; i += 1) origin[length++] = i;
  };
  const emit = (value: string, at: number) => {
    parts.push(value);
    for (let i = 0; i < value.length; i += 1) origin[length++] = at;
  };
  let copied = 0;
  special.lastIndex = 0;
  for (let found = special.exec(stored); found; found = special.exec(stored)) {
    const i = found.index;
    if (i < copied) continue;
    const char = found[0];
    let consumed = 0;
    if (char === '&') {
      entity.lastIndex = i;
      const token = entity.exec(stored)?.[0];
      const decoded = token ? decodeHTML(token) : undefined;
      // Never longer than what it replaces, so the view fits its origin map.
      if (token && decoded && decoded !== token && decoded.length <= token.length) {
        copy(copied, i);
        emit(decoded, i);
        consumed = token.length;
      }
    } else if (char === '=') {
      // Quoted-printable: `=` at a line's end joins the lines; `=40` is the byte 0x40.
      const hex = stored.slice(i + 1, i + 3);
      if (stored[i + 1] === '\n') {
        copy(copied, i);
        consumed = 2;
      } else if (hex === '\r\n') {
        copy(copied, i);
        consumed = 3;
      } else if (/^[0-9A-F]{2}$/.test(hex)) {
        const byte = Number.parseInt(hex, 16);
        // Printable ASCII only: a multi-byte character split over escapes stays as it is.
        if (byte >= 0x20 && byte < 0x7f) {
          copy(copied, i);
          emit(String.fromCharCode(byte), i);
          consumed = 3;
        }
      }
    } else if (char >= '\uff01' && char <= '\uff5e') {
      // Full-width forms (＠, ０–９) read as their ASCII letters.
      copy(copied, i);
      emit(String.fromCharCode(char.charCodeAt(0) - 0xfee0), i);
      consumed = 1;
    } else {
      // Invisible: it splits a word for a detector but not for a reader.
      copy(copied, i);
      consumed = 1;
    }
    if (consumed) {
      copied = i + consumed;
      special.lastIndex = copied;
    }
  }
  copy(copied, stored.length);
  origin[length] = stored.length;
  const text = parts.join('');
  const lowered = text.toLowerCase();
  // Lower-casing may lengthen a few characters (İ); then character by character.
  const lower =
    lowered.length === text.length
      ? lowered
      : Array.from(text, (unit) => {
          const one = unit.toLowerCase();
          return one.length === unit.length ? one : unit;
        }).join('');
  return { text, words: wordsOf(lower), origin: origin.subarray(0, length + 1) };
}

/** Whether a UTF-16 unit is one of JavaScript's `\s`, a hyphen or an underscore. */
function joinsWords(unit: number): boolean {
  if (unit <= 32) return unit === 32 || (unit >= 9 && unit <= 13);
  if (unit < 160) return unit === 45 || unit === 95;
  return (
    unit === 160 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000 ||
    unit === 0xfeff
  );
}

/**
 * `lower` with every space, hyphen or underscore a plain space, unit for unit. A loop over
 * the units rather than a global replace: a letter has a space every few characters, and
 * replacing each match one by one cost about 80 ms per MB.
 */
function wordsOf(lower: string): string {
  const units = new Uint16Array(lower.length);
  for (let i = 0; i < lower.length; i += 1) {
    const unit = lower.charCodeAt(i);
    units[i] = joinsWords(unit) ? 32 : unit;
  }
  // Lone surrogates come back as U+FFFD: still one unit each, so positions hold.
  return new TextDecoder('utf-16le').decode(units);
}

/** A half-open range of positions. */
export interface Span {
  start: number;
  end: number;
}

/** Where a span of the view came from in the stored text. */
export function storedSpan(view: TextView, span: Span): Span {
  const start = view.origin[span.start] ?? 0;
  // The stored character that produced the view's last character, through to its end.
  const last = view.origin[span.end - 1] ?? start;
  // Past every view character the last one's stored source produced (an entity may
  // decode to several), so no part of an encoded form is left behind.
  let next = span.end;
  while (next < view.origin.length - 1 && (view.origin[next] ?? 0) <= last) next += 1;
  const end = Math.max(view.origin[next] ?? last + 1, last + 1);
  return { start, end };
}

/** Replaces each span (overlaps merged) with `mark`, in one pass. */
export function replaceSpans(stored: string, spans: readonly Span[], mark: string): string {
  if (!spans.length) return stored;
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: string[] = [];
  let at = 0;
  let open: Span | undefined;
  for (const span of sorted) {
    if (open && span.start < open.end) {
      open.end = Math.max(open.end, span.end);
      continue;
    }
    if (open) {
      parts.push(stored.slice(at, open.start), mark);
      at = open.end;
    }
    open = { ...span };
  }
  if (open) parts.push(stored.slice(at, open.start), mark, stored.slice(open.end));
  else parts.push(stored.slice(at));
  return parts.join('');
}
