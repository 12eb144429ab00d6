/**
 * How search reads words, for the staff index and the public one alike (the public
 * site's script bundles this module, so it stays free of Node APIs).
 *
 * A word is a run of letters and digits, joined by the marks that keep a reference, an
 * address or a hyphenated name one thing: `REQ-2026-00042`, `h.marsh@lumencam.example`,
 * `Smith-Jones`. The whole is a term, so an exact reference is found as one, and so is
 * each part, so `00042` or `lumencam` finds it too.
 */
const wordPattern = /[\p{L}\p{N}]+(?:[-'’.@_/][\p{L}\p{N}]+)*/gu;
const partPattern = /[\p{L}\p{N}]+/gu;

/** Terms longer than this are not words (hashes, base64): they only swell the index. */
const MAX_TERM_LENGTH = 40;

export function tokenize(text: string): string[] {
  const terms: string[] = [];
  for (const [word] of text.matchAll(wordPattern)) {
    terms.push(word);
    if (word.length === (word.match(partPattern)?.[0]?.length ?? 0)) continue;
    for (const [part] of word.matchAll(partPattern)) terms.push(part);
  }
  return terms;
}

/**
 * Words too common to tell letters apart. Leaving them out keeps the serialized index
 * small (every letter has them all), which is most of what a cold start costs.
 */
const stopWords = new Set(
  (
    'a an and are as at be been but by can could did do does dear for from had has have he ' +
    'her hers him his i if in into is it its me my no not of on or our ours she so that the ' +
    'their them then there these they this those to too us was we were what when which who ' +
    'will with would you your yours am very just also all any each re regards sincerely ' +
    'faithfully thanks thank please kind best'
  ).split(' '),
);

/** A term as the index keeps it: lower case, stop words and over-long terms dropped. */
export function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (lower.length > MAX_TERM_LENGTH || stopWords.has(lower)) return null;
  return lower;
}

/** Whitespace run together, for passages shown in one line. */
export const compact = (text: string) => text.replace(/\s+/g, ' ').trim();

/** How much of the text around the first match a passage shows. */
const PASSAGE_CHARS = 180;

/**
 * The passage a result shows: the stretch of `text` around the first of `terms` it holds
 * (whole words, case ignored), cut at word boundaries and marked with … where cut; the
 * start of the text when none is there. Plain text: whoever shows it escapes it.
 */
export function passageOf(text: string, terms: readonly string[]): string {
  const lower = text.toLowerCase();
  let at = -1;
  let length = 0;
  for (const term of terms) {
    const found = findWord(lower, term.toLowerCase());
    if (found >= 0 && (at < 0 || found < at)) {
      at = found;
      length = term.length;
    }
  }
  if (at < 0) return cut(text, 0, PASSAGE_CHARS);
  const before = Math.max(0, at - Math.floor((PASSAGE_CHARS - length) / 3));
  return cut(text, before, before + PASSAGE_CHARS);
}

function findWord(text: string, term: string): number {
  if (!term) return -1;
  const letterOrDigit = /[\p{L}\p{N}]/u;
  for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
    const previous = text[at - 1];
    if (previous === undefined || !letterOrDigit.test(previous)) return at;
  }
  return -1;
}

function cut(text: string, from: number, to: number): string {
  let start = from;
  let end = Math.min(text.length, to);
  if (start > 0) {
    const space = text.indexOf(' ', start);
    start = space >= 0 && space < start + 30 ? space + 1 : start;
  }
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    end = space > start + 30 ? space : end;
  }
  return `${start > 0 ? '… ' : ''}${text.slice(start, end)}${end < text.length ? ' …' : ''}`;
}
