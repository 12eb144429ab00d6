import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headOf, verifyChain } from '../../shared/workflow/audit.ts';
import type { Stage } from '../../shared/workflow/stages.ts';
import { plainLetter } from '../support/letters.ts';
import {
  act as actAs,
  records,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/**
 * A lifecycle that always closes: every open stage can be closed with a reason, an
 * approval revoked before publication, a declined request reopened, a deadline extended,
 * and work given only to staff. Driven through the local HTTP API, with real storage,
 * the stream and the SES emulator.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
let letters = 0;

const meeting = {
  start: '2027-02-24T14:00:00Z',
  end: '2027-02-24T15:20:00Z',
  location: 'Central Edinburgh',
  attendees: [
    { name: 'Helen Marsh', role: 'VP', organisation: 'LumenCam Ltd', host: true },
    { name: 'The Commissioner', role: 'Commissioner', organisation: 'The Office' },
  ],
};

/** A new letter, filed as a request in `received`; its id and the requester's address. */
async function newRequest(): Promise<{ id: string; requester: string }> {
  letters += 1;
  const requester = `requester${letters}@lumencam.example`;
  await postroom.deliver(
    plainLetter({ from: `Helen Marsh <${requester}>`, subject: `Meeting request ${letters}` }),
    requester,
  );
  const found = (await records.requestsInStage('received')).find(
    (request) => request.sender.address === requester,
  );
  if (!found) throw new Error(`letter ${letters} was not filed`);
  return { id: found.id, requester };
}

const ok = async (result: Promise<{ status: number; body: Record<string, unknown> }>) => {
  const { status, body } = await result;
  if (status !== 200) throw new Error(`expected 200, got ${status}: ${JSON.stringify(body)}`);
  return body;
};

/** The steps that bring a request from received to each open stage, as the people who take them. */
const walk: Array<[Stage, string, string, Record<string, unknown>]> = [
  ['accepted', staff.caseworker, 'accept', {}],
  ['scheduled', staff.caseworker, 'schedule', meeting],
  ['held', staff.caseworker, 'record_held', {}],
  ['drafting', staff.caseworker, 'save_draft', { body: 'The note of the meeting.' }],
  ['in_review', staff.caseworker, 'submit_note', {}],
  ['approved', staff.approver, 'approve', { publishAt: '2099-01-01T09:00:00Z' }],
];

async function requestAt(stage: Stage) {
  const request = await newRequest();
  for (const [reached, as, action, fields] of walk) {
    if (stage === 'received') break;
    await ok(actAs(api, as, request.id, action, fields));
    if (reached === stage) break;
  }
  await postroom.settle();
  return request;
}

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
});
afterAll(async () => {
  await postroom.close();
});

