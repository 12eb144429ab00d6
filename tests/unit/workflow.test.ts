import { describe, expect, it } from 'vitest';
import { type Actor, decideAction, dueDate } from '../../shared/workflow/act.ts';
import { GENESIS_HASH } from '../../shared/workflow/audit.ts';
import { scottishBankHolidays } from '../../shared/workflow/deadlines.ts';
import type { Meeting, RequestRecord } from '../../shared/workflow/records.ts';
import { type Stage, stages } from '../../shared/workflow/stages.ts';
import {
  type Action,
  actions,
  actionsFor,
  findTransition,
  isAction,
  offeredActions,
  type Role,
  roles,
  transitions,
} from '../../shared/workflow/transitions.ts';

const rules = {
  calendar: scottishBankHolidays,
  timeZone: 'Europe/London',
  noteWorkingDays: 10,
  replyWorkingDays: 10,
  separateApproval: true,
};
const now = new Date('2027-02-25T10:00:00Z');

const meeting = {
  start: '2027-02-24T14:00:00Z',
  end: '2027-02-24T15:20:00Z',
  location: 'Edinburgh',
  attendees: [{ name: 'A', role: 'B', organisation: 'C' }],
};
/** Valid fields for every action, so each test isolates the rule it is about. */
const validFields: Record<Action, Record<string, unknown>> = {
  accept: {},
  decline: { reason: 'Out of remit' },
  schedule: meeting,
  reschedule: meeting,
  record_held: {},
  save_draft: { body: 'Note' },
  submit_note: {},
  request_changes: { comment: 'More detail' },
  approve: {},
  withdraw: { reason: 'They withdrew' },
  correct: { note: 'A job title was wrong' },
  review_redactions: { reinstated: [], texts: ['Helen Marsh'], patterns: [] },
  takedown: { reason: 'Published in error' },
  publish: {
    pageUrl: 'https://meetings.office.example/meetings/2027/req-2027-0001/',
    noteVersion: 1,
  },
  assign: { assignee: 'cara@office.example' },
  comment: { text: 'Called them' },
  hold: { reason: 'Subject of a complaint to the ombudsman' },
  release_hold: { reason: 'The complaint is closed' },
  reply: {
    messageKey: 'r1',
    messageId: '<REQ-2027-0001.reply.1@postroom.office.example>',
    to: ['a@org.example'],
    subject: 'Re: Meeting [REQ-2027-0001]',
    bodySha256: 'a'.repeat(64),
  },
  close: { reason: 'The company went into administration' },
  revoke_approval: { reason: 'A fact in the note is disputed' },
  reopen: { reason: 'They sent the missing details' },
  extend_deadline: { reason: 'Waiting for the minutes', until: '2027-12-31' },
  resend_notification: {
    failure: '0123456789ab',
    seq: 1,
    kind: 'acknowledgement',
    recipient: 'vp@lumencam.example',
  },
};

function requestIn(stage: Stage, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: 'r1',
    reference: 'REQ-2027-0001',
    stage,
    version: 3,
    eventSeq: 5,
    lastHash: GENESIS_HASH,
    subject: 'Meeting',
    sender: { address: 'a@org.example', name: 'A' },
    receivedAt: '2027-01-30T09:00:00Z',
    replyBy: '2027-02-13',
    noteDueBy: '2027-03-10',
    flags: [],
    messageCount: 1,
    lastMessageAt: '2027-01-30T09:00:00Z',
    meeting: {
      ...meeting,
      attendees: [{ ...meeting.attendees[0], host: false, invitedGuest: false }] as never,
      sequence: 0,
    },
    draft: { version: 1, body: 'Note', editors: ['cara@office.example'] },
    ...extra,
  } as RequestRecord;
}

/** What a request needs for the action to apply at all: releasing a hold needs a hold. */
const appliesTo = (action: Action): Partial<RequestRecord> =>
  action === 'release_hold'
    ? { legalHold: { reason: 'A complaint', by: 'ada@office.example', since: now.toISOString() } }
    : {};

