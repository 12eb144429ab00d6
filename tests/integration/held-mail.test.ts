import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBrokenLink, headOf, verifyChain } from '../../shared/workflow/audit.ts';
import {
  documentKeys,
  fixture,
  records,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/** Staff take mail out of held mail through the API; nothing is ever deleted. */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
const heldFor = async (reason: string) =>
  (await api(staff.caseworker, 'GET', '/api/held-mail')).body.items.find(
    (item: { reason: string }) => item.reason === reason,
  );

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  await postroom.deliver(fixture('01-letter-pdf.eml'), 'vp.publicaffairs@lumencam.example');
  for (const name of [
    '18-missing-from.eml',
    '12-out-of-office.eml',
    '14-dsn-bounce.eml',
    '15-virus-fail.eml',
  ]) {
    await postroom.deliver(fixture(name));
  }
});
afterAll(async () => {
  await postroom.close();
});

describe('held mail', () => {
  it('lists what was held and why', async () => {
    const { status, body } = await api(staff.caseworker, 'GET', '/api/held-mail');
    expect(status).toBe(200);
    expect(body.items.map((item: { reason: string }) => item.reason).sort()).toEqual([
      'auto_reply_to_nothing',
      'no_sender',
      'unmatched_bounce',
      'virus',
    ]);
  });

  it('opens a new request from mail with no sender once staff supply one', async () => {
    const held = await heldFor('no_sender');
    const refused = await api(staff.caseworker, 'POST', `/api/held-mail/${held.id}/actions`, {
      action: 'open',
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { fields: [{ path: 'sender' }] } },
    });
    const opened = await api(staff.caseworker, 'POST', `/api/held-mail/${held.id}/actions`, {
      action: 'open',
      sender: 'residents@streetwatch.example',
    });
    expect(opened).toMatchObject({
      status: 200,
      body: { status: 'opened', reference: expect.stringMatching(/-0002$/) },
    });
    const request = await records.request(opened.body.requestId);
    expect(request).toMatchObject({
      stage: 'received',
      sender: { address: 'residents@streetwatch.example' },
    });
    const [event] = await records.events(request?.id ?? '');
    expect(event).toMatchObject({ actor: staff.caseworker, details: { acknowledge: false } });
    const again = await api(staff.caseworker, 'POST', `/api/held-mail/${held.id}/actions`, {
      action: 'discard',
      reason: 'dup',
    });
    expect(again.status).toBe(409);
  });

  it('attaches an auto-reply to the request it belongs to, by reference', async () => {
    const held = await heldFor('auto_reply_to_nothing');
    const target = (await records.requestsInStage('received')).find(
      (r) => r.sender.address === 'vp.publicaffairs@lumencam.example',
    );
    const attached = await api(staff.caseworker, 'POST', `/api/held-mail/${held.id}/actions`, {
      action: 'attach',
      requestId: target?.reference,
    });
    expect(attached).toMatchObject({
      status: 200,
      body: { status: 'attached', requestId: target?.id },
    });
    const after = await records.request(target?.id ?? '');
    expect(after?.messageCount).toBe(2);
    const events = await records.events(target?.id ?? '');
    expect(events.at(-1)).toMatchObject({ action: 'message_received', actor: staff.caseworker });
    expect(findBrokenLink(events)).toBeUndefined();
  });

  it('refuses to attach to a request that cannot exist or does not, writing nothing', async () => {
    const virus = await heldFor('virus');
    for (const requestId of ['x'.repeat(5000), '../../other', 'toString', '']) {
      const refused = await api(staff.caseworker, 'POST', `/api/held-mail/${virus.id}/actions`, {
        action: 'attach',
        requestId,
      });
      expect(refused, requestId.slice(0, 20)).toMatchObject({
        status: 400,
        body: { error: { fields: [{ path: 'requestId' }] } },
      });
    }
    for (const requestId of ['0123456789abcdef0123', 'REQ-2099-9999']) {
      const missing = await api(staff.caseworker, 'POST', `/api/held-mail/${virus.id}/actions`, {
        action: 'attach',
        requestId,
      });
      expect(missing, requestId).toMatchObject({
        status: 400,
        body: {
          error: {
            fields: [{ path: 'requestId', message: expect.stringContaining('does not exist') }],
          },
        },
      });
      expect(await documentKeys(`requests/${requestId}/`)).toEqual([]);
    }
    expect(await records.held(virus.id)).not.toHaveProperty('status');
  });

  it('attaches infected mail without parsing it, and discards with a reason kept', async () => {
    const virus = await heldFor('virus');
    const target = (await records.requestsInStage('received'))[0];
    const attached = await api(staff.admin, 'POST', `/api/held-mail/${virus.id}/actions`, {
      action: 'attach',
      requestId: target?.id,
    });
    expect(attached.status).toBe(200);
    const message = (await records.messages(target?.id ?? '')).find(
      (m) => m.raw?.key === virus.raw.key,
    );
    expect(message?.documents?.attachments).toEqual([]);

    const bounce = await heldFor('unmatched_bounce');
    const noReason = await api(staff.caseworker, 'POST', `/api/held-mail/${bounce.id}/actions`, {
      action: 'discard',
    });
    expect(noReason.status).toBe(400);
    const approverRefused = await api(
      staff.approver,
      'POST',
      `/api/held-mail/${bounce.id}/actions`,
      { action: 'discard', reason: 'x' },
    );
    expect(approverRefused.status).toBe(403);
    const discarded = await api(staff.caseworker, 'POST', `/api/held-mail/${bounce.id}/actions`, {
      action: 'discard',
      reason: 'Bounce for mail we never sent',
    });
    expect(discarded).toMatchObject({ status: 200, body: { status: 'discarded' } });
    expect(await records.held(bounce.id)).toMatchObject({
      status: 'discarded',
      resolution: 'Bounce for mail we never sent',
      resolvedBy: staff.caseworker,
    });
    expect((await api(staff.caseworker, 'GET', '/api/held-mail')).body.items).toEqual([]);
  });

  it('records each decision in the held mail’s own chain, after the hold', async () => {
    const resolved = await records.heldMail(true);
    const decisions: Record<string, string[]> = {};
    for (const held of resolved) {
      const events = await records.heldEvents(held.id);
      expect(verifyChain(events, headOf(held)), held.reason).toMatchObject({
        intact: true,
        count: 2,
      });
      expect(events[0]).toMatchObject({ action: 'hold', details: { reason: held.reason } });
      decisions[held.reason] = events.map((event) => `${event.action} by ${event.actor}`);
    }
    expect(decisions).toEqual({
      no_sender: ['hold by system:intake', `open by ${staff.caseworker}`],
      auto_reply_to_nothing: ['hold by system:intake', `attach by ${staff.caseworker}`],
      virus: ['hold by system:intake', `attach by ${staff.admin}`],
      unmatched_bounce: ['hold by system:intake', `discard by ${staff.caseworker}`],
    });
    const attached = resolved.find((held) => held.reason === 'auto_reply_to_nothing');
    const [, attach] = await records.heldEvents(attached?.id ?? '');
    // The request it joined records the same decision in its own chain.
    expect(await records.events(String(attach?.details.requestId))).toContainEqual(
      expect.objectContaining({ action: 'message_received', actor: staff.caseworker }),
    );
  });
});
