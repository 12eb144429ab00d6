import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateStore } from '../../shared/aws/template-store.ts';
import { fillPlaceholders, placeholderValues } from '../../shared/correspondence/placeholders.ts';
import { templateById } from '../../shared/staff/templates.ts';
import { plainLetter } from '../support/letters.ts';
import {
  act,
  env,
  getItem,
  records,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/** Reply templates through the real staff API, stored in the real table. */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;

const agreed = {
  name: 'Meeting agreed',
  subject: 'Your request {{reference}}',
  body: 'Dear {{ requesterName }},\n\nWe look forward to meeting you on {{meetingDate}}.\n\nYours sincerely,\n{{officeName}}',
};

const put = (as: string, id: string, body: unknown) => api(as, 'PUT', `/api/templates/${id}`, body);
const stored = (id: string) => getItem<Record<string, unknown>>(`TEMPLATE#${id}`, 'TEMPLATE');

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
});
afterAll(async () => {
  await postroom.close();
});

describe('saving a template', () => {
  it('an admin saves one, and the answer is the template as stored, at version 1', async () => {
    const before = Date.now();
    const saved = await put(staff.admin, 'meeting-agreed', agreed);
    expect(saved).toEqual({
      status: 200,
      body: {
        id: 'meeting-agreed',
        ...agreed,
        updatedBy: staff.admin,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        version: 1,
      },
    });
    expect(Date.parse(saved.body.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(await stored('meeting-agreed')).toMatchObject({ ...agreed, version: 1 });
  });

  it('each save is one version more, recording who and when; a subject left out is gone', async () => {
    const first = await put(staff.admin, 'acknowledged', {
      name: '  Acknowledged  ',
      subject: 'Re: {{reference}}',
      body: 'We have your letter, {{requesterName}}.',
    });
    expect(first.body).toMatchObject({ name: 'Acknowledged', version: 1 });
    const second = await put(staff.admin, 'acknowledged', {
      name: 'Acknowledged',
      body: 'Thank you for your letter, {{requesterName}}.',
    });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      id: 'acknowledged',
      name: 'Acknowledged',
      body: 'Thank you for your letter, {{requesterName}}.',
      updatedBy: staff.admin,
      updatedAt: expect.any(String),
      version: 2,
    });
    expect(second.body.updatedAt >= first.body.updatedAt).toBe(true);
    expect((await stored('acknowledged'))?.subject).toBeUndefined();
    // Saves at the same moment each get a version of their own.
    const together = await Promise.all(
      [1, 2, 3].map((n) =>
        put(staff.admin, 'acknowledged', { name: 'Acknowledged', body: `${n}` }),
      ),
    );
    expect(together.map((answer) => answer.body.version).sort()).toEqual([3, 4, 5]);
    expect((await stored('acknowledged'))?.version).toBe(5);
  });

  it.each([
    ['a caseworker', staff.caseworker],
    ['an approver', staff.approver],
  ])('403 for %s, and nothing is written', async (_who, as) => {
    const refused = await put(as, 'not-allowed', agreed);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(refused.body.error.message).toMatch(/needs the role admin/);
    expect(await stored('not-allowed')).toBeUndefined();
  });

  it.each([
    [
      'body',
      { ...agreed, body: 'Dear {{name}}, see you {{ when }}.' },
      /\{\{name\}\}, \{\{when\}\}/,
    ],
    ['subject', { ...agreed, subject: 'About {{ref}}' }, /\{\{ref\}\}/],
  ])(
    '422 naming %s for an unknown placeholder, listing those accepted; nothing written',
    async (field, body, named) => {
      const refused = await put(staff.admin, 'unknown-placeholder', body);
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('unprocessable');
      expect(refused.body.error.fields).toEqual([{ path: field, message: expect.any(String) }]);
      const [{ message }] = refused.body.error.fields;
      expect(message).toMatch(named);
      expect(message).toContain(
        '{{reference}}, {{requesterName}}, {{meetingDate}}, {{officeName}}',
      );
      expect(await stored('unknown-placeholder')).toBeUndefined();
    },
  );

  it.each([
    ['body', 'empty', { ...agreed, body: '' }],
    ['body', 'only spaces', { ...agreed, body: ' \n\t ' }],
    ['body', 'over 20,000 characters', { ...agreed, body: 'x'.repeat(20_001) }],
    ['name', 'empty', { ...agreed, name: '   ' }],
    ['name', 'over 200 characters', { ...agreed, name: 'n'.repeat(201) }],
    ['subject', 'over 300 characters', { ...agreed, subject: 's'.repeat(301) }],
  ])('422 naming %s when it is %s; nothing written', async (field, _what, body) => {
    const refused = await put(staff.admin, 'too-much', body);
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toEqual([
      { path: field, message: expect.stringContaining(field) },
    ]);
    expect(await stored('too-much')).toBeUndefined();
  });

  it('takes a field at its limit', async () => {
    const full = { name: 'n'.repeat(200), subject: 's'.repeat(300), body: 'b'.repeat(20_000) };
    const saved = await put(staff.admin, 'at-the-limit', full);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject(full);
  });

  it('400 for an id that cannot be one, or a body of the wrong shape; nothing written', async () => {
    for (const id of ['Meeting', 'a_b', 'x'.repeat(65), 'caf%C3%A9']) {
      const refused = await put(staff.admin, id, agreed);
      expect(refused.status, id).toBe(400);
      expect(refused.body.error.fields, id).toEqual([
        {
          path: 'path.id',
          message: expect.stringMatching(/lower-case letters, digits and hyphens/),
        },
      ]);
    }
    const untyped = await put(staff.admin, 'untyped', { name: 5, body: ['x'] });
    expect(untyped.status).toBe(400);
    expect(untyped.body.error.fields.map((field: { path: string }) => field.path)).toEqual([
      'name',
      'body',
    ]);
    expect(await stored('untyped')).toBeUndefined();
  });
});

