import { describe, expect, it } from 'vitest';
import { factsOf } from '../../shared/reports/facts.ts';
import { type AuditEvent, GENESIS_HASH, sealEvent } from '../../shared/workflow/audit.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';

const request: RequestRecord = {
  id: 'r1',
  reference: 'REQ-2026-0001',
  stage: 'accepted',
  version: 4,
  eventSeq: 4,
  lastHash: 'h',
  subject: 'Meeting request',
  sender: { address: 'writer@org.example', name: 'Org Writer' },
  organisation: 'Org Ltd',
  receivedAt: '2026-03-02T09:00:00.000Z',
  replyBy: '2026-03-16',
  flags: [],
  messageCount: 1,
  lastMessageAt: '2026-03-02T09:00:00.000Z',
  assignee: 'cara@office.example',
};

/** A chain of events in the order given, each `[action, from, to, at]`. */
function chain(steps: Array<[string, string | null, string | null, string]>): AuditEvent[] {
  let prevHash = GENESIS_HASH;
  return steps.map(([action, from, to, at], index) => {
    const event = sealEvent(
      { requestId: 'r1', seq: index + 1, action, actor: 'a', at, from, to, details: {} },
      prevHash,
    );
    prevHash = event.hash;
    return event;
  });
}

describe('the report facts of a request', () => {
  const events = chain([
    ['receive', null, 'received', '2026-03-02T09:00:00.000Z'],
    ['decline', 'received', 'declined', '2026-03-04T10:00:00.000Z'],
    ['comment', 'declined', 'declined', '2026-03-05T10:00:00.000Z'],
    ['reopen', 'declined', 'received', '2026-03-06T10:00:00.000Z'],
    ['accept', 'received', 'accepted', '2026-03-09T10:00:00.000Z'],
  ]);

  it('dates every stage entered by its event, leaving out events that change no stage', () => {
    expect(factsOf(request, events).stages).toEqual([
      { stage: 'received', at: '2026-03-02T09:00:00.000Z', action: 'receive' },
      { stage: 'declined', at: '2026-03-04T10:00:00.000Z', action: 'decline' },
      { stage: 'received', at: '2026-03-06T10:00:00.000Z', action: 'reopen' },
      { stage: 'accepted', at: '2026-03-09T10:00:00.000Z', action: 'accept' },
    ]);
  });

  it('counts the first answer, a decline later reopened, as when the requester was answered', () => {
    expect(factsOf(request, events).answeredAt).toBe('2026-03-04T10:00:00.000Z');
  });

  it('is the same whatever order the events are read in', () => {
    expect(factsOf(request, [...events].reverse())).toEqual(factsOf(request, events));
  });

  it('takes the state now from the request, and email when no channel was recorded', () => {
    expect(factsOf(request, events)).toMatchObject({
      stage: 'accepted',
      channel: 'email',
      assignee: 'cara@office.example',
      replyBy: '2026-03-16',
      organisation: 'Org Ltd',
      senderAddress: 'writer@org.example',
      eventSeq: 5,
    });
    expect(factsOf(request, events).publishedAt).toBeUndefined();
  });
});