const person = (...held: Role[]): Actor => ({
  id: 'u',
  email: 'someone@office.example',
  name: 'S',
  roles: held,
});
// Every role there is, postroom's own (`system`, the publisher) included.
const everyone = person(...roles, 'system');

describe('every (stage, action) pair', () => {
  for (const stage of stages) {
    for (const action of actions) {
      const row = findTransition(stage, action);
      it(`${stage} + ${action} is ${row ? `allowed, to ${row.to}` : 'refused with 422'}`, () => {
        const decision = decideAction(
          requestIn(stage, appliesTo(action)),
          everyone,
          { action, expectedVersion: 3, ...validFields[action] },
          now,
          rules,
        );
        if (row) {
          expect(decision).toMatchObject({
            ok: true,
            request: { stage: row.to, version: 4, eventSeq: 6 },
          });
          if (decision.ok)
            expect(decision.event).toMatchObject({
              seq: 6,
              action,
              from: stage,
              to: row.to,
              actor: everyone.email,
            });
        } else {
          expect(decision).toMatchObject({ ok: false, refusal: { code: 'not_allowed' } });
        }
      });
    }
  }
});

describe('action names from outside', () => {
  // Every name an object has through its prototype: none of them is an action.
  const inherited = [
    'toString',
    'constructor',
    '__proto__',
    'hasOwnProperty',
    'valueOf',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toLocaleString',
    '__defineGetter__',
    '__lookupSetter__',
  ];

  it("matches only the table's own keys", () => {
    for (const name of inherited) expect(isAction(name), name).toBe(false);
    for (const action of actions) expect(isAction(action), action).toBe(true);
    for (const other of [undefined, null, 1, {}, ['accept'], 'Accept', ' accept', 'accept '])
      expect(isAction(other), String(other)).toBe(false);
  });

  it('refuses an inherited name as invalid, naming the field, in every stage', () => {
    for (const stage of stages) {
      for (const action of inherited) {
        const decision = decideAction(
          requestIn(stage),
          everyone,
          { action, expectedVersion: 3 },
          now,
          rules,
        );
        expect(decision, `${stage} ${action}`).toMatchObject({
          ok: false,
          refusal: { code: 'invalid', fields: [{ path: 'action' }] },
        });
      }
    }
  });
});

describe('the role matrix', () => {
  for (const row of transitions) {
    for (const role of roles) {
      const allowed = row.roles.includes(role);
      it(`${role} ${allowed ? 'may' : 'may not'} ${row.action} from ${row.from}`, () => {
        const decision = decideAction(
          requestIn(row.from, appliesTo(row.action)),
          person(role),
          { action: row.action, expectedVersion: 3, ...validFields[row.action] },
          now,
          rules,
        );
        expect(decision.ok).toBe(allowed);
        if (!decision.ok) expect(decision.refusal.code).toBe('forbidden');
      });
    }
  }
});

