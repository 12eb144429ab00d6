import { peopleKnown } from '../../shared/publication/public-copy.ts';
import { redact } from '../../shared/publication/redaction.ts';

/** Awaited before the first preview: it loads the phone detector, and RE2 for staff patterns. */
export { redactionReady } from '../../shared/publication/redaction.ts';

import {
  type PublicText,
  type PublishedMeeting,
  renderMeetingPage,
} from '../../shared/publication/render.ts';
import { officeZone } from './format.ts';
import type { PublicationPreview, RequestRecord } from './types.ts';

/**
 * The live preview of a note: publication's own renderer and redaction (pure modules,
 * bundled into this lazily loaded chunk), fed the meeting as the publication preview
 * endpoint computed it, with the title and text from the editor. So the preview is the
 * page publication would write, byte for byte, for what is in the editor now.
 */
export function renderNotePreview(
  meeting: PublicationPreview['meeting'],
  officeName: string,
  request: Pick<RequestRecord, 'redactions' | 'sender' | 'meeting' | 'draft' | 'organisation'>,
  title: string,
  body: string,
): string {
  // The same decisions and people as publication's own public copy.
  const decisions = request.redactions ?? { reinstated: [], texts: [], patterns: [] };
  const people = peopleKnown(request);
  const published = (text: string) => redact(text, decisions, people).text as PublicText;
  return renderMeetingPage(
    {
      // Made by the API's publicCopy, so public already; the editor's texts are redacted here.
      ...(meeting as unknown as PublishedMeeting),
      title: published(title.trim() || meeting.title),
      noteMarkdown: published(body),
    },
    { officeName, baseUrl: '/', timeZone: officeZone() },
  );
}
