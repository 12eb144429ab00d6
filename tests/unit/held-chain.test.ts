import { describe, expect, it } from 'vitest';
import { heldResolution, holdMail } from '../../shared/intake/held-chain.ts';
import { GENESIS_HASH, verifyChain } from '../../shared/workflow/audit.ts';
import type { HeldMailRecord } from '../../shared/workflow/records.ts';

const record: HeldMailRecord = {
  id: 'aaaaaaaaaaaaaaaaaaaa',
  reason: 'no_sender',
  detail: 'no usable From address',
  receivedAt: '2026-03-02T09:00:00.000Z',
  raw: { bucket: 'inbound', key: 'inbound/1' },
};

describe('held mail’s chain', () => {
  it('starts with the hold, dated when the mail came, and puts its head on the held item', () => {
    const { held, event } = holdMail(record);
    expect(event).toMatchObject({
      heldId: record.id,
      seq: 1,
      action: 'hold',
      actor: 'system:intake',
      at: record.receivedAt,
      to: 'held',
      prevHash: GENESIS_HASH,
      details: { reason: 'no_sender' },
    });
    expect(held).toMatchObject({ eventSeq: 1, lastHash: event.hash });
    // A redelivery builds the very same records.
    expect(holdMail(record)).toEqual({ held, event });
  });

  it('continues with the decision, naming the request the mail joined', () => {
    const { held, event: hold } = holdMail(record);
    const resolution = heldResolution(held, {
      status: 'attached',
      by: 'cara.caseworker@office.example',
      detail: 'attached to bbbbbbbbbbbbbbbbbbbb',
      at: '2026-03-03T10:00:00.000Z',
      requestId: 'bbbbbbbbbbbbbbbbbbbb',
    });
    expect(resolution).toMatchObject({
      heldId: record.id,
      status: 'attached',
      event: {
        seq: 2,
        action: 'attach',
        actor: 'cara.caseworker@office.example',
        from: 'held',
        to: 'attached',
        prevHash: hold.hash,
        details: { requestId: 'bbbbbbbbbbbbbbbbbbbb' },
      },
    });
    expect(
      verifyChain([hold, resolution.event], { count: 2, hash: resolution.event.hash }).intact,
    ).toBe(true);
  });

  it('starts with the decision for mail held before held mail had chains', () => {
    const resolution = heldResolution(record, {
      status: 'discarded',
      by: 'cara.caseworker@office.example',
      detail: 'a newsletter',
      at: '2026-03-03T10:00:00.000Z',
    });
    expect(resolution.event).toMatchObject({
      seq: 1,
      action: 'discard',
      prevHash: GENESIS_HASH,
      details: { detail: 'a newsletter' },
    });
  });
});