describe('rules beyond the table', () => {
  it('records who saved a draft version and when, as its audit event does', () => {
    const saver: Actor = { ...person('caseworker'), email: 'colin@office.example' };
    const decision = decideAction(
      requestIn('drafting', {
        draft: { version: 4, body: 'old', editors: ['cara@office.example'] },
      }),
      saver,
      { action: 'save_draft', expectedVersion: 3, body: 'new' },
      now,
      rules,
    );
    expect(decision.ok).toBe(true);
    if (!decision.ok) return;
    expect(decision.request.draft).toMatchObject({
      version: 5,
      body: 'new',
      savedBy: saver.email,
      savedAt: now.toISOString(),
    });
    expect(decision.event).toMatchObject({
      actor: saver.email,
      at: now.toISOString(),
      details: { draftVersion: 5 },
    });
  });

  it('refuses approval by anyone who edited the note, unless separation is turned off', () => {
    const editor: Actor = { ...person('approver'), email: 'cara@office.example' };
    const input = { action: 'approve', expectedVersion: 3 };
    expect(decideAction(requestIn('in_review'), editor, input, now, rules)).toMatchObject({
      ok: false,
      refusal: { code: 'forbidden' },
    });
    expect(
      decideAction(requestIn('in_review'), editor, input, now, {
        ...rules,
        separateApproval: false,
      }).ok,
    ).toBe(true);
  });

  it('refuses a stale version with the current one', () => {
    expect(
      decideAction(
        requestIn('received'),
        everyone,
        { action: 'accept', expectedVersion: 2 },
        now,
        rules,
      ),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'conflict', currentVersion: 3 },
    });
  });

  it('names the field that is missing or wrong', () => {
    const decision = decideAction(
      requestIn('accepted'),
      everyone,
      { action: 'schedule', expectedVersion: 3, ...meeting, end: meeting.start, attendees: [] },
      now,
      rules,
    );
    expect(decision.ok).toBe(false);
    if (!decision.ok && decision.refusal.code === 'invalid') {
      expect(decision.refusal.fields.map((field) => field.path).sort()).toEqual([
        'attendees',
        'end',
      ]);
    }
  });

  it('dates the note M working days after the meeting, and counts reschedules', () => {
    const held = decideAction(
      requestIn('scheduled'),
      everyone,
      { action: 'record_held', expectedVersion: 3 },
      now,
      rules,
    );
    expect(held.ok && held.request.noteDueBy).toBe('2027-03-10');
    const moved = decideAction(
      requestIn('scheduled'),
      everyone,
      { action: 'reschedule', expectedVersion: 3, ...meeting },
      now,
      rules,
    );
    expect(moved.ok && moved.request.meeting?.sequence).toBe(1);
    expect(moved.ok && moved.event.details.sequence).toBe(1);
  });

  it('records who edited each draft', () => {
    const saved = decideAction(
      requestIn('drafting'),
      { ...everyone, email: 'ada@office.example' },
      { action: 'save_draft', expectedVersion: 3, body: 'v2' },
      now,
      rules,
    );
    expect(saved.ok && saved.request.draft).toMatchObject({
      version: 2,
      editors: ['cara@office.example', 'ada@office.example'],
    });
  });
});

describe('due dates', () => {
  const at = (start: string): Meeting => ({
    start,
    end: start,
    location: 'Edinburgh',
    attendees: [],
    sequence: 0,
  });

  it('are the office’s calendar days, not UTC ones', () => {
    // 23:30 UTC on 14 June is 00:30 on 15 June in London (BST); in January they agree.
    const late = at('2027-06-14T23:30:00Z');
    expect(dueDate(requestIn('scheduled', { meeting: late }), 'Europe/London')).toBe('2027-06-15');
    expect(dueDate(requestIn('scheduled', { meeting: late }), 'UTC')).toBe('2027-06-14');
    const winter = at('2027-01-14T23:30:00Z');
    expect(dueDate(requestIn('scheduled', { meeting: winter }), 'Europe/London')).toBe(
      '2027-01-14',
    );
    expect(
      dueDate(requestIn('approved', { publishAt: '2027-06-14T23:30:00Z' }), 'Europe/London'),
    ).toBe('2027-06-15');
    expect(dueDate(requestIn('received', { replyBy: '2027-03-10' }), 'Europe/London')).toBe(
      '2027-03-10',
    );
  });
});

