import type { RequestRecord } from '../workflow/records.ts';

/**
 * The subject a reply goes under: always carrying the reference token, so answers thread.
 * Pure, so the staff UI prefills the same subject the API would give.
 */
export function replySubject(
  request: Pick<RequestRecord, 'reference' | 'subject'>,
  given: string | undefined,
): string {
  const token = `[${request.reference}]`;
  const subject = given?.trim() || `Re: ${request.subject.replace(/^(re|aw|sv):\s*/i, '')}`;
  return subject.includes(token) ? subject : `${subject} ${token}`;
}
