import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  canonicalJson,
  findBrokenLink,
  GENESIS_HASH,
  headOf,
  sealEvent,
  sealHeldMailEvent,
  UNANCHORED,
  type UnsealedEvent,
  verifyChain,
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

describe('verifyChain', () => {
  const headOfChain = (events: readonly AuditEvent[]) => ({
    count: events.length,
    hash: events.at(-1)?.hash ?? GENESIS_HASH,
  });

  it('accepts a chain that ends where its record says, and reports that end', () => {
    const events = chain(4);
    expect(verifyChain(events, headOfChain(events))).toEqual({
      intact: true,
      count: 4,
      head: events[3]?.hash,
    });
  });

  it('accepts an empty chain whose record says it is empty', () => {
    expect(verifyChain([], { count: 0, hash: GENESIS_HASH })).toEqual({
      intact: true,
      count: 0,
      head: GENESIS_HASH,
    });
  });

  it('finds a middle event whose contents were changed', () => {
    const events = chain(5);
    const tampered = events.map((event) =>
      event.seq === 3 ? { ...event, details: { text: 'rewritten' } } : event,
    );
    expect(verifyChain(tampered, headOfChain(events))).toMatchObject({
      intact: false,
      brokenAt: 3,
      reason: expect.stringContaining('altered'),
    });
  });

  it('finds a middle event that was removed', () => {
    const events = chain(5);
    expect(
      verifyChain(
        events.filter((event) => event.seq !== 3),
        headOfChain(events),
      ),
    ).toMatchObject({ intact: false, brokenAt: 3, reason: expect.stringContaining('missing') });
  });

  it('finds newest events that were removed, which the links alone cannot show', () => {
    const events = chain(5);
    const truncated = events.slice(0, 3);
    expect(findBrokenLink(truncated)).toBeUndefined();
    expect(verifyChain(truncated, headOfChain(events))).toEqual({
      intact: false,
      count: 3,
      head: events[2]?.hash,
      brokenAt: 4,
      reason:
        "the newest events were removed: the record's head says 5 events, but only 3 are stored",
    });
  });

  it('finds events stored out of order, even when each is intact', () => {
    const [first, second, third, fourth] = chain(4);
    if (!first || !second || !third || !fourth) throw new Error('chain too short');
    const events = [first, second, third, fourth];
    expect(verifyChain([first, third, second, fourth], headOfChain(events))).toMatchObject({
      intact: false,
      brokenAt: 2,
      reason: expect.stringContaining('out of order'),
    });
  });

  it('finds events whose seqs were swapped to hide a reordering', () => {
    const [first, second, third] = chain(3);
    if (!first || !second || !third) throw new Error('chain too short');
    const swapped = [first, { ...third, seq: 2 }, { ...second, seq: 3 }];
    expect(verifyChain(swapped, headOfChain([first, second, third]))).toMatchObject({
      intact: false,
      brokenAt: 2,
    });
  });

  it('finds an event appended past the head without the record', () => {
    const events = chain(4);
    expect(verifyChain(events, headOfChain(events.slice(0, 3)))).toMatchObject({
      intact: false,
      brokenAt: 4,
      reason: expect.stringContaining('past the record'),
    });
  });

  it('finds a newest event replaced by another, well sealed, one', () => {
    const events = chain(3);
    const [first, second] = events;
    if (!first || !second) throw new Error('chain too short');
    const replaced = sealEvent({ ...unsealed(3), details: { text: 'other' } }, second.hash);
    expect(verifyChain([first, second, replaced], headOfChain(events))).toMatchObject({
      intact: false,
      brokenAt: 3,
      reason: expect.stringContaining('head'),
    });
  });

  it('verifies a record with no head by its links alone, and says it is unanchored', () => {
    const events = chain(3);
    expect(verifyChain(events.slice(0, 2), undefined)).toEqual({
      intact: true,
      count: 2,
      head: events[1]?.hash,
      reason: UNANCHORED,
    });
    expect(
      verifyChain(
        events.map((event) => (event.seq === 2 ? { ...event, actor: 'x' } : event)),
        undefined,
      ),
    ).toMatchObject({ intact: false, brokenAt: 2 });
  });

  it('reads a head only where a record holds both its parts', () => {
    expect(headOf({ eventSeq: 3, lastHash: 'abc' })).toEqual({ count: 3, hash: 'abc' });
    expect(headOf({ eventSeq: 3 })).toBeUndefined();
    expect(headOf({})).toBeUndefined();
  });
});

describe('held mail events', () => {
  const held = (seq: number, details: Record<string, unknown> = {}) => ({
    heldId: 'held-1',
    seq,
    action: seq === 1 ? 'hold' : 'discard',
    actor: seq === 1 ? 'system:intake' : 'cara@office.example',
    at: `2026-02-0${seq}T10:00:00.000Z`,
    from: seq === 1 ? null : 'held',
    to: seq === 1 ? 'held' : 'discarded',
    details,
  });

  it('chain and verify as request events do, hashed with the held id', () => {
    const first = sealHeldMailEvent(held(1), GENESIS_HASH);
    const second = sealHeldMailEvent(held(2, { detail: 'spam' }), first.hash);
    expect(verifyChain([first, second], { count: 2, hash: second.hash })).toMatchObject({
      intact: true,
    });
    expect(sealHeldMailEvent({ ...held(1), heldId: 'held-2' }, GENESIS_HASH).hash).not.toBe(
      first.hash,
    );
    expect(
      verifyChain([first, { ...second, details: { detail: 'kept' } }], {
        count: 2,
        hash: second.hash,
      }),
    ).toMatchObject({ intact: false, brokenAt: 2 });
  });
});