describe('closing, and legal holds', () => {
  const decide = (request: RequestRecord, action: Action, actor = everyone) =>
    decideAction(
      request,
      actor,
      { action, expectedVersion: request.version, ...validFields[action] },
      now,
      rules,
    );
  const hold = { reason: 'A complaint', by: 'ada@office.example', since: '2027-01-01T00:00:00Z' };

  it('records when a request closes, keeps it between closed stages and clears it on reopening', () => {
    const declined = decide(requestIn('received'), 'decline');
    expect(declined.ok && declined.request.closedAt).toBe(now.toISOString());

    const closedAt = '2026-05-01T12:00:00.000Z';
    const takenDown = decide(requestIn('published', { closedAt }), 'takedown');
    expect(takenDown.ok && takenDown.request.closedAt).toBe(closedAt);
    const commented = decide(requestIn('declined', { closedAt }), 'comment');
    expect(commented.ok && commented.request.closedAt).toBe(closedAt);

    const corrected = decide(requestIn('published', { closedAt }), 'correct');
    expect(corrected.ok && corrected.request.closedAt).toBeUndefined();
    const accepted = decide(requestIn('received'), 'accept');
    expect(accepted.ok && accepted.request.closedAt).toBeUndefined();
  });

  it('sorts a closed request by the day it closed, on the office’s clock', () => {
    const closedAt = '2027-06-14T23:30:00Z';
    expect(dueDate(requestIn('declined', { closedAt }), 'Europe/London')).toBe('2027-06-15');
    expect(dueDate(requestIn('published', { closedAt }), 'UTC')).toBe('2027-06-14');
    // Closed before closings were recorded: its reply-by date, until disposal reads the trail.
    expect(dueDate(requestIn('withdrawn'), 'UTC')).toBe('2027-02-13');
  });

  it('lets an admin place a hold with a reason, and offers only the release while it stands', () => {
    const admin: Actor = { ...person('admin'), email: 'ada@office.example' };
    const held = decide(requestIn('declined'), 'hold', admin);
    expect(held).toMatchObject({
      ok: true,
      request: {
        stage: 'declined',
        legalHold: { reason: validFields.hold.reason, by: admin.email, since: now.toISOString() },
      },
      event: { action: 'hold', details: { reason: validFields.hold.reason } },
    });
    if (!held.ok) return;
    expect(offeredActions(held.request, ['admin'])).toContain('release_hold');
    expect(offeredActions(held.request, ['admin'])).not.toContain('hold');
    expect(offeredActions(held.request, ['caseworker'])).not.toContain('release_hold');
    expect(decide(held.request, 'hold', admin)).toMatchObject({
      ok: false,
      refusal: { code: 'not_allowed', allowed: expect.arrayContaining(['release_hold']) },
    });

    const released = decide(held.request, 'release_hold', admin);
    expect(released.ok && released.request.legalHold).toBeUndefined();
    expect(released.ok && released.event.details).toEqual({
      reason: validFields.release_hold.reason,
    });
    expect(decide(requestIn('declined'), 'release_hold', admin)).toMatchObject({
      ok: false,
      refusal: { code: 'not_allowed' },
    });
  });

  it('refuses a hold to anyone but an admin', () => {
    expect(decide(requestIn('declined'), 'hold', person('caseworker', 'approver'))).toMatchObject({
      ok: false,
      refusal: { code: 'forbidden' },
    });
    expect(
      decide(requestIn('declined', { legalHold: hold }), 'release_hold', person('approver')),
    ).toMatchObject({ ok: false, refusal: { code: 'forbidden' } });
  });

  it('takes no action at all on a request disposal has claimed, and offers none', () => {
    const disposing = requestIn('declined', { disposing: { since: now.toISOString() } });
    for (const action of ['hold', 'comment'] as const)
      expect(decide(disposing, action)).toMatchObject({
        ok: false,
        refusal: { code: 'conflict', message: expect.stringContaining('being disposed of') },
      });
    expect(offeredActions(disposing, roles)).toEqual([]);
  });
});

