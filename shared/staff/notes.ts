import type { TextLayer } from '../attachments/text-layer.ts';
import { log } from '../log.ts';
import { diffNotes, type NoteVersion, noteVersionKey, prefillNote } from '../notes/note.ts';
import type { Letter } from '../publication/publish.ts';
import type { Actor, ActRules } from '../workflow/act.ts';
import type { DraftState, RequestRecord } from '../workflow/records.ts';
import { actionFields, trimmedText } from '../workflow/transitions.ts';
import * as z from '../zod.ts';
import { ApiError, notFound, refused } from './errors.ts';
import { type AfterCommit, actOnRequest, type RequestPorts } from './requests.ts';

/** What the note endpoints need beyond the request ports: the note versions in S3. */
export interface NotePorts extends RequestPorts {
  readText(key: string): Promise<string>;
  writeText(key: string, body: string, contentType: string): Promise<void>;
  listKeys(prefix: string): Promise<string[]>;
  /** An attachment's text layer, or undefined until extraction has written it. */
  textLayer(attachmentKey: string): Promise<TextLayer | undefined>;
  /** The letter that opened the request, as publication will read it. */
  letter(request: RequestRecord): Promise<Letter>;
}

export const noteBodySchema = z.extend(actionFields.save_draft, {
  expectedVersion: z.number().check(z.int(), z.gte(0)),
  title: trimmedText(1, 300),
});

/**
 * The note as it stands, or a first draft prefilled with dates on the office's clock. A
 * saved note is all in the request item; only the prefill needs the letter's date, so
 * only a note never saved reads the request's partition (npm run bench:api: reading it
 * on every GET took the route past twice its floor).
 */
export async function getNote(id: string, ports: NotePorts, timeZone: string) {
  const request = await ports.getRequest(id);
  if (!request) throw notFound(`request ${id}`);
  if (request.draft) {
    return {
      version: request.draft.version,
      title: request.draft.title ?? '',
      body: request.draft.body,
      meeting: request.draft.meeting ?? request.meeting ?? null,
      organisations: request.draft.organisations ?? null,
      editors: request.draft.editors,
    };
  }
  const letter = (await ports.detail(id))?.messages.find(
    (message) => message.direction === 'inbound',
  );
  return {
    version: 0,
    ...prefillNote(request, letter?.at ?? request.receivedAt, timeZone),
    meeting: request.meeting ?? null,
    organisations: null,
    editors: [],
  };
}

const notePrefix = (requestId: string) => `requests/${requestId}/note/`;

/** The version a committed draft is, as the note store keeps it (unknown for old drafts). */
function versionOf(draft: DraftState): NoteVersion | undefined {
  if (!draft.savedBy || !draft.savedAt) return undefined;
  return {
    version: draft.version,
    title: draft.title ?? '',
    body: draft.body,
    savedBy: draft.savedBy,
    savedAt: draft.savedAt,
  };
}

const writeVersion = (requestId: string, version: NoteVersion, ports: NotePorts) =>
  ports.writeText(
    noteVersionKey(requestId, version.version),
    JSON.stringify(version),
    'application/json',
  );

/**
 * After a save has committed: writes the new version's copy from the committed draft,
 * and the previous version's again from the draft this save replaced. That heals a save
 * that committed but died before writing its copy, and a copy a refused save wrote
 * before saves checked first; it is now or never, since the previous draft leaves the
 * request item with this save. Only the winning writer gets here, so the copies, the
 * request and the audit event name the same person. A failure loses nothing: the
 * request item holds the draft, and the next save or versions list writes the copy.
 */
export function keepNoteVersions(ports: NotePorts): AfterCommit {
  return async (before, after) => {
    if (!after.draft || after.draft.version === before.draft?.version) return;
    const saved = versionOf(after.draft);
    const previous = before.draft && versionOf(before.draft);
    try {
      await Promise.all([
        saved && writeVersion(after.id, saved, ports),
        previous && writeVersion(after.id, previous, ports),
      ]);
    } catch (error) {
      log.warn('a note version copy was not written; the request item keeps the draft', {
        requestId: after.id,
        version: after.draft.version,
        error,
      });
    }
  };
}

