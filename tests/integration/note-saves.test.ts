import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_SIZE_LIMIT, itemSize } from '../../shared/aws/item-size.ts';
import { noteVersionKey } from '../../shared/notes/note.ts';
import {
  act,
  documentKeys,
  documentText,
  env,
  fixture,
  getItem,
  records,
  s3Client,
  staff,
  staffClient,
  startPostroom,
  walkToHeld,
  withReference,
} from '../support/postroom.ts';

/**
 * Saving a note: every check before the first write, the version copy written only by
 * the save that committed, and no accepted note too large for the request's one item.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
let letters = 0;

/** A new request from a letter of its own (its own Message-ID, so never a resend). */
async function newRequest(): Promise<string> {
  letters += 1;
  const before = new Set((await records.requestsInStage('received')).map((r) => r.id));
  await postroom.deliver(
    withReference(
      fixture('01-letter-pdf.eml'),
      'letter-001@lumencam.example',
      `note-saves-${letters}@lumencam.example`,
    ),
    'vp.publicaffairs@lumencam.example',
  );
  const created = (await records.requestsInStage('received')).find((r) => !before.has(r.id));
  if (!created) throw new Error('the letter did not become a request');
  return created.id;
}

const meeting = (attendees: Array<Record<string, unknown>>) => ({
  start: '2026-02-24T14:00:00Z',
  end: '2026-02-24T15:20:00Z',
  location: 'Central Edinburgh',
  attendees,
});
const smallMeeting = meeting([
  { name: 'Helen Marsh', role: 'VP Public Affairs', organisation: 'LumenCam Ltd', host: true },
]);
/** Every field at its schema limit: 100 attendees, 200 characters of three bytes each. */
const largestMeeting = meeting(
  Array.from({ length: 100 }, (_, index) => ({
    name: `${index}`.padEnd(200, '€'),
    role: '€'.repeat(200),
    organisation: '€'.repeat(200),
  })),
);

async function heldRequest(withMeeting = smallMeeting) {
  const id = await newRequest();
  await walkToHeld(api, id, withMeeting);
  return id;
}

const save = (as: string, id: string, expectedVersion: number, body: string, extra: object = {}) =>
  api(as, 'PUT', `/api/requests/${id}/note`, {
    expectedVersion,
    title: 'Meeting with LumenCam Ltd',
    body,
    ...extra,
  });

/** What a save could leave behind: the request item, its events and its note copies. */
async function traces(id: string) {
  return {
    request: await records.request(id),
    events: (await records.events(id)).length,
    copies: (await documentKeys(`requests/${id}/note/`)).sort(),
  };
}

/** A body of exactly this many UTF-8 bytes, mostly three-byte euro signs. */
const bodyOfBytes = (bytes: number) => '€'.repeat(Math.floor(bytes / 3)) + 'a'.repeat(bytes % 3);

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
});
afterAll(async () => {
  await postroom.close();
});

describe('a note at the largest accepted size', () => {
  it('saves a note that fills the request item to 400 KB exactly, and refuses one byte more with 413, writing nothing', async () => {
    const id = await heldRequest(largestMeeting);
    const first = await save(staff.caseworker, id, 0, 'x', { meeting: largestMeeting });
    expect(first.status).toBe(200);

    // The next save changes only the body (versions stay two-byte numbers), so the room
    // left in the item is the room for the body.
    const stored = await getItem<Record<string, unknown>>(`REQ#${id}`, 'META');
    const room = ITEM_SIZE_LIMIT - (itemSize(stored ?? {}) - 1);
    expect(room).toBeGreaterThan(10_000);

    const largest = await save(staff.caseworker, id, 1, bodyOfBytes(room), {
      meeting: largestMeeting,
    });
    expect(largest).toMatchObject({ status: 200, body: { version: 2 } });
    // Exactly at the limit by DynamoDB's rules, and DynamoDB Local took it.
    expect(itemSize((await getItem(`REQ#${id}`, 'META')) ?? {})).toBe(ITEM_SIZE_LIMIT);

    const before = await traces(id);
    const over = await save(staff.caseworker, id, 2, bodyOfBytes(room + 1), {
      meeting: largestMeeting,
    });
    expect(over).toMatchObject({
      status: 413,
      body: {
        error: { code: 'too_large', limitBytes: ITEM_SIZE_LIMIT, sizeBytes: ITEM_SIZE_LIMIT + 1 },
      },
    });
    expect(over.body.error.message).toMatch(/the most one can hold is 400 KB/);
    expect(over.body.error.message).toMatch(/the note and the meeting it records \d+ KB/);
    expect(await traces(id)).toEqual(before);
  });

  it('answers 413, not 500, for the note that broke it: 60,000 euro signs and 100 full attendees', async () => {
    // Scheduled with the largest meeting too, as the request that answered 500 was.
    const id = await heldRequest(largestMeeting);
    const before = await traces(id);
    const refused = await save(staff.caseworker, id, 0, '€'.repeat(60_000), {
      meeting: largestMeeting,
    });
    expect(refused).toMatchObject({ status: 413, body: { error: { code: 'too_large' } } });
    expect(await traces(id)).toEqual(before);
    // Within the schema, the body alone still fits.
    expect((await save(staff.caseworker, id, 0, '€'.repeat(60_000))).status).toBe(200);
  });
});

