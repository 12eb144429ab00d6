import { redact } from '../../shared/publication/redaction.ts';
import { type PublishedMeeting, renderMeetingPage } from '../../shared/publication/render.ts';
import { officeZone } from './format.ts';
import type { RequestRecord } from './types.ts';

/**
 * The live preview of a note: publication's own renderer and redaction (pure modules,
 * bundled into this lazily loaded chunk), fed the meeting as the publication preview
 * endpoint computed it, with the title and text from the editor. So the preview is the
 * page publication would write, byte for byte, for what is in the editor now.
 */
export function renderNotePreview(
  meeting: PublishedMeeting,
  officeName: string,
  decisions: RequestRecord['redactions'],
  title: string,
  body: string,
): string {
  const noteMarkdown = redact(body, decisions ?? { reinstated: [], texts: [], patterns: [] }).text;
  return renderMeetingPage(
    { ...meeting, title: title.trim() || meeting.title, noteMarkdown },
    { officeName, baseUrl: '/', timeZone: officeZone() },
  );
}
