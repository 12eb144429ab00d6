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
export const findPeople: PeopleFinder = (text) => {
  const names = nlp(text).people().out('array') as string[];
  return [
    ...new Set(
      names
        .map((name) =>
          name
            .replace(/[\s,.;:]+$/u, '')
            // The name without its title, so "Priya Shah" is found wherever it is written.
            .replace(/^(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sir|Dame|Rev|Cllr)\.? /u, '')
            .trim(),
        )
        // A full name: two words at least, each starting with a capital.
        .filter((name) => /^\p{Lu}[\p{L}'’.-]*(?: \p{Lu}[\p{L}'’.-]*)+$/u.test(name)),
    ),
  ];
};
