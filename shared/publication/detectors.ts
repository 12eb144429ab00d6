import type { findPhoneNumbersInText } from 'libphonenumber-js/min';
import type { Span } from './text-view.ts';

/**
 * The built-in detectors of personal data. Each runs in time linear in the text's length
 * whatever the text holds: a 150 KB "word" or a 40 MB letter costs its size, no more.
 * None uses a regular expression that can backtrack over an unbounded run.
 */

const localPart = /[a-z0-9._%+\-!#$&'*/=?^`{|}~]/i;
const domainPart = /[a-z0-9.-]/i;

/**
 * Email addresses: from each `@`, out to both sides over the characters an address may
 * hold. Each character is looked at a bounded number of times (a scan stops at the
 * previous `@`), where a pattern like /[\w.]+@/ retries every start in a long word.
 */
export function findEmails(text: string): Span[] {
  const spans: Span[] = [];
  let floor = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > floor && at - start < 64 && localPart.test(text[start - 1] as string))
      start -= 1;
    let end = at + 1;
    while (end < text.length && end - at <= 255 && domainPart.test(text[end] as string)) end += 1;
    floor = at + 1;
    // Trailing dots and hyphens end the sentence, not the domain.
    while (end > at + 1 && /[.-]/.test(text[end - 1] as string)) end -= 1;
    while (start < at && text[start] === '.') start += 1;
    const domain = text.slice(at + 1, end);
    if (start < at && /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$/i.test(domain)) {
      spans.push({ start, end });
    }
  }
  return spans;
}

/**
 * libphonenumber, loaded on demand (loadPhoneDetector): with its metadata it is 141 KB,
 * which every function that carries redaction would otherwise compile at each cold start
 * (the sweep and the staff records and notes functions, on requests that mostly never
 * redact), and which took the sweep's bundle past 800 KB. On Lambda it sits beside the
 * bundle, not in it (AppFunction's bundling).
 */
let phoneLibrary: typeof findPhoneNumbersInText | undefined;

/** Loads libphonenumber; redactionReady (redaction.ts) awaits it before any redaction. */
export async function loadPhoneDetector() {
  phoneLibrary ??= (await import('libphonenumber-js/min')).findPhoneNumbersInText;
}

/** The characters phone numbers are written with: digits, + ( ) - . / and spaces. */
function isPhoneCharacter(unit: number): boolean {
  return (
    (unit >= 48 && unit <= 57) ||
    unit === 32 ||
    unit === 43 ||
    unit === 40 ||
    unit === 41 ||
    unit === 45 ||
    unit === 46 ||
    unit === 47 ||
    unit === 160 ||
    unit === 9
  );
}

/**
 * Phone numbers in any country's format, by libphonenumber (GB when no country code is
 * written). A linear scan first finds runs of the characters numbers are written with,
 * holding seven digits or more; only those runs go to the library, so prose costs what a
 * scan costs. A number is taken when the library finds it valid, or when it is a possible
 * number written the way people write phone numbers (with a leading +, 0 or bracket and
 * ten digits or more): Ofcom's drama ranges (07700 900…) are not "valid" but are numbers.
 */
export function findPhones(text: string): Span[] {
  // Thrown for any text, not only one with numbers, so that a path that redacts without
  // awaiting redactionReady fails its first test rather than a rare letter in production.
  if (!phoneLibrary)
    throw new Error(
      'phone detection needs libphonenumber: await redactionReady() before redacting',
    );
  const spans: Span[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isPhoneCharacter(text.charCodeAt(i))) {
      i += 1;
      continue;
    }
    const start = i;
    let digits = 0;
    for (let unit = text.charCodeAt(i); i < text.length && isPhoneCharacter(unit); ) {
      if (unit >= 48 && unit <= 57) digits += 1;
      i += 1;
      unit = text.charCodeAt(i);
    }
    if (digits < 7) continue;
    for (const span of numbersInRun(text, start, i)) spans.push(span);
  }
  return spans;
}

const MAX_PHONE_DIGITS = 17; // 00, a country code and the longest national number

/**
 * The numbers in one run of phone characters. The library reads a run as one candidate,
 * so two numbers written one after the other ("(020) 7946 0321 0044 20 7946 0321") would
 * be neither; so the run is read in windows of whole space-separated groups, at most 17
 * digits long, from each group on, longest first, and a window's numbers are taken once
 * found. Each group starts a bounded number of windows, so a run costs its length.
 */
function numbersInRun(text: string, start: number, end: number): Span[] {
  const groups = [...text.slice(start, end).matchAll(/\S+/g)].map((group) => ({
    start: start + (group.index ?? 0),
    end: start + (group.index ?? 0) + group[0].length,
    digits: group[0].replace(/\D/g, '').length,
  }));
  const spans: Span[] = [];
  let first = 0;
  while (first < groups.length) {
    let last = first;
    let digits = groups[first]?.digits ?? 0;
    while (last + 1 < groups.length && digits + (groups[last + 1]?.digits ?? 0) <= MAX_PHONE_DIGITS)
      digits += groups[++last]?.digits ?? 0;
    const from = groups[first]?.start ?? start;
    let takenTo = -1;
    for (let upTo = last; upTo >= first && takenTo < 0; upTo -= 1) {
      const window = text.slice(from, groups[upTo]?.end ?? end);
      for (const found of (phoneLibrary as typeof findPhoneNumbersInText)(window, {
        defaultCountry: 'GB',
        extended: true,
      })) {
        const written = window.slice(found.startsAt, found.endsAt);
        const plausible = /^[+(0]/.test(written) && written.replace(/\D/g, '').length >= 10;
        if (!found.number.isValid() && !plausible) continue;
        spans.push({ start: from + found.startsAt, end: from + found.endsAt });
        takenTo = Math.max(takenTo, from + found.endsAt);
      }
    }
    // On from the first group after what was taken, or from the next group.
    let next = first + 1;
    while (next < groups.length && (groups[next]?.start ?? 0) < takenTo) next += 1;
    first = next;
  }
  return spans;
}

/** Every match of a pattern whose repetitions are bounded, so it cannot backtrack far. */
function boundedMatches(text: string, pattern: RegExp): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    spans.push({ start, end: start + match[0].length });
  }
  return spans;
}

/** A full UK postcode: the part of an address that places a household. */
const postcode =
  /\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?) ?\d[ABD-HJLNP-UW-Z]{2})\b/gi;

export const findPostcodes = (text: string) => boundedMatches(text, postcode);

/**
 * A street line: a house number, one to three capitalised words and a street word
 * ("12 Acacia Avenue", "3B, Old Mill Lane"); with the postcode, what places a person.
 */
const streetLine =
  /\b\d{1,4}[A-Z]?,? (?:[A-Z][a-z']{1,30} ){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Place|Pl|Square|Sq|Crescent|Cres|Terrace|Gardens|Drive|Dr|Court|Ct|Close|Way|Row|Wynd|Park|Grove|Hill|Walk|Mews|Vale|View|Rise)\b\.?/g;

export const findStreetLines = (text: string) => boundedMatches(text, streetLine);

/**
 * A National Insurance number, spaced or not: HMRC's prefixes (never D, F, I, Q, U or V;
 * O not second; not BG, GB, KN, NK, NT, TN or ZZ), six digits and a letter A to D.
 */
const niNumber =
  /\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/gi;

export const findNiNumbers = (text: string) => boundedMatches(text, niNumber);
