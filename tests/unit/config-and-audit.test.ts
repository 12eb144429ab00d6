import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../shared/config.ts';
import {
  canonicalJson,
  findBrokenLink,
  GENESIS_HASH,
  sealEvent,
} from '../../shared/workflow/audit.ts';
import { formatReference, referenceInSubject } from '../../shared/workflow/reference.ts';

describe('configuration', () => {
  it('parses and defaults what a function asks for', () => {
    const config = readConfig(['TABLE_NAME', 'REPLY_WORKING_DAYS', 'MAX_MESSAGE_BYTES'], {
      TABLE_NAME: 'postroom',
      REPLY_WORKING_DAYS: '15',
    });
    expect(config).toEqual({
      TABLE_NAME: 'postroom',
      REPLY_WORKING_DAYS: 15,
      MAX_MESSAGE_BYTES: 40 * 1024 * 1024,
    });
  });

  it('names every missing or bad variable in one error', () => {
    const attempt = () =>
      readConfig(['TABLE_NAME', 'OFFICE_ADDRESS', 'REPLY_WORKING_DAYS'], {
        OFFICE_ADDRESS: 'not-an-address',
        REPLY_WORKING_DAYS: 'ten',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/TABLE_NAME: .*\(it is not set\) - the DynamoDB table/);
    expect(attempt).toThrow(/OFFICE_ADDRESS: .*\(got "not-an-address"\)/);
    expect(attempt).toThrow(/REPLY_WORKING_DAYS: .*\(got "ten"\)/);
  });
});

describe('references', () => {
  it('pads the yearly number and finds it in a subject', () => {
    expect(formatReference(2026, 7)).toBe('REQ-2026-0007');
    expect(formatReference(2026, 12345)).toBe('REQ-2026-12345');
    expect(referenceInSubject('Re: [req-2026-0007] Our meeting')).toBe('REQ-2026-0007');
    expect(referenceInSubject('About REQ-2026-0007 without brackets')).toBeUndefined();
    expect(referenceInSubject(undefined)).toBeUndefined();
  });
});

describe('the audit hash chain', () => {
  const event = (seq: number, details: Record<string, unknown>) => ({
    requestId: 'r1',
    seq,
    action: seq === 1 ? 'receive' : 'message_received',
    actor: 'system:intake',
    at: `2026-11-28T10:0${seq}:00.000Z`,
    from: seq === 1 ? null : 'received',
    to: 'received',
    details,
  });
  const first = sealEvent(event(1, { b: 1, a: 2 }), GENESIS_HASH);
  const second = sealEvent(event(2, { sender: 'a@org.example' }), first.hash);
  const third = sealEvent(event(3, { sender: 'b@org.example' }), second.hash);

  it('hashes the same event the same way whatever its key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(sealEvent({ ...event(1, { a: 2, b: 1 }) }, GENESIS_HASH).hash).toBe(first.hash);
  });

  it('accepts an intact chain, even with storage attributes beside the events', () => {
    expect(findBrokenLink([third, first, second])).toBeUndefined();
    expect(
      findBrokenLink([{ ...first, PK: 'REQ#r1', SK: 'EVT#000001' } as typeof first]),
    ).toBeUndefined();
  });

  it('finds an edited, a removed and a re-pointed event', () => {
    expect(
      findBrokenLink([first, { ...second, details: { sender: 'x@evil.example' } }, third]),
    ).toBe(2);
    expect(findBrokenLink([first, third])).toBe(3);
    expect(findBrokenLink([first, { ...second, prevHash: GENESIS_HASH }, third])).toBe(2);
  });
});