describe('calling a meeting off', () => {
  const invited = {
    ...meeting,
    attendees: [
      { name: 'Sophie', role: 'R', organisation: 'O', email: 'sophie@n.example' },
      { name: 'Raj', role: 'R', organisation: 'O' },
    ].map((attendee) => ({ ...attendee, host: false, invitedGuest: false })),
    sequence: 2,
  };
  const decide = (request: RequestRecord, action: Action, fields = validFields[action]) =>
    decideAction(request, everyone, { action, expectedVersion: 3, ...fields }, now, rules);

  it('withdrawn once scheduled: the SEQUENCE goes past the last invitation, on the request and the event', () => {
    const withdrawn = decide(requestIn('scheduled', { meeting: invited }), 'withdraw');
    expect(withdrawn.ok && withdrawn.request.meeting?.sequence).toBe(3);
    expect(withdrawn.ok && withdrawn.event.details).toEqual({
      reason: 'They withdrew',
      meetingCancelled: true,
      start: meeting.start,
      end: meeting.end,
      location: meeting.location,
      // Who had the invitation: those with an address.
      attendees: [{ name: 'Sophie', email: 'sophie@n.example' }],
      sequence: 3,
    });
  });

  it('calls nothing off from a stage without a meeting planned', () => {
    for (const stage of ['received', 'accepted'] as const) {
      const withdrawn = decide(requestIn(stage, { meeting: invited }), 'withdraw');
      expect(withdrawn.ok && withdrawn.event.details, stage).toEqual({ reason: 'They withdrew' });
      expect(withdrawn.ok && withdrawn.request.meeting?.sequence, stage).toBe(2);
    }
    const takenDown = decide(requestIn('published', { meeting: invited }), 'takedown');
    expect(takenDown.ok && takenDown.event.details).toEqual({ reason: 'Published in error' });
  });

  it('a reschedule records who had the last invitation', () => {
    const moved = decide(requestIn('scheduled', { meeting: invited }), 'reschedule');
    expect(moved.ok && moved.event.details).toMatchObject({
      sequence: 3,
      previousAttendees: [{ name: 'Sophie', email: 'sophie@n.example' }],
    });
    const first = decide(requestIn('accepted', { meeting: undefined }), 'schedule');
    expect(first.ok && first.event.details).not.toHaveProperty('previousAttendees');
  });
});

describe('separation of duties', () => {
  const approver = { ...person('approver', 'admin'), email: 'amir@office.example' };
  /** The request after `actor` took `action` in `stage`, then submitted for review. */
  function after(action: Action, stage: Stage, actor: Actor): RequestRecord {
    const decision = decideAction(
      requestIn(stage),
      actor,
      { action, expectedVersion: 3, ...validFields[action] },
      now,
      rules,
    );
    if (!decision.ok) throw new Error(`${action}: ${decision.refusal.message}`);
    return { ...decision.request, stage: 'in_review', version: 3, eventSeq: 5 };
  }

  it.each([
    ['scheduling the meeting', 'schedule', 'accepted'],
    ['rescheduling the meeting', 'reschedule', 'scheduled'],
    ['saving the note', 'save_draft', 'drafting'],
    ['deciding redactions', 'review_redactions', 'in_review'],
    ['writing a correction', 'correct', 'published'],
  ] as const)(
    'keeps whoever changed the public copy by %s from approving it',
    (_what, action, stage) => {
      const changed = after(action, stage, approver);
      const approval = { action: 'approve' as const, expectedVersion: 3 };
      expect(decideAction(changed, approver, approval, now, rules)).toMatchObject({
        ok: false,
        refusal: { code: 'forbidden', message: expect.stringMatching(/separation of duties/) },
      });
      // Someone else may; and an office of one may switch the rule off.
      const colleague = { ...approver, email: 'ann@office.example' };
      expect(decideAction(changed, colleague, approval, now, rules)).toMatchObject({ ok: true });
      expect(
        decideAction(changed, approver, approval, now, { ...rules, separateApproval: false }),
      ).toMatchObject({ ok: true });
      // What the UI is offered says the same: not a button, a reason.
      const offered = actionsFor(changed, approver, rules);
      expect(offered.allowed).not.toContain('approve');
      expect(offered.withheld).toEqual([
        { action: 'approve', reason: expect.stringMatching(/separation of duties/) },
      ]);
      expect(actionsFor(changed, colleague, rules).allowed).toContain('approve');
      expect(actionsFor(changed, approver, { ...rules, separateApproval: false }).withheld).toEqual(
        [],
      );
    },
  );
});

describe('closing a note that is public', () => {
  it('refuses to close a published note being corrected, which would strand its pages', () => {
    const decision = decideAction(
      requestIn('drafting', { pendingCorrection: 'A job title was wrong' }),
      person('approver'),
      { action: 'close', expectedVersion: 3, reason: 'No longer needed' },
      now,
      rules,
    );
    expect(decision).toMatchObject({
      ok: false,
      refusal: { code: 'not_allowed', message: expect.stringMatching(/being corrected/) },
    });
  });
});
