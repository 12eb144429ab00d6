/**
 * Human references like REQ-2026-0007: the year of receipt and a yearly counter. People
 * quote them on the phone and in subjects, so they are short and never reused.
 */
export function formatReference(year: number, sequence: number): string {
  return `REQ-${year}-${String(sequence).padStart(4, '0')}`;
}

const referenceToken = /\[(REQ-\d{4}-\d{4,})\]/i;

/** The reference a subject carries in brackets, as postroom's own subjects put it. */
export function referenceInSubject(subject: string | undefined): string | undefined {
  return subject?.match(referenceToken)?.[1]?.toUpperCase();
}
