import type * as z from 'zod';
import type { findingPlaces } from '../publication/findings.ts';
import { type Letter, peopleKnown, publicCopy } from '../publication/public-copy.ts';
import { detectPersonalData, isRedacted, patternProblem } from '../publication/redaction.ts';
import { renderLetterPage, renderMeetingPage, type Site } from '../publication/render.ts';
import type { Actor, ActRules } from '../workflow/act.ts';
import type { RequestRecord } from '../workflow/records.ts';
import type { actionFields } from '../workflow/transitions.ts';
import { notFound, refused } from './errors.ts';
import type { NotePorts } from './notes.ts';
import { actOnRequest } from './requests.ts';

async function letterOf(
  id: string,
  ports: NotePorts,
): Promise<{ request: RequestRecord; letter: Letter }> {
  const request = await ports.getRequest(id);
  if (!request) throw notFound(`request ${id}`);
  return { request, letter: await ports.letter(request) };
}

/**
 * What the detectors found in everything that would go public (the same texts and people
 * the public copy uses), and whether each will be hidden. Names of attendees in an
 * official role are listed as public by default, for staff to decide.
 */
export async function redactionReview(id: string, ports: NotePorts) {
  const { request, letter } = await letterOf(id, ports);
  const decisions = request.redactions ?? { reinstated: [], texts: [], patterns: [] };
  const reinstated = new Map(decisions.reinstated.map((entry) => [entry.id, entry.reason]));
  const people = peopleKnown(request);
  const meeting = request.draft?.meeting ?? request.meeting;
  const places: Array<[(typeof findingPlaces)[number], string[]]> = [
    ['title', [request.draft?.title ?? '', request.subject]],
    [
      'meeting',
      [
        meeting?.location ?? '',
        ...(meeting?.attendees ?? []).flatMap((a) => [a.name, a.role, a.organisation]),
        ...(request.draft?.organisations ?? []),
        request.organisation ?? '',
      ],
    ],
    ['note', [request.draft?.body ?? '']],
    ['letter', [letter.text]],
    [
      'correction',
      [request.pendingCorrection ?? '', ...(request.corrections ?? []).map((c) => c.note)],
    ],
    ['attachment', letter.attachments.map((attachment) => attachment.filename)],
  ];
  const seen = new Set<string>();
  const findings = places.flatMap(([where, texts]) =>
    texts.flatMap((text) =>
      detectPersonalData(text, people)
        .filter(
          (finding) => !seen.has(`${where}:${finding.id}`) && seen.add(`${where}:${finding.id}`),
        )
        .map((finding) => ({
          ...finding,
          official: finding.official === true,
          where,
          redacted: isRedacted(finding, decisions),
          reinstatedBecause: reinstated.get(finding.id) ?? null,
        })),
    ),
  );
  return { version: request.version, findings, decisions };
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

/**
 * Records staff's redaction decisions. Patterns run on RE2, which refuses what would need
 * backtracking; one it refuses is a 422 naming it and why, and nothing is written.
 */
export function reviewRedactions(
  id: string,
  actor: Actor,
  body: z.output<(typeof actionFields)['review_redactions']> & { expectedVersion: number },
  ports: NotePorts,
  rules: ActRules,
  now: Date,
) {
  const problems = body.patterns.flatMap((source, index) => {
    const problem = patternProblem(source);
    return problem ? [{ path: `patterns.${index}`, message: problem }] : [];
  });
  if (problems.length) {
    throw refused({
      code: 'unprocessable',
      message: `a pattern cannot be used: ${problems[0]?.message}`,
      fields: problems,
    });
  }
  return actOnRequest(id, actor, { ...body, action: 'review_redactions' }, ports, rules, now);
}
