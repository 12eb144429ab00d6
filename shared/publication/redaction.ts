import type { RE2JS } from 're2js';
import {
  findEmails,
  findNiNumbers,
  findPhones,
  findPostcodes,
  findStreetLines,
  loadPhoneDetector,
} from './detectors.ts';
import type { FindingKind } from './findings.ts';
import { findNames } from './names.ts';
import { replaceSpans, type Span, storedSpan, type TextView, textView } from './text-view.ts';

/**
 * Personal data in anything that may go public, found automatically and redacted by
 * default. Staff may reinstate a finding (with a reason, kept in the audit trail) or add
 * their own redactions, as exact text or as a pattern. Pure: the caller stores decisions.
 *
 * Everything runs on the text as a reader sees it (shared/publication/text-view.ts) and
 * in time linear in its length: the built-in detectors by construction, staff patterns on
 * an RE2 engine, which has no backtracking to blow up.
 */
export type { FindingKind } from './findings.ts';

export interface Finding {
  /** Stable for the same text and kind, so a decision survives re-detection. */
  id: string;
  kind: FindingKind;
  /** As a reader sees it (entities decoded). */
  text: string;
  /**
   * A name of someone attending in an official role: public by default, listed so staff
   * can decide. Everything else is redacted unless reinstated.
   */
  official?: true;
}

export interface RedactionDecisions {
  /** Findings staff chose to publish after all. */
  reinstated: ReadonlyArray<{ id: string; reason: string }>;
  /** Names of private individuals and other text staff marked. */
  texts: readonly string[];
  /** Patterns staff added (RE2 syntax, case-insensitive). */
  patterns: readonly string[];
}

/** Who the meeting's record names, beyond what a detector can see in one field. */
export interface PeopleKnown {
  /** Private individuals: the letter's sender and signatories, attendees with no role. */
  private: readonly string[];
  /** People attending in an official role: public by default. */
  official: readonly string[];
}

export const REDACTED = '[redacted]';
const nobodyKnown: PeopleKnown = { private: [], official: [] };

export function findingId(kind: FindingKind, text: string): string {
  let hash = 2166136261;
  for (const char of `${kind}:${text.toLowerCase().replace(/\s+/g, ' ')}`)
    hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return `${kind}-${hash.toString(36)}`;
}

const MAX_PATTERN_LENGTH = 500;

/**
 * Why a staff pattern cannot be used, or undefined when it can. RE2 refuses what would
 * need backtracking (back-references, look-around), so a pattern like `(a+)+$` runs in
 * linear time instead of freezing the API.
 */
export function patternProblem(source: string): string | undefined {
  const compiled = compilePattern(source);
  return 'problem' in compiled ? compiled.problem : undefined;
}

/**
 * The RE2 engine, loaded only where staff patterns are used: re2js is 151 KB that every
 * function carrying redaction would otherwise load at each cold start, for patterns few
 * requests have. On Lambda it sits beside the bundle, not in it (AppFunction's bundling).
 */
let engine: typeof RE2JS | undefined;

/**
 * Loads what redacting with these decisions needs: the phone detector always, and the
 * RE2 engine if they have staff patterns. Await it before redacting, detecting, or checking
 * patterns: without it those throw rather than leave text unredacted.
 */
export async function redactionReady(decisions: { patterns: readonly string[] } | undefined) {
  await Promise.all([
    loadPhoneDetector(),
    decisions?.patterns.length ? loadPatternEngine() : undefined,
  ]);
}

/** Loads the engine whatever the decisions: for benches and tests of patterns. */
export async function loadPatternEngine() {
  engine ??= (await import('re2js')).RE2JS;
}

/** Compiled once per pattern and kept: publication redacts a dozen fields with the same ones. */
const compiledPatterns = new Map<string, { pattern: RE2JS } | { problem: string }>();
function compilePattern(source: string): { pattern: RE2JS } | { problem: string } {
  const known = compiledPatterns.get(source);
  if (known) return known;
  if (!engine)
    throw new Error('staff patterns need the RE2 engine: await redactionReady() before redacting');
  let compiled: { pattern: RE2JS } | { problem: string };
  if (source.length > MAX_PATTERN_LENGTH) {
    compiled = { problem: `a pattern may be at most ${MAX_PATTERN_LENGTH} characters` };
  } else {
    try {
      compiled = { pattern: engine.compile(source, engine.CASE_INSENSITIVE) };
    } catch (error) {
      compiled = {
        problem: `${(error as Error).message}; patterns use RE2 syntax (no back-references or look-around)`,
      };
    }
  }
  if (compiledPatterns.size > 200) compiledPatterns.clear();
  compiledPatterns.set(source, compiled);
  return compiled;
}

