import { createTwoFilesPatch } from 'diff';
import { longDate } from '../dates.ts';
import type { RequestRecord } from '../workflow/records.ts';

/** A saved version of a meeting note, as kept in the documents bucket. */
export interface NoteVersion {
  version: number;
  title: string;
  body: string;
  savedBy: string;
  savedAt: string;
}

/**
 * The first draft: a title from the meeting and the organisation, and a skeleton with
 * the sections every note has. The attendees come from the scheduled meeting and the
 * purpose cites the letter and its date, so the drafter starts from facts, not a blank.
 */
export function prefillNote(
  request: RequestRecord,
  letterDate: string,
  timeZone: string,
): { title: string; body: string } {
  const organisation = request.organisation ?? request.sender.address ?? request.sender.name;
  const attendees = (request.meeting?.attendees ?? [])
    .map(
      (a) =>
        `- ${a.name}, ${a.role}, ${a.organisation}${a.host ? ' (host)' : ''}${a.invitedGuest ? ' (invited guest)' : ''}`,
    )
    .join('\n');
  const title = `Meeting with ${organisation}${request.meeting ? `, ${longDate(request.meeting.start, timeZone)}` : ''}`;
  const body = `## In attendance

${attendees || '- '}

## Purpose

${organisation} asked to meet in its letter of ${longDate(letterDate, timeZone)} ("${request.subject}").

## Points of discussion

### 

## Conclusion

`;
  return { title, body };
}

export function noteVersionKey(requestId: string, version: number): string {
  return `requests/${requestId}/note/v${String(version).padStart(4, '0')}.json`;
}

/** A unified diff between two versions, for the reviewer to read. */
export function diffNotes(from: NoteVersion, to: NoteVersion): string {
  return createTwoFilesPatch(
    `version ${from.version}`,
    `version ${to.version}`,
    `# ${from.title}\n\n${from.body}`,
    `# ${to.title}\n\n${to.body}`,
    `${from.savedBy}, ${from.savedAt}`,
    `${to.savedBy}, ${to.savedAt}`,
  );
}
