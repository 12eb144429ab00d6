import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  canonicalJson,
  findBrokenLink,
  GENESIS_HASH,
  sealEvent,
  type UnsealedEvent,
} from '../../shared/workflow/audit.ts';

describe('canonicalJson', () => {
  it('sorts object keys', () => {
    expect(canonicalJson({ b: 1, a: 2, c: 3 })).toBe('{"a":2,"b":1,"c":3}');
  });

  it('sorts keys at every depth, including objects inside arrays', () => {
    expect(canonicalJson({ z: { y: 1, x: [{ b: 1, a: 2 }] }, a: null })).toBe(
      '{"a":null,"z":{"x":[{"a":2,"b":1}],"y":1}}',
    );
  });

  it('gives the same text whatever order the keys were inserted in', () => {
    const one = { requestId: 'r1', details: { sender: 's', subject: 't' }, seq: 1 };
    const two = { seq: 1, details: { subject: 't', sender: 's' }, requestId: 'r1' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('leaves out undefined fields, so an absent and an undefined field hash alike', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('writes scalars as JSON and undefined as null', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(3)).toBe('3');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(undefined)).toBe('null');
  });
});

function unsealed(seq: number, details: Record<string, unknown> = {}): UnsealedEvent {
  return {
    requestId: 'req-1',
    seq,
    action: seq === 1 ? 'receive' : 'comment',
    actor: seq === 1 ? 'system:intake' : 'cara@office.example',
    at: `2026-02-0${seq}T10:00:00.000Z`,
    from: seq === 1 ? null : 'received',
    to: 'received',
    details,
  };
}

function chain(length: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const event = sealEvent(unsealed(seq, { text: `note ${seq}` }), prevHash);
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}

describe('sealEvent', () => {
  it('records the previous hash and a sha-256 hex hash', () => {
    const event = sealEvent(unsealed(1), GENESIS_HASH);
    expect(event.prevHash).toBe(GENESIS_HASH);
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(event.hash).not.toBe(GENESIS_HASH);
  });

  it('is deterministic for the same event and previous hash', () => {
    expect(sealEvent(unsealed(1), GENESIS_HASH).hash).toBe(
      sealEvent(unsealed(1), GENESIS_HASH).hash,
    );
  });

  it('depends on the previous hash', () => {
    const first = sealEvent(unsealed(1), GENESIS_HASH);
    expect(sealEvent(unsealed(2), first.hash).hash).not.toBe(
      sealEvent(unsealed(2), GENESIS_HASH).hash,
    );
  });

  it('does not depend on the key order of details', () => {
    const a = sealEvent(unsealed(1, { x: 1, y: 2 }), GENESIS_HASH);
    const b = sealEvent(unsealed(1, { y: 2, x: 1 }), GENESIS_HASH);
    expect(a.hash).toBe(b.hash);
  });

  it('chains each event to the hash of the one before', () => {
    const [first, second, third] = chain(3);
    expect(second?.prevHash).toBe(first?.hash);
    expect(third?.prevHash).toBe(second?.hash);
  });

  it('ignores storage attributes that are not audit fields', () => {
    const plain = sealEvent(unsealed(1), GENESIS_HASH);
    const stored = { ...plain, pk: 'REQ#req-1', sk: 'EVENT#0001' } as AuditEvent;
    expect(findBrokenLink([stored])).toBeUndefined();
  });
});

describe('findBrokenLink', () => {
  it('returns undefined for an intact chain', () => {
    expect(findBrokenLink(chain(4))).toBeUndefined();
  });

  it('returns undefined for an empty chain', () => {
    expect(findBrokenLink([])).toBeUndefined();
  });

  it('checks events in seq order whatever order they are given in', () => {
    expect(findBrokenLink([...chain(4)].reverse())).toBeUndefined();
  });

  it('finds an event whose details were tampered with', () => {
    const events = chain(4);
    const tampered = events.map((event) =>
      event.seq === 3 ? { ...event, details: { text: 'rewritten' } } : event,
    );
    expect(findBrokenLink(tampered)).toBe(3);
  });

  it('finds an event whose actor was changed', () => {
    const events = chain(3).map((event) =>
      event.seq === 2 ? { ...event, actor: 'someone-else@office.example' } : event,
    );
    expect(findBrokenLink(events)).toBe(2);
  });

  it('finds the event after one that was removed', () => {
    const events = chain(4).filter((event) => event.seq !== 2);
    expect(findBrokenLink(events)).toBe(3);
  });

  it('finds a removed first event', () => {
    expect(findBrokenLink(chain(3).slice(1))).toBe(2);
  });

  it('finds events whose prevHash values were swapped', () => {
    const events = chain(4);
    const [, second, third] = events;
    if (!second || !third) throw new Error('chain too short');
    const reordered = events.map((event) =>
      event.seq === 2
        ? { ...event, prevHash: third.prevHash }
        : event.seq === 3
          ? { ...event, prevHash: second.prevHash }
          : event,
    );
    expect(findBrokenLink(reordered)).toBe(2);
  });

  it('finds an event rehashed on its own without the events after it', () => {
    const events = chain(3);
    const [first] = events;
    if (!first) throw new Error('chain too short');
    const forged = sealEvent({ ...unsealed(2), details: { text: 'forged' } }, first.hash);
    expect(findBrokenLink([first, forged, ...events.slice(2)])).toBe(3);
  });
});
