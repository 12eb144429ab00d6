/**
 * Names of people a letter or note gives away by its form: the signature under a
 * valediction ("Yours sincerely," / "Kind regards,"), and someone introduced by a title
 * ("Dr Priya Shah", "Mrs. Fairlie"). Linear: one pass over the lines, and bounded patterns
 * within each.
 */
const valediction =
  /^(?:yours (?:sincerely|faithfully|truly)|(?:kind|best|warm(?:est)?) regards|regards|best wishes|many thanks|with thanks|thanks|sincerely|cheers)[,.!]?$/i;
/** Two to four capitalised words: a name as people sign one. */
const signedName =
  /^(?:(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Sir|Dame|Rev)\.? )?(?:\p{Lu}[\p{L}'’-]{0,30}\.? ?){2,4}$/u;
const titled =
  /\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sir|Dame|Rev|Councillor|Cllr)\.? (?:\p{Lu}[\p{L}'’-]{1,30} ){0,2}\p{Lu}[\p{L}'’-]{1,30}/gu;

export function findNames(text: string): string[] {
  const names = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!valediction.test((lines[i] ?? '').trim())) continue;
    // The first non-empty line after the valediction, if it looks like a name.
    for (let j = i + 1; j < Math.min(lines.length, i + 4); j += 1) {
      const line = (lines[j] ?? '').trim();
      if (!line) continue;
      if (line.length <= 80 && signedName.test(line)) names.add(line.replace(/\.$/, ''));
      break;
    }
  }
  for (const match of text.matchAll(titled)) names.add(match[0]);
  return [...names];
}