describe('listing templates', () => {
  it('any staff role lists them all by name, as views without the table’s keys', async () => {
    await put(staff.admin, 'meeting-10', { name: 'meeting 10', body: 'Ten.' });
    await put(staff.admin, 'meeting-2', { name: 'Meeting 2', body: 'Two.' });
    for (const as of [staff.caseworker, staff.approver, staff.admin]) {
      const { status, body } = await api(as, 'GET', '/api/templates');
      expect(status).toBe(200);
      expect(body.items.map((template: { id: string }) => template.id)).toEqual([
        'acknowledged',
        'meeting-2',
        'meeting-10',
        'meeting-agreed',
        'at-the-limit',
      ]);
      expect(body.items.flatMap(Object.keys)).not.toContain('PK');
      expect(Object.keys(body.items[0]).sort()).toEqual(
        ['body', 'id', 'name', 'updatedAt', 'updatedBy', 'version'].sort(),
      );
    }
    expect((await api(undefined, 'GET', '/api/templates')).status).toBe(401);
  });
});

describe('a reply started from a template', () => {
  const ports = () => templateStore(env().table);

  it('finds the template by id, and nothing for an id that is not one', async () => {
    expect(await templateById('meeting-agreed', ports())).toEqual({
      id: 'meeting-agreed',
      ...agreed,
      updatedBy: staff.admin,
      updatedAt: expect.any(String),
      version: 1,
    });
    expect(await templateById('never-saved', ports())).toBeUndefined();
    expect(await templateById('../TEMPLATE#x', ports())).toBeUndefined();
    expect(await templateById('x'.repeat(5000), ports())).toBeUndefined();
  });

  it('is filled from the request: the meeting date only once there is a meeting', async () => {
    await postroom.deliver(
      plainLetter({ from: 'Helen Marsh <helen@lumencam.example>', subject: 'A meeting, please' }),
      'helen@lumencam.example',
    );
    const [received] = await records.requestsInStage('received');
    if (!received) throw new Error('the letter was not filed');
    const office = { officeName: 'The Commissioner’s Office', timeZone: 'Europe/London' };
    const template = await templateById('meeting-agreed', ports());
    if (!template) throw new Error('the template was not found');
    expect(fillPlaceholders(template.body, placeholderValues(received, office))).toEqual({
      ok: false,
      missing: ['meetingDate'],
    });

    for (const [action, fields] of [
      ['accept', {}],
      [
        'schedule',
        {
          start: '2027-02-24T14:00:00Z',
          end: '2027-02-24T15:20:00Z',
          location: 'Central Edinburgh',
          attendees: [{ name: 'Helen Marsh', role: 'VP', organisation: 'LumenCam Ltd' }],
        },
      ],
    ] as const) {
      expect((await act(api, staff.caseworker, received.id, action, fields)).status).toBe(200);
    }
    const scheduled = await records.request(received.id);
    if (!scheduled) throw new Error('the request is gone');
    const values = placeholderValues(scheduled, office);
    expect(fillPlaceholders(template.subject ?? '', values)).toEqual({
      ok: true,
      text: `Your request ${received.reference}`,
    });
    expect(fillPlaceholders(template.body, values)).toEqual({
      ok: true,
      text: 'Dear Helen Marsh,\n\nWe look forward to meeting you on Wednesday, 24 February 2027 at 14:00.\n\nYours sincerely,\nThe Commissioner’s Office',
    });
  });
});
