import { type Letter, publicCopy } from '../publication/publish.ts';
import { detectPersonalData } from '../publication/redaction.ts';
import { renderLetterPage, renderMeetingPage, type Site } from '../publication/render.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { notFound } from './errors.ts';
import type { NotePorts } from './notes.ts';

async function letterOf(
  id: string,
  ports: NotePorts,
): Promise<{ request: RequestRecord; letter: Letter }> {
  const request = await ports.getRequest(id);
  if (!request) throw notFound(`request ${id}`);
  return { request, letter: await ports.letter(request) };
}

/** What the detectors found in the note and the letter, and whether each will be hidden. */
export async function redactionReview(id: string, ports: NotePorts) {
  const { request, letter } = await letterOf(id, ports);
  const reinstated = new Map(
    (request.redactions?.reinstated ?? []).map((entry) => [entry.id, entry.reason]),
  );
  const describe = (where: 'note' | 'letter', text: string) =>
    detectPersonalData(text).map((finding) => ({
      ...finding,
      where,
      redacted: !reinstated.has(finding.id),
      reinstatedBecause: reinstated.get(finding.id) ?? null,
    }));
  return {
    version: request.version,
    findings: [...describe('note', request.draft?.body ?? ''), ...describe('letter', letter.text)],
    decisions: request.redactions ?? { reinstated: [], texts: [], patterns: [] },
  };
}

/** Exactly what publication would write for this request now, redactions applied. */
export async function publicationPreview(id: string, ports: NotePorts, site: Site, now: Date) {
  const { request, letter } = await letterOf(id, ports);
  const meeting = publicCopy(request, letter, site, now);
  return {
    page: renderMeetingPage(meeting, site),
    letter: renderLetterPage(meeting, site),
    meeting,
  };
}
