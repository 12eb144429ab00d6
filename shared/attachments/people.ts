import nlp from 'compromise';
import type { PeopleFinder } from './text-layer.ts';

/**
 * People's names, by compromise (a maintained English NLP library). Only the extraction
 * function imports this: compromise is 360 KB and about a second per MB of text, so it
 * runs once, in the background, when a letter is filed, and its names are kept beside the
 * letter (people.json) for review and publication to read. It misses names (one in three
 * of a sample letter's), which is why it adds to the other sources (the mail's headers,
 * signatures, titles, attendees and names staff mark) rather than replacing them.
 */
/** Pieces of about this many characters, cut at a line or a space. */
const CHUNK_CHARS = 4_000;
/** NLP stops after this long; what it found is kept, marked incomplete. */
const BUDGET_MS = 30_000;

/**
 * compromise's cost grows faster than its input on some text (100 KB of "A B " took
 * 104 s in one piece, 0.7 s in 4 KB pieces), so the text goes in pieces, cut at a line
 * or a space, and the whole stops at a time budget.
 */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + CHUNK_CHARS);
    if (end < text.length) {
      const line = text.lastIndexOf('\n', end);
      const space = text.lastIndexOf(' ', end);
      const cut = line > at + CHUNK_CHARS / 2 ? line : space;
      if (cut > at + CHUNK_CHARS / 2) end = cut;
    }
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}

const withoutTitle = (name: string) =>
  name
    .replace(/[\s,.;:]+$/u, '')
    // The name without its title, so "Priya Shah" is found wherever it is written.
    .replace(/^(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sir|Dame|Rev|Cllr)\.? /u, '')
    .trim();

export const findPeople: PeopleFinder = (text) => {
  const started = Date.now();
  const names = new Set<string>();
  let read = 0;
  for (const piece of pieces(text)) {
    if (Date.now() - started > BUDGET_MS) break;
    for (const name of nlp(piece).people().out('array') as string[]) {
      const bare = withoutTitle(name);
      // A full name: two words at least, each starting with a capital.
      if (/^\p{Lu}[\p{L}'’.-]*(?: \p{Lu}[\p{L}'’.-]*)+$/u.test(bare)) names.add(bare);
    }
    read += piece.length;
  }
  return { names: [...names], charsRead: read };
};
