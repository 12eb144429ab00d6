import { describe, expect, it } from 'vitest';
import {
  applyRetention,
  type RetentionPorts,
  type RetentionState,
  retentionAfter,
} from '../../shared/retention/raw-mail.ts';

describe('retentionAfter', () => {
  it.each([
    ['received', 'declined', 'closed'],
    ['approved', 'published', 'closed'],
    ['published', 'withdrawn', 'closed'],
    ['published', 'published', 'closed'],
    ['published', 'drafting', 'open'],
    ['received', 'accepted', undefined],
    [null, 'received', undefined],
  ] as const)('%s -> %s: %s', (from, to, expected) => {
    expect(retentionAfter({ from, to })).toBe(expected);
  });
});

describe('applyRetention', () => {
  /** In-memory tags, so the rule for what gets marked is checked on its own. */
  function ports(initial: Record<string, RetentionState | undefined>, legalHold = false) {
    const tags = { ...initial };
    const marks: string[] = [];
    const fake: RetentionPorts = {
      rawMailOf: async () => ({
        objects: Object.keys(tags).map((key) => ({ bucket: 'inbound', key })),
        legalHold,
      }),
      retentionOf: async (object) => tags[object.key],
      mark: async (object, state) => {
        tags[object.key] = state;
        marks.push(`${object.key}=${state}`);
      },
    };
    return { fake, tags, marks };
  }

  it('marks only what is not yet in the wanted state', async () => {
    const { fake, marks } = ports({ a: undefined, b: 'closed', c: 'open' });
    expect(
      await applyRetention({ requestId: 'r', from: 'received', to: 'declined' }, fake),
    ).toEqual({ state: 'closed', marked: ['a', 'c'], unchanged: 1 });
    expect(marks).toEqual(['a=closed', 'c=closed']);
  });

  it('treats unmarked mail as already open when a request reopens', async () => {
    const { fake, marks } = ports({ a: undefined, b: 'closed' });
    await applyRetention({ requestId: 'r', from: 'published', to: 'drafting' }, fake);
    expect(marks).toEqual(['b=open']);
  });

  it('keeps a held request’s mail unmarked whatever the event, and takes off a mark already made', async () => {
    const { fake, marks } = ports({ a: undefined, b: 'closed' }, true);
    expect(
      await applyRetention({ requestId: 'r', from: 'declined', to: 'declined' }, fake),
    ).toEqual({ state: 'open', marked: ['b'], unchanged: 1 });
    expect(marks).toEqual(['b=open']);
    await applyRetention({ requestId: 'r', from: 'received', to: 'declined' }, fake);
    expect(marks).toEqual(['b=open']);
  });

  it('marks a closed request’s mail again once its hold is released', async () => {
    const { fake, marks } = ports({ a: 'open' }, false);
    // release_hold on a declined request: from and to are both the closed stage.
    await applyRetention({ requestId: 'r', from: 'declined', to: 'declined' }, fake);
    expect(marks).toEqual(['a=closed']);
  });

  it('does nothing for events that neither close nor reopen', async () => {
    const { fake, marks } = ports({ a: undefined });
    expect(
      await applyRetention({ requestId: 'r', from: 'received', to: 'accepted' }, fake),
    ).toBeUndefined();
    expect(marks).toEqual([]);
  });
});
