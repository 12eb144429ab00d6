/**
 * Personal data in a note or a letter, found automatically and redacted by default.
 * Staff may reinstate a finding (with a reason, kept in the audit trail) or add their own
 * redactions, as exact text or as a regular expression. Pure: the caller stores decisions.
 */
export type FindingKind = 'email' | 'phone' | 'postal-address' | 'staff-marked';

export interface Finding {
  /** Stable for the same text and kind, so a decision survives re-detection. */
  id: string;
  kind: FindingKind;
  text: string;
}

export interface RedactionDecisions {
  /** Findings staff chose to publish after all. */
  reinstated: ReadonlyArray<{ id: string; reason: string }>;
  /** Names of private individuals and other text staff marked. */
  texts: readonly string[];
  /** Patterns staff added, as regular-expression source (case-insensitive). */
  patterns: readonly string[];
}

export const REDACTED = '[redacted]';

const detectors: Array<{ kind: FindingKind; pattern: RegExp }> = [
  { kind: 'email', pattern: /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi },
  // UK numbers in the usual written forms: +44 or 0, then 9–10 digits with spaces or dashes.
  { kind: 'phone', pattern: /(?:\+44\s?\(0\)\s?|\+44\s?|\b0)(?:\d[\s-]?){9,10}\b/g },
  // A street line with a number, or a full UK postcode (the part that places a person).
  {
    kind: 'postal-address',
    pattern:
      /\b\d{1,4}[A-Z]?,?\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Place|Pl|Square|Sq|Crescent|Terrace|Gardens|Drive|Court|Close|Way|Row|Wynd|Close)\b\.?|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b/g,
  },
];

function findingId(kind: FindingKind, text: string): string {
  let hash = 2166136261;
  for (const char of `${kind}:${text.toLowerCase()}`)
    hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return `${kind}-${hash.toString(36)}`;
}

/** Every distinct piece of personal data the detectors find, in order of appearance. */
export function detectPersonalData(text: string): Finding[] {
  const found = new Map<string, Finding & { at: number }>();
  for (const { kind, pattern } of detectors) {
    for (const match of text.matchAll(pattern)) {
      const value = match[0].trim();
      const id = findingId(kind, value);
      if (!found.has(id)) found.set(id, { id, kind, text: value, at: match.index ?? 0 });
    }
  }
  return [...found.values()].sort((a, b) => a.at - b.at).map(({ at: _at, ...finding }) => finding);
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Checks staff patterns before they are stored, so a bad one is a 400 and not a crash. */
export function invalidPattern(source: string): string | undefined {
  try {
    new RegExp(source, 'gi');
    return source.length > 500 ? 'a pattern may be at most 500 characters' : undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The public copy of a text: every detected finding not reinstated, every marked text
 * and every pattern match replaced by [redacted]. Longest first, so a name inside an
 * address cannot leave part of the address behind.
 */
export function redact(
  text: string,
  decisions: RedactionDecisions,
): { text: string; redacted: Finding[] } {
  const reinstated = new Set(decisions.reinstated.map((entry) => entry.id));
  const findings = detectPersonalData(text).filter((finding) => !reinstated.has(finding.id));
  const marked = decisions.texts
    .filter((value) => value.trim())
    .map(
      (value): Finding => ({
        id: findingId('staff-marked', value),
        kind: 'staff-marked',
        text: value,
      }),
    );
  const literals = [...findings, ...marked].sort((a, b) => b.text.length - a.text.length);
  let result = text;
  for (const finding of literals)
    result = result.replace(new RegExp(escapeRegExp(finding.text), 'gi'), REDACTED);
  for (const source of decisions.patterns) {
    if (!invalidPattern(source)) result = result.replace(new RegExp(source, 'gi'), REDACTED);
  }
  return { text: result, redacted: [...findings, ...marked] };
}
