import * as z from 'zod';
import { diffNotes, type NoteVersion, noteVersionKey, prefillNote } from '../notes/note.ts';
import type { Letter } from '../publication/publish.ts';
import { type Actor, type ActRules, fieldErrors } from '../workflow/act.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { actionFields } from '../workflow/transitions.ts';
import { ApiError, badRequest, notFound } from './errors.ts';
import { actOnRequest, type RequestPorts } from './requests.ts';

/** What the note endpoints need beyond the request ports: the note versions in S3. */
export interface NotePorts extends RequestPorts {
  readText(key: string): Promise<string>;
  writeText(key: string, body: string, contentType: string): Promise<void>;
  listKeys(prefix: string): Promise<string[]>;
  /** The letter that opened the request, as publication will read it. */
  letter(request: RequestRecord): Promise<Letter>;
}

export const noteBodySchema = actionFields.save_draft.extend({
  expectedVersion: z.number().int().min(0),
  title: z.string().trim().min(1).max(300),
});

export async function getNote(id: string, ports: NotePorts) {
  const found = await ports.detail(id);
  if (!found) throw notFound(`request ${id}`);
  const { request, messages } = found;
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
  const letter = messages.find((message) => message.direction === 'inbound');
  return {
    version: 0,
    ...prefillNote(request, letter?.at ?? request.receivedAt),
    meeting: request.meeting ?? null,
    organisations: null,
    editors: [],
  };
}

/**
 * Saves the next version of the note. The version is checked against the note's own
 * (409 when someone saved since); the save is the workflow's save_draft action, so the
 * first one moves a held request to drafting and every one lands in the audit trail.
 */
export async function saveNote(
  id: string,
  actor: Actor,
  body: unknown,
  ports: NotePorts,
  rules: ActRules,
  now: Date,
) {
  const parsed = noteBodySchema.safeParse(body);
  if (!parsed.success) throw badRequest('the note is not valid', fieldErrors(parsed.error));
  const request = await ports.getRequest(id);
  if (!request) throw notFound(`request ${id}`);
  const current = request.draft?.version ?? 0;
  if (parsed.data.expectedVersion !== current) {
    throw new ApiError(
      409,
      'conflict',
      `the note is at version ${current}, not ${parsed.data.expectedVersion}; someone else saved it, so reload it`,
      {
        currentVersion: current,
      },
    );
  }
  const version: NoteVersion = {
    version: current + 1,
    title: parsed.data.title,
    body: parsed.data.body,
    savedBy: actor.email,
    savedAt: now.toISOString(),
  };
  // Written first under its own key: a failed save leaves a version the next save overwrites.
  await ports.writeText(
    noteVersionKey(id, version.version),
    JSON.stringify(version),
    'application/json',
  );
  const saved = await actOnRequest(
    id,
    actor,
    {
      action: 'save_draft',
      expectedVersion: request.version,
      title: version.title,
      body: version.body,
      meeting: parsed.data.meeting,
      organisations: parsed.data.organisations,
    },
    ports,
    rules,
    now,
  );
  return { version: version.version, title: version.title, body: version.body, request: saved };
}

export async function noteVersions(id: string, ports: NotePorts): Promise<NoteVersion[]> {
  const keys = await ports.listKeys(`requests/${id}/note/`);
  return Promise.all(keys.map(async (key) => JSON.parse(await ports.readText(key)) as NoteVersion));
}

export async function noteDiff(
  id: string,
  query: Record<string, string | undefined>,
  ports: NotePorts,
) {
  const from = Number(query.from);
  const to = Number(query.to);
  if (!Number.isInteger(from) || !Number.isInteger(to)) {
    throw badRequest('give two versions: ?from=1&to=2', [
      { path: 'query.from', message: 'expected whole numbers from and to' },
    ]);
  }
  const versions = await noteVersions(id, ports);
  const a = versions.find((v) => v.version === from);
  const b = versions.find((v) => v.version === to);
  if (!a || !b) throw notFound(`version ${a ? to : from} of the note for request ${id}`);
  return { from, to, diff: diffNotes(a, b) };
}