const noteVersionOf = (request: RequestRecord) => request.draft?.version ?? 0;
const noteConflict = (request: RequestRecord, expected: number) => {
  const current = noteVersionOf(request);
  return refused({
    code: 'conflict',
    message: `the note is at version ${current}, not ${expected}; someone else saved it, so reload it`,
    currentVersion: current,
  });
};

/**
 * Saves the next version of the note. The version is checked against the note's own
 * (409 when someone saved since); the save is the workflow's save_draft action, so the
 * first one moves a held request to drafting and every one lands in the audit trail.
 * Every check (fields, role, stage, version, size) comes before the first write, and the
 * version's copy in the note store is written only after the transaction commits: a
 * refused save, or the loser of a race, leaves no trace.
 */
export async function saveNote(
  id: string,
  actor: Actor,
  note: z.output<typeof noteBodySchema>,
  ports: NotePorts,
  rules: ActRules,
  now: Date,
) {
  const request = await ports.getRequest(id);
  if (!request) throw notFound(`request ${id}`);
  const expected = note.expectedVersion;
  if (expected !== noteVersionOf(request)) throw noteConflict(request, expected);
  let saved: Awaited<ReturnType<typeof actOnRequest>>;
  try {
    saved = await actOnRequest(
      id,
      actor,
      {
        action: 'save_draft',
        expectedVersion: request.version,
        title: note.title,
        body: note.body,
        meeting: note.meeting,
        organisations: note.organisations,
      },
      ports,
      rules,
      now,
      keepNoteVersions(ports),
    );
  } catch (error) {
    // Another save won between the read and the write: answer in the note's own versions.
    if (error instanceof ApiError && error.status === 409) {
      const latest = await ports.getRequest(id);
      if (latest && noteVersionOf(latest) !== expected) throw noteConflict(latest, expected);
    }
    throw error;
  }
  const draft = saved.request.draft;
  return {
    version: draft?.version ?? 0,
    title: draft?.title ?? '',
    body: draft?.body ?? '',
    request: saved,
  };
}

/**
 * Every committed version, oldest first. The current one comes from the request item
 * (the truth the audit agrees with), and its copy is written if a save died before
 * writing it; copies past the current version were left by refused saves before saves
 * checked first, and are not versions.
 */
export async function noteVersions(id: string, ports: NotePorts): Promise<NoteVersion[]> {
  const request = await ports.getRequest(id);
  if (!request) throw notFound(`request ${id}`);
  const draft = request.draft;
  if (!draft) return [];
  const keys = await ports.listKeys(notePrefix(id));
  const stored = await Promise.all(
    keys.map(async (key) => JSON.parse(await ports.readText(key)) as NoteVersion),
  );
  const current = versionOf(draft);
  const versions = new Map<number, NoteVersion>();
  for (const version of stored) {
    if (version.version < draft.version || (!current && version.version === draft.version))
      versions.set(version.version, version);
  }
  if (current) {
    versions.set(current.version, current);
    const copy = stored.find((version) => version.version === current.version);
    if (JSON.stringify(copy) !== JSON.stringify(current)) {
      await writeVersion(id, current, ports).catch((error) =>
        log.warn('could not write the current note version copy', { requestId: id, error }),
      );
    }
  }
  return [...versions.values()].sort((a, b) => a.version - b.version);
}

export async function noteDiff(
  id: string,
  { from, to }: { from: number; to: number },
  ports: NotePorts,
) {
  const versions = await noteVersions(id, ports);
  const a = versions.find((v) => v.version === from);
  const b = versions.find((v) => v.version === to);
  if (!a || !b) throw notFound(`version ${a ? to : from} of the note for request ${id}`);
  return { from, to, diff: diffNotes(a, b) };
}
