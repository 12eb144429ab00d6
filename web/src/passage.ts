/**
 * The passage cut around the matched words: plain text pieces, each marked or not. Pure
 * (no DOM), so the rule is tested on its own.
 */
export function passageParts(
  passage: string,
  terms: readonly string[],
): Array<{ text: string; marked: boolean }> {
  const words = [...new Set(terms.map((term) => term.trim()).filter((term) => term.length > 1))];
  if (!words.length) return [{ text: passage, marked: false }];
  const escaped = words
    .sort((a, b) => b.length - a.length)
    // Syntax characters only: with the u flag, escaping anything else (a reference's `-`)
    // is itself a syntax error.
    .map((word) => word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join('|')})`, 'giu');
  const parts: Array<{ text: string; marked: boolean }> = [];
  let at = 0;
  for (const found of passage.matchAll(pattern)) {
    const start = found.index ?? 0;
    if (start > at) parts.push({ text: passage.slice(at, start), marked: false });
    parts.push({ text: found[0], marked: true });
    at = start + found[0].length;
  }
  if (at < passage.length) parts.push({ text: passage.slice(at), marked: false });
  return parts;
}