describe('closing', () => {
  const expected: Array<[Stage, Stage, string]> = [
    ['received', 'withdrawn', staff.caseworker],
    ['accepted', 'withdrawn', staff.caseworker],
    ['scheduled', 'withdrawn', staff.caseworker],
    ['held', 'closed', staff.caseworker],
    ['drafting', 'closed', staff.caseworker],
    ['in_review', 'closed', staff.approver],
    ['approved', 'closed', staff.approver],
  ];
  for (const [from, to, as] of expected) {
    it(`closes a request that is ${from}: it is ${to}, with its reason, audited and told`, async () => {
      const { id, requester } = await requestAt(from);
      await sentMail.clear();
      const reason = `Closed from ${from}: the company withdrew its interest`;
      const body = await ok(actAs(api, as, id, 'close', { reason }));
      expect(body.stage).toBe(to);
      await postroom.settle();
      const request = await records.request(id);
      expect(request).toMatchObject({ stage: to, closedReason: reason });
      expect(request?.closedAt).toEqual(expect.any(String));
      const events = await records.events(id);
      expect(events.at(-1)).toMatchObject({ action: 'close', from, to, details: { reason } });
      expect(
        verifyChain(
          events.sort((a, b) => a.seq - b.seq),
          request && headOf(request),
        ),
      ).toMatchObject({ intact: true });
      const mail = await sentMail.all();
      if (to === 'withdrawn') {
        // Before the meeting, the requester is told, with the reason.
        const told = mail.filter((one) => one.destination.to.includes(requester));
        expect(told.map((one) => one.subject)).toEqual([
          expect.stringContaining('Your request for a meeting has been closed'),
        ]);
        expect(told[0]?.body.text).toContain(reason);
      } else {
        // After it, the requester hears nothing; the assignee (the accepter) did it, or is told.
        expect(mail.filter((one) => one.destination.to.includes(requester))).toEqual([]);
        const assigneeMail = mail.filter((one) => one.destination.to.includes(staff.caseworker));
        expect(assigneeMail.map((one) => one.subject)).toEqual(
          as === staff.caseworker ? [] : [expect.stringContaining('Request closed without a note')],
        );
      }
      // Closed means closed: nothing more moves it on.
      const again = await actAs(api, as, id, 'close', { reason });
      expect(again.status).toBe(422);
      expect(again.body.error.message).toMatch(/close is not allowed when a request is/);
    });
  }

  it('refuses a close without a reason, naming the field, and writes nothing', async () => {
    const { id } = await requestAt('held');
    const before = await records.events(id);
    const refused = await actAs(api, staff.caseworker, id, 'close', { reason: '   ' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([
      { path: 'reason', message: 'a reason is required' },
    ]);
    expect(await records.events(id)).toHaveLength(before.length);
    expect((await records.request(id))?.stage).toBe('held');
  });

  it('lets only an approver close a note in review', async () => {
    const { id } = await requestAt('in_review');
    const refused = await actAs(api, staff.caseworker, id, 'close', { reason: 'No longer needed' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/close needs the role approver or admin/);
  });
});

describe('revoking an approval', () => {
  it('takes an embargoed approval back to review before publication, and tells the assignee', async () => {
    const { id } = await requestAt('approved');
    await sentMail.clear();
    const caseworker = await actAs(api, staff.caseworker, id, 'revoke_approval', {
      reason: 'A fact is disputed',
    });
    expect(caseworker.status).toBe(403);
    const body = await ok(
      actAs(api, staff.approver, id, 'revoke_approval', { reason: 'A fact is disputed' }),
    );
    expect(body.stage).toBe('in_review');
    await postroom.settle();
    const request = await records.request(id);
    expect(request?.stage).toBe('in_review');
    expect(request?.publishAt).toBeUndefined();
    expect((await records.events(id)).at(-1)).toMatchObject({
      action: 'revoke_approval',
      from: 'approved',
      to: 'in_review',
      details: { reason: 'A fact is disputed' },
    });
    const told = await sentMail.to(staff.caseworker);
    expect(told.map((mail) => mail.subject)).toEqual([
      expect.stringContaining('Approval revoked: the note will not be published'),
    ]);
    // It is approved again only by a fresh approval.
    const detail = await api(staff.approver, 'GET', `/api/requests/${id}`);
    expect(detail.body.allowedActions).toContain('approve');
  });
});

describe('reopening', () => {
  it('takes a declined request back to triage with a new reply deadline, and tells the requester', async () => {
    const { id, requester } = await newRequest();
    await ok(actAs(api, staff.caseworker, id, 'decline', { reason: 'Out of remit' }));
    await postroom.settle();
    await sentMail.clear();
    const withdrawn = await requestAt('received');
    await ok(actAs(api, staff.caseworker, withdrawn.id, 'withdraw', { reason: 'They withdrew' }));
    // Only a declined request reopens: a withdrawn one stays closed.
    const notDeclined = await actAs(api, staff.caseworker, withdrawn.id, 'reopen', {
      reason: 'Try again',
    });
    expect(notDeclined.status).toBe(422);

    const body = await ok(
      actAs(api, staff.caseworker, id, 'reopen', { reason: 'They sent the missing details' }),
    );
    expect(body.stage).toBe('received');
    await postroom.settle();
    const request = await records.request(id);
    expect(request?.stage).toBe('received');
    expect(request?.closedReason).toBeUndefined();
    expect(request?.closedAt).toBeUndefined();
    expect((request?.replyBy ?? '') > new Date().toISOString().slice(0, 10)).toBe(true);
    const told = await sentMail.to(requester);
    expect(told.map((mail) => mail.subject)).toEqual([
      expect.stringContaining('Your request for a meeting is being considered again'),
    ]);
  });
});

describe('extending a deadline', () => {
  it('moves the reply deadline later, with a reason shown on the request and audited', async () => {
    const { id } = await newRequest();
    const before = await records.request(id);
    const earlier = await actAs(api, staff.caseworker, id, 'extend_deadline', {
      reason: 'Waiting for their papers',
      until: '2020-01-01',
    });
    expect(earlier.status).toBe(422);
    expect(earlier.body.error.fields).toEqual([
      { path: 'until', message: `must be a date after ${before?.replyBy}` },
    ]);
    const notADate = await actAs(api, staff.caseworker, id, 'extend_deadline', {
      reason: 'Waiting',
      until: 'next week',
    });
    expect(notADate.status).toBe(400);
    expect(notADate.body.error.fields).toEqual([
      { path: 'until', message: 'must be a date, YYYY-MM-DD' },
    ]);

    const body = await ok(
      actAs(api, staff.caseworker, id, 'extend_deadline', {
        reason: 'Waiting for their papers',
        until: '2099-03-31',
      }),
    );
    expect(body.dueAt).toBe('2099-03-31');
    const detail = await api(staff.caseworker, 'GET', `/api/requests/${id}`);
    expect(detail.body.request.replyBy).toBe('2099-03-31');
    expect(detail.body.request.deadlineChanges).toEqual([
      {
        deadline: 'replyBy',
        from: before?.replyBy,
        until: '2099-03-31',
        reason: 'Waiting for their papers',
        by: staff.caseworker,
        at: expect.any(String),
      },
    ]);
    expect((await records.events(id)).at(-1)).toMatchObject({
      action: 'extend_deadline',
      details: { reason: 'Waiting for their papers', until: '2099-03-31', deadline: 'replyBy' },
    });
    // The list sorts it by its new deadline, so it is no longer overdue.
    const overdue = await api(staff.caseworker, 'GET', '/api/requests?stage=received&overdue=true');
    expect(overdue.body.items.map((item: { id: string }) => item.id)).not.toContain(id);
  });

  it('moves the note deadline once the meeting is held', async () => {
    const { id } = await requestAt('held');
    const body = await ok(
      actAs(api, staff.caseworker, id, 'extend_deadline', {
        reason: 'The minute-taker is ill',
        until: '2099-06-30',
      }),
    );
    expect(body.dueAt).toBe('2099-06-30');
    expect((await records.request(id))?.noteDueBy).toBe('2099-06-30');
  });
});

describe('assigning', () => {
  it('lists the staff a request may be given to', async () => {
    const { status, body } = await api(staff.caseworker, 'GET', '/api/staff');
    expect(status).toBe(200);
    expect(body.items.map((member: { email: string }) => member.email).sort()).toEqual(
      Object.values(staff).sort(),
    );
    expect((await api(undefined, 'GET', '/api/staff')).status).toBe(401);
  });

  it('refuses anyone who is not staff, naming the field, and mails the staff member given it', async () => {
    const { id } = await newRequest();
    const before = await records.request(id);
    const outsider = await actAs(api, staff.caseworker, id, 'assign', {
      assignee: 'friend@elsewhere.example',
    });
    expect(outsider.status).toBe(422);
    expect(outsider.body.error.fields).toEqual([
      { path: 'assignee', message: expect.stringMatching(/^must be one of the staff: /) },
    ]);
    expect((await records.request(id))?.version).toBe(before?.version);

    await sentMail.clear();
    await ok(actAs(api, staff.caseworker, id, 'assign', { assignee: staff.otherCaseworker }));
    await postroom.settle();
    expect((await sentMail.to(staff.otherCaseworker)).map((mail) => mail.subject)).toEqual([
      expect.stringContaining('Assigned to you'),
    ]);
  });

  it('gives a request nobody holds to whoever accepts it, and leaves a held one alone', async () => {
    const first = await newRequest();
    await ok(actAs(api, staff.approver, first.id, 'accept'));
    expect((await records.request(first.id))?.assignee).toBe(staff.approver);

    const second = await newRequest();
    await ok(
      actAs(api, staff.caseworker, second.id, 'assign', { assignee: staff.otherCaseworker }),
    );
    await ok(actAs(api, staff.caseworker, second.id, 'accept'));
    expect((await records.request(second.id))?.assignee).toBe(staff.otherCaseworker);
  });
});

describe('a request opened by hand', () => {
  it('goes through its whole life like one that came by email: triage to publication', async () => {
    await postroom.settle();
    const opened = await api(staff.caseworker, 'POST', '/api/requests', {
      channel: 'phone',
      sender: { name: 'Raj Patel' },
      organisation: 'LumenCam Ltd',
      subject: 'A call asking to meet about cameras',
      text: 'Raj Patel rang to ask for a meeting about cameras in public places.',
    });
    expect(opened.status).toBe(201);
    const { id, reference } = opened.body;
    await postroom.settle();
    for (const [as, action, fields] of [
      [staff.caseworker, 'accept', {}],
      [staff.caseworker, 'schedule', meeting],
      [staff.caseworker, 'record_held', {}],
      [staff.caseworker, 'save_draft', { title: 'Meeting with LumenCam', body: 'We met.' }],
      [staff.caseworker, 'submit_note', {}],
      [staff.approver, 'approve', {}],
    ] as const)
      await ok(actAs(api, as, id, action, fields));
    await postroom.settle();
    const request = await records.request(id);
    expect(request).toMatchObject({ stage: 'published', channel: 'phone', reference });
    const actions = (await records.events(id)).sort((a, b) => a.seq - b.seq).map((e) => e.action);
    expect(actions).toEqual([
      'receive',
      'accept',
      'schedule',
      'record_held',
      'save_draft',
      'submit_note',
      'approve',
      'publish',
    ]);
    // With no address, nobody outside the office was written to at any step.
    const about = (await sentMail.all()).filter((mail) => mail.subject.includes(reference));
    expect(about.length).toBeGreaterThan(0);
    const outside = about.filter((mail) =>
      mail.destination.to.some((to) => !to.endsWith('@office.example')),
    );
    expect(outside.map((mail) => `${mail.destination.to} | ${mail.subject}`)).toEqual([]);
  });
});