describe('the order of a save', () => {
  it('lets exactly one of several saves at the same version win; its copy, the list and the audit name the same person', async () => {
    const id = await heldRequest();
    expect((await save(staff.caseworker, id, 0, 'First.')).status).toBe(200);
    const savers = [staff.caseworker, staff.otherCaseworker, staff.admin, staff.otherCaseworker];
    const answers = await Promise.all(
      savers.map((as, index) => save(as, id, 1, `Second, by ${as} (${index}).`)),
    );
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of answers.filter((answer) => answer.status !== 200)) {
      expect(loser).toMatchObject({ status: 409, body: { error: { currentVersion: 2 } } });
    }
    const winner = savers[answers.findIndex((answer) => answer.status === 200)];

    const { body } = await api(staff.caseworker, 'GET', `/api/requests/${id}/note/versions`);
    expect(body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const second = body.versions[1];
    expect(second.savedBy).toBe(winner);
    expect(second.body).toBe(winners[0]?.body.body);
    const saves = (await records.events(id)).filter((event) => event.action === 'save_draft');
    expect(saves.map((event) => [event.details.draftVersion, event.actor])).toEqual([
      [1, staff.caseworker],
      [2, winner],
    ]);
    expect(second.savedAt).toBe(saves[1]?.at);
    // The copy in the store says the same, byte for byte what the list shows.
    expect(JSON.parse(await documentText(noteVersionKey(id, 2)))).toEqual(second);
    expect(await documentKeys(`requests/${id}/note/`)).toHaveLength(2);
  });

  it('writes nothing for a save refused for its role, its stage, its version or its fields', async () => {
    const drafting = await heldRequest();
    expect((await save(staff.caseworker, drafting, 0, 'First.')).status).toBe(200);
    const before = await traces(drafting);
    expect((await save(staff.approver, drafting, 1, 'Not mine to write.')).status).toBe(403);
    expect((await save(staff.caseworker, drafting, 0, 'Stale.')).status).toBe(409);
    expect((await save(staff.caseworker, drafting, 1, 'x'.repeat(60_001))).status).toBe(400);
    expect(await traces(drafting)).toEqual(before);
    expect(before.copies).toHaveLength(1);

    const accepted = await newRequest();
    expect((await act(api, staff.caseworker, accepted, 'accept')).status).toBe(200);
    const early = await traces(accepted);
    expect((await save(staff.caseworker, accepted, 0, 'Too early.')).status).toBe(422);
    expect(await traces(accepted)).toEqual(early);
    expect(early.copies).toEqual([]);
  });

  it('writes the copy a save committed but never wrote, on the next list or the next save', async () => {
    const id = await heldRequest();
    expect((await save(staff.caseworker, id, 0, 'First.')).status).toBe(200);
    const bucket = env().documents;
    // As if the process died between the commit and writing the copy.
    await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: noteVersionKey(id, 1) }));
    const listed = await api(staff.admin, 'GET', `/api/requests/${id}/note/versions`);
    expect(listed.body.versions).toMatchObject([{ version: 1, savedBy: staff.caseworker }]);
    expect(await documentKeys(noteVersionKey(id, 1))).toHaveLength(1);

    await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: noteVersionKey(id, 1) }));
    expect((await save(staff.otherCaseworker, id, 1, 'Second.')).status).toBe(200);
    expect(JSON.parse(await documentText(noteVersionKey(id, 1)))).toMatchObject({
      version: 1,
      body: 'First.',
      savedBy: staff.caseworker,
    });

    // Copies left by saves refused before saves checked first are not versions, and a
    // copy that disagrees with the committed draft is put right.
    const phantom = (version: number) =>
      s3Client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: noteVersionKey(id, version),
          Body: JSON.stringify({
            version,
            title: 'x',
            body: 'phantom',
            savedBy: staff.approver,
            savedAt: new Date().toISOString(),
          }),
        }),
      );
    await phantom(2);
    await phantom(3);
    const { body } = await api(staff.caseworker, 'GET', `/api/requests/${id}/note/versions`);
    expect(
      body.versions.map((v: { version: number; savedBy: string }) => [v.version, v.savedBy]),
    ).toEqual([
      [1, staff.caseworker],
      [2, staff.otherCaseworker],
    ]);
    expect(JSON.parse(await documentText(noteVersionKey(id, 2)))).toMatchObject({
      body: 'Second.',
      savedBy: staff.otherCaseworker,
    });
    const diff = await api(staff.caseworker, 'GET', `/api/requests/${id}/note/diff?from=1&to=2`);
    expect(diff.body.diff).toContain('+Second.');
    expect(diff.body.diff).not.toContain('phantom');

    // The next save puts the version it replaces right too, whoever wrote its copy.
    await phantom(2);
    expect((await save(staff.caseworker, id, 2, 'Third.')).status).toBe(200);
    expect(JSON.parse(await documentText(noteVersionKey(id, 2)))).toMatchObject({
      body: 'Second.',
      savedBy: staff.otherCaseworker,
    });
    expect(JSON.parse(await documentText(noteVersionKey(id, 3)))).toMatchObject({
      body: 'Third.',
      savedBy: staff.caseworker,
    });
  });

  it('keeps the copy of a draft saved through the actions endpoint too', async () => {
    const id = await heldRequest();
    const saved = await act(api, staff.caseworker, id, 'save_draft', { body: 'Through actions.' });
    expect(saved.status).toBe(200);
    expect(JSON.parse(await documentText(noteVersionKey(id, 1)))).toMatchObject({
      version: 1,
      body: 'Through actions.',
      savedBy: staff.caseworker,
    });
  });
});
