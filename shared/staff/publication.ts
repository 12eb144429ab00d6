import { type TextLayer, textKindOf } from '../attachments/text-layer.ts';
import type { findingPlaces } from '../publication/findings.ts';
import { type Letter, peopleKnown, publicCopy } from '../publication/public-copy.ts';
import {
  detectPersonalData,
  type Finding,
  isRedacted,
  patternProblem,
  redactionReady,
} from '../publication/redaction.ts';
import { renderLetterPage, renderMeetingPage, type Site } from '../publication/render.ts';
import type { Actor, ActRules } from '../workflow/act.ts';
import type { RequestRecord } from '../workflow/records.ts';
import type { actionFields } from '../workflow/transitions.ts';
import type * as z from '../zod.ts';
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
  await redactionReady(decisions);
  const scans = await scanAttachments(request, letter, ports);
  const reinstated = new Map(decisions.reinstated.map((entry) => [entry.id, entry.reason]));
  const people = peopleKnown(request, letter);
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
  const findings: Array<
    Omit<Finding, 'official'> & {
      official: boolean;
      where: (typeof findingPlaces)[number];
      attachment?: string;
      redacted: boolean;
      reinstatedBecause: string | null;
    }
  > = places.flatMap(([where, texts]) =>
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
  const cleared = new Set(decisions.clearedAttachments ?? []);
  for (const scan of scans) {
    for (const finding of scan.findings) {
      findings.push({
        ...finding,
        official: finding.official === true,
        where: 'attachment',
        attachment: scan.key,
        redacted: isRedacted(finding, decisions),
        reinstatedBecause: reinstated.get(finding.id) ?? null,
      });
    }
  }
  return {
    version: request.version,
    namesRead: letter.namesRead ?? 'pending',
    findings,
    attachments: scans.map(({ findings: found, ...scan }) => ({
      ...scan,
      findings: found.length,
      cleared: cleared.has(scan.key),
      needsReason: !scan.scanned || found.length > 0,
    })),
    decisions,
  };
}

/**
 * What each attachment's text layer says: `read` when its text was checked (with what was
 * found in it), otherwise why it could not be: the layer is still being extracted, the file
 * holds no text, or it is of a kind or state postroom cannot read.
 */
function layerState(
  layer: TextLayer | undefined,
  contentType: string,
  filename: string,
): { textLayer: TextLayer['status'] | 'pending'; text: string; unread?: string } {
  if (!layer) {
    return textKindOf(contentType, filename) === 'unsupported'
      ? {
          textLayer: 'unsupported',
          text: '',
          unread: `postroom does not read the text of ${contentType || 'this kind of file'}`,
        }
      : {
          textLayer: 'pending',
          text: '',
          unread: 'its text is still being read: look again shortly',
        };
  }
  if (layer.status !== 'extracted') {
    return { textLayer: layer.status, text: '', unread: layer.reason ?? 'it holds no text' };
  }
  if (layer.truncated) {
    return {
      textLayer: 'extracted',
      text: layer.text,
      unread: 'only the start of its text was read',
    };
  }
  return layer.partial
    ? { textLayer: 'extracted', text: layer.text, unread: layer.partial }
    : { textLayer: 'extracted', text: layer.text };
}

/**
 * What detection finds in each attachment's text layer (extracted once, when the letter
 * was filed), with the same people as the copy. An attachment whose text was not all read
 * is `scanned: false`, and clearing it needs a reason.
 */
async function scanAttachments(request: RequestRecord, letter: Letter, ports: NotePorts) {
  await redactionReady(undefined);
  const people = peopleKnown(request, letter);
  return Promise.all(
    letter.attachments.map(async ({ key, filename, contentType }) => {
      const state = layerState(await ports.textLayer(key), contentType, filename);
      return {
        key,
        filename,
        contentType,
        scanned: state.unread === undefined,
        textLayer: state.textLayer,
        ...(state.unread ? { unread: state.unread } : {}),
        findings: detectPersonalData(state.text, people),
      };
    }),
  );
}

/** Exactly what publication would write for this request now, redactions applied. */
export async function publicationPreview(id: string, ports: NotePorts, site: Site, now: Date) {
  const { request, letter } = await letterOf(id, ports);
  await redactionReady(request.redactions);
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
/** Cleared attachments that show findings, or could not be read, with no reason given. */
async function attachmentsNeedingReasons(
  id: string,
  body: { clearedAttachments: string[]; clearingReasons: Array<{ key: string; reason: string }> },
  ports: NotePorts,
) {
  // A reason kept for a file that is not going out would read, in the audit trail, as if
  // it had been.
  const clearing = new Set(body.clearedAttachments);
  const stray = body.clearingReasons.flatMap((entry, index) =>
    clearing.has(entry.key)
      ? []
      : [
          {
            path: `clearingReasons.${index}.key`,
            message: `${entry.key} is not in clearedAttachments; give reasons only for attachments being cleared`,
          },
        ],
  );
  if (stray.length || !body.clearedAttachments.length) return stray;
  const { request, letter } = await letterOf(id, ports);
  const explained = new Set(body.clearingReasons.map((entry) => entry.key));
  const scans = await scanAttachments(request, letter, ports);
  return body.clearedAttachments.flatMap((key, index) => {
    const scan = scans.find((candidate) => candidate.key === key);
    if (!scan) {
      return [
        {
          path: `clearedAttachments.${index}`,
          message: `${key} is not an attachment of the letter; clear one the review lists`,
        },
      ];
    }
    if (explained.has(key)) return [];
    if (!scan.scanned)
      return [
        {
          path: `clearedAttachments.${index}`,
          message: `${scan.filename} was not fully checked for personal data (${scan.unread}); give a reason in clearingReasons to publish it anyway`,
        },
      ];
    if (scan.findings.length) {
      const kinds = [...new Set(scan.findings.map((finding) => finding.kind))].join(', ');
      return [
        {
          path: `clearedAttachments.${index}`,
          message: `${scan.filename} shows ${scan.findings.length} finding(s) (${kinds}); give a reason in clearingReasons to publish it anyway`,
        },
      ];
    }
    return [];
  });
}

export async function reviewRedactions(
  id: string,
  actor: Actor,
  body: z.output<(typeof actionFields)['review_redactions']> & { expectedVersion: number },
  ports: NotePorts,
  rules: ActRules,
  now: Date,
) {
  await redactionReady(body);
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
  const unexplained = await attachmentsNeedingReasons(id, body, ports);
  if (unexplained.length) {
    throw refused({
      code: 'unprocessable',
      message: `an attachment cannot be cleared: ${unexplained[0]?.message}`,
      fields: unexplained,
    });
  }
  return actOnRequest(id, actor, { ...body, action: 'review_redactions' }, ports, rules, now);
}
