import { weekdayDateTime } from '../dates.ts';
import type { RequestRecord } from '../workflow/records.ts';

/**
 * The placeholders a reply template may hold, written `{{reference}}` (or `{{ reference }}`),
 * each filled from the request being answered when staff compose a reply.
 */
export const placeholders = ['reference', 'requesterName', 'meetingDate', 'officeName'] as const;
export type Placeholder = (typeof placeholders)[number];

/** What fills each placeholder; meetingDate only once the request has a meeting. */
export interface PlaceholderValues {
  reference: string;
  requesterName: string;
  meetingDate?: string;
  officeName: string;
}

export type Filled =
  | { ok: true; text: string }
  | { ok: false; unknown: string[] }
  | { ok: false; missing: string[] };

/** How the accepted placeholders are named in a refusal. */
export const acceptedPlaceholders = placeholders.map((name) => `{{${name}}}`).join(', ');

const isPlaceholder = (name: string): name is Placeholder =>
  (placeholders as readonly string[]).includes(name);

interface Token {
  start: number;
  end: number;
  /** What stands between the braces, without the spaces either side. */
  name: string;
}

/**
 * Everything in the text that looks like a placeholder: `{{`, then anything but braces,
 * then `}}`. One pass, each character looked at a bounded number of times, so a hostile
 * template (a megabyte of `{{`) costs no more to check than a letter.
 */
function tokens(text: string): Token[] {
  const found: Token[] = [];
  let at = text.indexOf('{{');
  while (at !== -1) {
    let scan = at + 2;
    while (scan < text.length && text[scan] !== '{' && text[scan] !== '}') scan += 1;
    if (text.startsWith('}}', scan)) {
      found.push({ start: at, end: scan + 2, name: text.slice(at + 2, scan).trim() });
      at = text.indexOf('{{', scan + 2);
    } else {
      // Stopped at a `{`, which may open the next candidate (`{{{reference}}`), or at a
      // lone `}` or the end: look again from the character before it.
      at = text.indexOf('{{', scan - 1);
    }
  }
  return found;
}

const unknownIn = (found: Token[]) => [
  ...new Set(found.flatMap(({ name }) => (isPlaceholder(name) ? [] : [name]))),
];

/** The names written as placeholders that are not placeholders, each once, as written. */
export const findUnknownPlaceholders = (text: string): string[] => unknownIn(tokens(text));

/**
 * The text with each placeholder replaced by its value, in one pass: a value is put in as
 * it is, never read again for placeholders (a sender may call themselves `{{officeName}}`).
 * Refused when the text names an unknown placeholder, or one with no value (meetingDate
 * before a meeting is scheduled), so a reply never goes out with `{{…}}` in it.
 */
export function fillPlaceholders(text: string, values: PlaceholderValues): Filled {
  const found = tokens(text);
  const unknown = unknownIn(found);
  if (unknown.length) return { ok: false, unknown };
  const missing = [
    ...new Set(
      found.flatMap(({ name }) => (values[name as Placeholder] === undefined ? [name] : [])),
    ),
  ];
  if (missing.length) return { ok: false, missing };
  let filled = '';
  let from = 0;
  for (const { start, end, name } of found) {
    filled += text.slice(from, start) + values[name as Placeholder];
    from = end;
  }
  return { ok: true, text: filled + text.slice(from) };
}

/**
 * The values for a request, as its reply would say them: the requester by the name their
 * mail gave (their address when it gave none), and the meeting's start on the office's
 * clock, as the invitation said it ("Tuesday, 24 February 2026 at 14:00").
 */
export function placeholderValues(
  request: Pick<RequestRecord, 'reference' | 'sender' | 'meeting'>,
  office: { officeName: string; timeZone: string },
): PlaceholderValues {
  return {
    reference: request.reference,
    requesterName: request.sender.name.trim() || request.sender.address || 'Sir or Madam',
    ...(request.meeting
      ? { meetingDate: weekdayDateTime(request.meeting.start, office.timeZone) }
      : {}),
    officeName: office.officeName,
  };
}