function patternSpans(view: TextView, source: string): Span[] {
  const compiled = compilePattern(source);
  if ('problem' in compiled) return [];
  const spans: Span[] = [];
  const matcher = compiled.pattern.matcher(view.text);
  while (matcher.find()) {
    const start = matcher.start();
    const end = matcher.end();
    if (end > start) spans.push({ start, end });
  }
  return spans;
}

/**
 * Every occurrence of a literal, case-insensitively and whatever joins its words (space,
 * hyphen, underscore), whole words where it starts and ends so.
 */
function literalSpans(view: TextView, literal: string): Span[] {
  const needle = literal
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  if (needle.length < 2) return [];
  const spans: Span[] = [];
  const wordy = (char: string | undefined) => char !== undefined && /[\p{L}\p{N}]/u.test(char);
  for (let at = view.words.indexOf(needle); at !== -1; at = view.words.indexOf(needle, at + 1)) {
    const end = at + needle.length;
    // "Ann" is a name; the "ann" in "annual" is not.
    const before = wordy(needle[0]) && wordy(view.words[at - 1]);
    const after = wordy(needle[needle.length - 1]) && wordy(view.words[end]);
    if (!before && !after) spans.push({ start: at, end });
  }
  return spans;
}

const detectors: Array<[FindingKind, (text: string) => Span[]]> = [
  ['email', findEmails],
  ['phone', findPhones],
  ['postcode', findPostcodes],
  ['postal-address', findStreetLines],
  ['ni-number', findNiNumbers],
];

interface Located extends Finding {
  spans: Span[];
}

function locate(view: TextView, people: PeopleKnown): Located[] {
  const found = new Map<string, Located>();
  const add = (kind: FindingKind, span: Span, official?: boolean) => {
    const text = view.text.slice(span.start, span.end).trim();
    if (!text) return;
    const id = findingId(kind, text);
    const entry = found.get(id) ?? {
      id,
      kind,
      text,
      spans: [],
      ...(official ? { official: true as const } : {}),
    };
    entry.spans.push(span);
    found.set(id, entry);
  };
  for (const [kind, detect] of detectors) for (const span of detect(view.text)) add(kind, span);
  const official = new Set(people.official.map((name) => name.trim().toLowerCase()));
  const names = new Set([...people.private, ...people.official, ...findNames(view.text)]);
  for (const name of names) {
    const isOfficial = official.has(name.trim().toLowerCase());
    for (const span of literalSpans(view, name)) add('name', span, isOfficial);
  }
  return [...found.values()].sort((a, b) => (a.spans[0]?.start ?? 0) - (b.spans[0]?.start ?? 0));
}

/** Every distinct piece of personal data found in a text, in order of appearance. */
export function detectPersonalData(text: string, people: PeopleKnown = nobodyKnown): Finding[] {
  return locate(textView(text), people).map(({ spans: _spans, ...finding }) => finding);
}

/** Whether a finding will be hidden, given staff's decisions. */
export function isRedacted(finding: Finding, decisions: RedactionDecisions): boolean {
  if (decisions.reinstated.some((entry) => entry.id === finding.id)) return false;
  if (finding.official) {
    const marked = decisions.texts.some(
      (text) => text.trim().toLowerCase() === finding.text.toLowerCase(),
    );
    return marked;
  }
  return true;
}

/**
 * The public copy of a text: every finding that is redacted (see isRedacted), every marked
 * text and every pattern match replaced by [redacted] where the stored text held it, in
 * whatever encoding.
 */
export function redact(
  text: string,
  decisions: RedactionDecisions,
  people: PeopleKnown = nobodyKnown,
): { text: string; redacted: Finding[] } {
  const view = textView(text);
  const located = locate(view, people);
  const hidden = located.filter((finding) => isRedacted(finding, decisions));
  // Lists of spans are joined with concat, never spread into push: a pattern like "." on
  // a 5 MB letter matches millions of times, more arguments than a call can take.
  let spans: Span[] = hidden.flatMap((finding) => finding.spans);
  const redacted: Finding[] = hidden.map(({ spans: _spans, ...finding }) => finding);
  for (const literal of decisions.texts) {
    const found = literalSpans(view, literal);
    if (found.length) {
      spans = spans.concat(found);
      redacted.push({
        id: findingId('staff-marked', literal),
        kind: 'staff-marked',
        text: literal,
      });
    }
  }
  for (const source of decisions.patterns) {
    const found = patternSpans(view, source);
    if (found.length) {
      spans = spans.concat(found);
      redacted.push({
        id: findingId('staff-pattern', source),
        kind: 'staff-pattern',
        text: source,
      });
    }
  }
  return {
    text: replaceSpans(
      text,
      spans.map((span) => storedSpan(view, span)),
      REDACTED,
    ),
    redacted,
  };
}
