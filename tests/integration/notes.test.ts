import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixture,
  records,
  staff,
  staffClient,
  startPostroom,
  walkToHeld,
} from '../support/postroom.ts';

/** Drafting the note of a meeting: prefilled, versioned in S3, diffable, and 409 when stale. */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
let id = '';

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  await postroom.deliver(fixture('01-letter-pdf.eml'), 'vp.publicaffairs@lumencam.example');
  id = (await records.requestsInStage('received'))[0]?.id ?? '';
  await walkToHeld(api, id, {
    start: '2026-02-24T14:00:00Z',
    end: '2026-02-24T15:20:00Z',
    location: 'Central Edinburgh',
    attendees: [
      { name: 'Helen Marsh', role: 'VP Public Affairs', organisation: 'LumenCam Ltd', host: true },
      {
        name: 'The Commissioner',
        role: 'Commissioner',
        organisation: 'The Commissioner’s Office',
        invitedGuest: true,
      },
    ],
  });
});
afterAll(async () => {
  await postroom.close();
});

describe('the note of a meeting', () => {
  it('starts as version 0, prefilled from the meeting and the letter', async () => {
    const { status, body } = await api(staff.caseworker, 'GET', `/api/requests/${id}/note`);
    expect(status).toBe(200);
    expect(body.version).toBe(0);
    expect(body.title).toBe('Meeting with LumenCam Ltd, 24 February 2026');
    expect(body.body).toContain('## In attendance');
    expect(body.body).toContain('- Helen Marsh, VP Public Affairs, LumenCam Ltd (host)');
    expect(body.body).toContain('(invited guest)');
    expect(body.body).toMatch(/asked to meet in its letter of \d{1,2} \w+ \d{4}/);
    for (const section of ['## Purpose', '## Points of discussion', '## Conclusion'])
      expect(body.body).toContain(section);
  });

  it('saves versions, moving held to drafting, and refuses a stale save', async () => {
    const first = await api(staff.caseworker, 'PUT', `/api/requests/${id}/note`, {
      expectedVersion: 0,
      title: 'Meeting with LumenCam Ltd',
      body: '## Purpose\n\nFirst draft.',
    });
    expect(first).toMatchObject({
      status: 200,
      body: { version: 1, request: { stage: 'drafting' } },
    });
    const stale = await api(staff.admin, 'PUT', `/api/requests/${id}/note`, {
      expectedVersion: 0,
      title: 'x',
      body: 'y',
    });
    expect(stale).toMatchObject({ status: 409, body: { error: { currentVersion: 1 } } });
    const second = await api(staff.admin, 'PUT', `/api/requests/${id}/note`, {
      expectedVersion: 1,
      // The meeting ran late and moved room: the note records what happened.
      meeting: {
        start: '2026-02-24T14:00:00Z',
        end: '2026-02-24T15:45:00Z',
        location: 'Waverley Gate, Edinburgh',
        attendees: [
          {
            name: 'Helen Marsh',
            role: 'VP Public Affairs',
            organisation: 'LumenCam Ltd',
            host: true,
          },
        ],
      },
      organisations: ['LumenCam Ltd'],
      title: 'Meeting with LumenCam Ltd',
      body: '## Purpose\n\nSecond draft, with a footnote.[^1]\n\n[^1]: The letter.',
    });
    expect(second.body.version).toBe(2);
    const bad = await api(staff.caseworker, 'PUT', `/api/requests/${id}/note`, {
      expectedVersion: 2,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((field: { path: string }) => field.path).sort()).toEqual([
      'body',
      'title',
    ]);
  });

  it('lists every version and shows the difference between two', async () => {
    const { body } = await api(staff.caseworker, 'GET', `/api/requests/${id}/note/versions`);
    expect(
      body.versions.map((v: { version: number; savedBy: string }) => [v.version, v.savedBy]),
    ).toEqual([
      [1, staff.caseworker],
      [2, staff.admin],
    ]);
    const diff = await api(staff.caseworker, 'GET', `/api/requests/${id}/note/diff?from=1&to=2`);
    expect(diff.body.diff).toContain('-First draft.');
    expect(diff.body.diff).toContain('+Second draft, with a footnote.[^1]');
    const current = await api(staff.caseworker, 'GET', `/api/requests/${id}/note`);
    expect(current.body).toMatchObject({
      version: 2,
      editors: [staff.caseworker, staff.admin],
      meeting: { location: 'Waverley Gate, Edinburgh', end: '2026-02-24T15:45:00Z' },
      organisations: ['LumenCam Ltd'],
    });
  });

  it('reviews redactions: detected data hidden by default, reinstated with a reason, names marked', async () => {
    const review = await api(staff.caseworker, 'GET', `/api/requests/${id}/redactions`);
    expect(review.status).toBe(200);
    const fromLetter = review.body.findings.filter(
      (finding: { where: string }) => finding.where === 'letter',
    );
    expect(fromLetter.map((finding: { kind: string }) => finding.kind)).toEqual(
      expect.arrayContaining(['phone', 'postal-address']),
    );
    // Hidden by default, except the names of people attending in an official role.
    for (const finding of fromLetter as Array<{ redacted: boolean; official: boolean }>)
      expect(finding.redacted).toBe(!finding.official);
    const phone = fromLetter.find((finding: { kind: string }) => finding.kind === 'phone');

    for (const source of ['([', '(a)\\1']) {
      const badPattern = await api(staff.caseworker, 'PUT', `/api/requests/${id}/redactions`, {
        expectedVersion: review.body.version,
        patterns: [source],
      });
      expect(badPattern.status).toBe(422);
      expect(badPattern.body.error.fields[0].path).toBe('patterns.0');
      expect(badPattern.body.error.message).toMatch(/RE2 syntax/);
    }
    // RE2 runs (a+)+$ in linear time, so it is accepted rather than freezing the API.
    const nested = await api(staff.caseworker, 'GET', `/api/requests/${id}`);
    expect(nested.body.version).toBe(review.body.version);

    const saved = await api(staff.caseworker, 'PUT', `/api/requests/${id}/redactions`, {
      expectedVersion: review.body.version,
      reinstated: [{ id: phone.id, reason: 'The company’s published switchboard number' }],
      texts: ['Helen Marsh'],
    });
    expect(saved.status).toBe(200);
    const event = (await records.events(id)).at(-1);
    expect(event).toMatchObject({
      action: 'review_redactions',
      details: { reinstated: [{ reason: 'The company’s published switchboard number' }] },
    });

    const preview = await api(staff.caseworker, 'GET', `/api/requests/${id}/publication-preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.letter).toContain(phone.text);
    for (const finding of fromLetter.filter((f: { kind: string }) => f.kind === 'postal-address')) {
      expect(preview.body.letter).not.toContain(finding.text);
    }
    expect(preview.body.letter).not.toContain('Helen Marsh');
    expect(preview.body.page).toContain('[redacted]');
    // The page shows the meeting as the note records it, not as it was first scheduled.
    expect(preview.body.page).toContain('Waverley Gate, Edinburgh');
    expect(preview.body.page).toContain('14:00 to 15:45');
  });

  it('asks for a reason before an attachment it could not read, or found data in, goes out', async () => {
    const review = await api(staff.caseworker, 'GET', `/api/requests/${id}/redactions`);
    const [pdf] = review.body.attachments as Array<{
      key: string;
      scanned: boolean;
      textLayer: string;
      needsReason: boolean;
    }>;
    // The letter's PDF was read when it was filed, and names people and a phone number.
    expect(pdf).toMatchObject({ scanned: true, textLayer: 'extracted', needsReason: true });
    const decisions = review.body.decisions;
    const unexplained = await api(staff.caseworker, 'PUT', `/api/requests/${id}/redactions`, {
      ...decisions,
      expectedVersion: review.body.version,
      clearedAttachments: [pdf?.key],
    });
    expect(unexplained.status).toBe(422);
    expect(unexplained.body.error.message).toMatch(/shows \d+ finding\(s\).*clearingReasons/);
    expect((await api(staff.caseworker, 'GET', `/api/requests/${id}`)).body.version).toBe(
      review.body.version,
    );
    const explained = await api(staff.caseworker, 'PUT', `/api/requests/${id}/redactions`, {
      ...decisions,
      expectedVersion: review.body.version,
      clearedAttachments: [pdf?.key],
      clearingReasons: [
        { key: pdf?.key, reason: 'Checked by hand: the company’s published brochure' },
      ],
    });
    expect(explained.status).toBe(200);
    expect((await records.events(id)).at(-1)).toMatchObject({
      action: 'review_redactions',
      details: {
        clearingReasons: [{ reason: 'Checked by hand: the company’s published brochure' }],
      },
    });
  });
});
