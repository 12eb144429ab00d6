import { describe, expect, it } from 'vitest';
import { approvals, auditEventInserts } from '../../infra/functions.ts';
import { matchesAny, matchesPattern } from '../../infra/local/event-filter.ts';

function streamRecord(eventName: string, type: string, extra: Record<string, unknown> = {}) {
  return {
    eventID: '1',
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { pk: { S: 'REQ#1' }, sk: { S: 'EVENT#0001' } },
      NewImage: { type: { S: type }, seq: { N: '1' }, ...extra },
    },
  };
}

describe('matchesPattern', () => {
  it('matches a value listed in an array', () => {
    expect(matchesPattern(['INSERT', 'MODIFY'], 'MODIFY')).toBe(true);
    expect(matchesPattern(['INSERT'], 'REMOVE')).toBe(false);
  });

  it('matches nested objects field by field, ignoring fields the pattern does not name', () => {
    expect(matchesPattern({ a: { b: ['x'] } }, { a: { b: 'x', c: 'y' }, d: 1 })).toBe(true);
    expect(matchesPattern({ a: { b: ['x'] } }, { a: { b: 'z' } })).toBe(false);
  });

  it('does not match when a named field is missing or not an object', () => {
    expect(matchesPattern({ a: { b: ['x'] } }, {})).toBe(false);
    expect(matchesPattern({ a: { b: ['x'] } }, { a: 'x' })).toBe(false);
    expect(matchesPattern({ a: ['x'] }, undefined)).toBe(false);
  });

  it('compares scalars by equality', () => {
    expect(matchesPattern('x', 'x')).toBe(true);
    expect(matchesPattern('x', 'y')).toBe(false);
  });
});

describe('the audit-event filter the notifier is given', () => {
  it('matches an INSERT of an event item', () => {
    expect(matchesAny(auditEventInserts, streamRecord('INSERT', 'event'))).toBe(true);
  });

  it('does not match a MODIFY of an event item', () => {
    expect(matchesAny(auditEventInserts, streamRecord('MODIFY', 'event'))).toBe(false);
  });

  it('does not match an INSERT of a request item', () => {
    expect(matchesAny(auditEventInserts, streamRecord('INSERT', 'request'))).toBe(false);
  });

  it('does not match a REMOVE, which has no NewImage', () => {
    expect(matchesAny(auditEventInserts, { eventName: 'REMOVE', dynamodb: { OldImage: {} } })).toBe(
      false,
    );
  });

  it('matches the minimal record shape too', () => {
    expect(
      matchesPattern(auditEventInserts[0], {
        eventName: 'INSERT',
        dynamodb: { NewImage: { type: { S: 'event' } } },
      }),
    ).toBe(true);
  });
});

describe('the approvals filter', () => {
  it('matches only inserted approve events', () => {
    expect(
      matchesAny(approvals, streamRecord('INSERT', 'event', { action: { S: 'approve' } })),
    ).toBe(true);
    expect(
      matchesAny(approvals, streamRecord('INSERT', 'event', { action: { S: 'accept' } })),
    ).toBe(false);
    expect(matchesAny(approvals, streamRecord('INSERT', 'event'))).toBe(false);
  });
});

describe('matchesAny', () => {
  it('lets everything through when there are no patterns', () => {
    expect(matchesAny([], streamRecord('REMOVE', 'anything'))).toBe(true);
  });

  it('matches when any one pattern matches', () => {
    const patterns = [{ eventName: ['REMOVE'] }, { eventName: ['INSERT'] }];
    expect(matchesAny(patterns, { eventName: 'INSERT' })).toBe(true);
    expect(matchesAny(patterns, { eventName: 'MODIFY' })).toBe(false);
  });
});
