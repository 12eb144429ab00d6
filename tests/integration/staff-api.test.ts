import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffApi } from '../../shared/staff/api.ts';
import { findBrokenLink } from '../../shared/workflow/audit.ts';
import {
  act as actAs,
  asAnotherMessage,
  documentClient,
  env,
  fixture,
  records,
  sentMail,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';

/** The staff API over the local HTTP API stand-in, with real tokens and real storage. */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
let requestId = '';

const meeting = {
  start: '2027-02-24T14:00:00Z',
  end: '2027-02-24T15:20:00Z',
  location: 'Central Edinburgh',
  attendees: [
    {
      name: 'Helen Marsh',
      role: 'VP Public Affairs',
      organisation: 'LumenCam Ltd',
      email: 'vp.publicaffairs@lumencam.example',
      host: true,
    },
    { name: 'Raj Patel', role: 'Head of Policy', organisation: 'LumenCam Ltd' },
    {
      name: 'Sophie Grant',
      role: 'Account Director',
      organisation: 'Northlight Communications',
      email: 'sophie@northlight.example',
    },
    { name: 'Tom Reid', role: 'Consultant', organisation: 'Northlight Communications' },
    {
      name: 'The Commissioner',
      role: 'Commissioner',
      organisation: 'The Commissioner’s Office',
      invitedGuest: true,
    },
  ],
};

const act = (as: string, action: string, fields: Record<string, unknown> = {}) =>
  actAs(api, as, requestId, action, fields);

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  await postroom.deliver(fixture('01-letter-pdf.eml'), 'vp.publicaffairs@lumencam.example');
  requestId = (await records.requestsInStage('received'))[0]?.id ?? '';
});
afterAll(async () => {
  await postroom.close();
});

describe('reading', () => {
  it('lists requests by stage with the summary fields', async () => {
    const { status, body } = await api(staff.caseworker, 'GET', '/api/requests?stage=received');
    expect(status).toBe(200);
    expect(body.items).toEqual([
      expect.objectContaining({
        id: requestId,
        reference: expect.stringMatching(/^REQ-\d{4}-0001$/),
        stage: 'received',
        version: 1,
        subject: 'Request for a meeting with the Commissioner',
        organisation: 'LumenCam Ltd',
        dueAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        assignee: null,
      }),
    ]);
    expect(body.nextToken).toBeNull();
  });

  it('shows one request with its messages, events, download links and allowed actions', async () => {
    const { status, body } = await api(staff.caseworker, 'GET', `/api/requests/${requestId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: requestId, stage: 'received', version: 1 });
    expect(body.allowedActions).toEqual([
      'accept',
      'decline',
      'withdraw',
      'close',
      'extend_deadline',
      'assign',
      'comment',
      'reply',
      'resend_notification',
    ]);
    expect(body.events).toHaveLength(1);
    const inbound = body.messages.find(
      (message: { direction: string }) => message.direction === 'inbound',
    );
    const [attachment] = inbound.documents.attachments;
    const download = await fetch(attachment.url);
    expect(download.status).toBe(200);
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it("serves a received message's text and sanitised HTML from the API", async () => {
    const { body: detail } = await api(staff.caseworker, 'GET', `/api/requests/${requestId}`);
    const inbound = detail.messages.find(
      (message: { direction: string }) => message.direction === 'inbound',
    );
    const path = `/api/requests/${requestId}/messages/${encodeURIComponent(inbound.key)}`;
    const { status, body } = await api(staff.caseworker, 'GET', path);
    expect(status).toBe(200);
    expect(body.key).toBe(inbound.key);
    expect(body.text).toContain('LumenCam');
    expect(body.html === null || !/<script/i.test(body.html)).toBe(true);
    expect((await api(undefined, 'GET', path)).status).toBe(401);
    const missing = await api(
      staff.caseworker,
      'GET',
      `/api/requests/${requestId}/messages/m${'0'.repeat(16)}`,
    );
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(missing.body.error.message).toContain(`message m${'0'.repeat(16)}`);
  });

  it('answers a health check without a token', async () => {
    expect(await api(undefined, 'GET', '/api/health')).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
  });

  it('publishes, without a token, a valid OpenAPI 3.1 document of every declared route', async () => {
    const { status, body } = await api(undefined, 'GET', '/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const [name, route] of Object.entries(staffApi)) {
      const documented = body.paths[route.path]?.[route.method.toLowerCase()];
      expect(documented?.operationId, name).toBe(name);
      // 200, or 201 where the route creates something.
      const success = String('status' in route ? route.status : 200);
      expect(documented.responses[success].content['application/json'].schema, name).toBeTruthy();
      if ('body' in route)
        expect(documented.requestBody.content['application/json'].schema, name).toBeTruthy();
    }
    const act = body.paths['/api/requests/{id}/actions'].post;
    expect(JSON.stringify(act.requestBody)).toContain('attendees');
    expect(JSON.stringify(act.responses['200'])).toContain('reference');
  });

  it('answers with views: no storage attribute reaches a client', async () => {
    const storage = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'searchText', 'type', 'lastHash']);
    const keysIn = (value: unknown): string[] =>
      Array.isArray(value)
        ? value.flatMap(keysIn)
        : value && typeof value === 'object'
          ? Object.entries(value).flatMap(([key, inner]) => [
              key,
              ...(key === 'details' ? [] : keysIn(inner)),
            ])
          : [];
    for (const path of [
      '/api/requests',
      `/api/requests/${requestId}`,
      `/api/requests/${requestId}/note`,
      `/api/requests/${requestId}/note/versions`,
      `/api/requests/${requestId}/redactions`,
      '/api/held-mail',
    ]) {
      const { status, body } = await api(staff.caseworker, 'GET', path);
      expect(status, path).toBe(200);
      expect(
        keysIn(body).filter((key) => storage.has(key)),
        path,
      ).toEqual([]);
    }
  });

  it('serves every declared route: none answers that it has no such route', async () => {
    for (const [name, route] of Object.entries(staffApi)) {
      const path = route.path
        .replace('{id}', route.path.startsWith('/api/held-mail') ? 'f'.repeat(20) : requestId)
        .replace('{key}', `m${'0'.repeat(16)}`)
        .replace('{notification}', '0'.repeat(12));
      const answer = await api(staff.admin, route.method, path, 'body' in route ? {} : undefined);
      expect(answer.status, name).not.toBe(405);
      expect(JSON.stringify(answer.body), name).not.toMatch(/no route for/);
    }
  });
});

describe('errors', () => {
  it('401 without a token, 404 for an unknown request', async () => {
    expect((await api(undefined, 'GET', '/api/requests')).status).toBe(401);
    const missing = await api(staff.caseworker, 'GET', `/api/requests/${'0'.repeat(20)}`);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('400 naming path.id and the accepted shape for an id that cannot be one, however long', async () => {
    for (const bad of ['nope', 'a'.repeat(5000), 'REQ-2026-0001', `${requestId}x`]) {
      for (const path of [
        `/api/requests/${bad}`,
        `/api/requests/${bad}/note`,
        `/api/requests/${bad}/note/versions`,
        `/api/requests/${bad}/redactions`,
      ]) {
        const answer = await api(staff.caseworker, 'GET', path);
        expect(answer, path.slice(0, 80)).toMatchObject({
          status: 400,
          body: { error: { code: 'bad_request', fields: [{ path: 'path.id' }] } },
        });
        expect(answer.body.error.fields[0].message).toMatch(/20 lower-case hexadecimal/);
      }
    }
    const longAction = await api(
      staff.caseworker,
      'POST',
      `/api/requests/${'f'.repeat(5000)}/actions`,
      {
        action: 'accept',
        expectedVersion: 1,
      },
    );
    expect(longAction.status).toBe(400);
    const message = await api(
      staff.caseworker,
      'GET',
      `/api/requests/${requestId}/messages/${'m'.repeat(3000)}`,
    );
    expect(message).toMatchObject({
      status: 400,
      body: { error: { fields: [{ path: 'path.key' }] } },
    });
    const held = await api(staff.caseworker, 'POST', `/api/held-mail/${'h'.repeat(5000)}/actions`, {
      action: 'discard',
      reason: 'x',
    });
    expect(held).toMatchObject({ status: 400, body: { error: { fields: [{ path: 'path.id' }] } } });
  });

  it('400, not 500, for action names found on every object: toString, constructor, __proto__', async () => {
    for (const action of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const answer = await api(
        staff.caseworker,
        'POST',
        `/api/requests/${requestId}/actions`,
        `{"action":${JSON.stringify(action)},"expectedVersion":1}`,
      );
      expect(answer, action).toMatchObject({
        status: 400,
        body: { error: { code: 'bad_request', fields: [{ path: 'action' }] } },
      });
    }
    // A body whose own key is __proto__ is data, not a prototype.
    const proto = await api(
      staff.caseworker,
      'POST',
      `/api/requests/${requestId}/actions`,
      '{"__proto__":{"action":"accept"},"expectedVersion":1}',
    );
    expect(proto.status).toBe(400);
    expect((await records.request(requestId))?.stage).toBe('received');
  });

  it('400, not 500, for a list token that was tampered with', async () => {
    const forged = (cursor: unknown) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
    for (const token of [
      'not-a-token',
      forged({ stage: 0, key: { PK: 'x' } }),
      forged({
        stage: 0,
        key: { PK: 'x', SK: 'y', GSI1PK: 'STAGE#received', GSI1SK: 'z'.repeat(1500) },
      }),
      forged({ stage: 0, key: { PK: 'x', SK: 'y', GSI1PK: 'STAGE#approved', GSI1SK: 'z' } }),
      forged({ stage: -1 }),
    ]) {
      const list = await api(staff.caseworker, 'GET', `/api/requests?nextToken=${token}`);
      expect(list, token).toMatchObject({
        status: 400,
        body: { error: { fields: [{ path: 'query.nextToken' }] } },
      });
      const held = await api(staff.caseworker, 'GET', `/api/held-mail?nextToken=${token}`);
      expect(held.status, token).toBe(400);
    }
    // Keys DynamoDB itself refuses: an empty value, or one outside the query's range.
    const empty = { GSI1SK: '', PK: '', SK: '' };
    for (const [path, token] of [
      ['/api/requests', forged({ stage: 0, key: { ...empty, GSI1PK: 'STAGE#received' } })],
      ['/api/held-mail', forged({ stage: 0, key: { ...empty, GSI1PK: 'HELD' } })],
      ['/api/disposals', forged({ stage: 0, key: { ...empty, GSI1PK: 'DISPOSALS' } })],
      [
        '/api/requests?overdue=true',
        forged({
          stage: 0,
          key: { GSI1PK: 'STAGE#received', GSI1SK: 'zzzz', PK: 'REQ#x', SK: 'META' },
        }),
      ],
    ] as const) {
      const separator = path.includes('?') ? '&' : '?';
      const answer = await api(staff.admin, 'GET', `${path}${separator}nextToken=${token}`);
      expect(answer.status, `${path} ${token}`).toBe(400);
    }
  });

  it('400 with field paths for a malformed body', async () => {
    const broken = await api(
      staff.caseworker,
      'POST',
      `/api/requests/${requestId}/actions`,
      '{"action":',
    );
    expect(broken).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    const invalid = await api(staff.caseworker, 'POST', `/api/requests/${requestId}/actions`, {
      action: 'decline',
      expectedVersion: 1,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.fields).toEqual([{ path: 'reason', message: expect.any(String) }]);
    const unknown = await api(staff.caseworker, 'POST', `/api/requests/${requestId}/actions`, {
      action: 'teleport',
      expectedVersion: 1,
    });
    expect(unknown.body.error.fields[0].path).toBe('action');
  });

  it('422 naming the allowed actions for one not allowed from the stage', async () => {
    const refused = await api(staff.caseworker, 'POST', `/api/requests/${requestId}/actions`, {
      action: 'record_held',
      expectedVersion: 1,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.allowed).toEqual([
      'accept',
      'decline',
      'withdraw',
      'close',
      'extend_deadline',
      'assign',
      'comment',
      'reply',
      'resend_notification',
    ]);
    expect(refused.body.error.message).toMatch(/allowed: accept, decline/);
  });

  it('409 with the current version for a stale expectedVersion', async () => {
    const stale = await api(staff.caseworker, 'POST', `/api/requests/${requestId}/actions`, {
      action: 'accept',
      expectedVersion: 0,
    });
    expect(stale).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict', currentVersion: 1 } },
    });
  });
});

describe('two people acting at once', () => {
  it('lets exactly one of two concurrent actions win', async () => {
    const body = { expectedVersion: 1 };
    const results = await Promise.all([
      api(staff.caseworker, 'POST', `/api/requests/${requestId}/actions`, {
        ...body,
        action: 'comment',
        text: 'first',
      }),
      api(staff.otherCaseworker, 'POST', `/api/requests/${requestId}/actions`, {
        ...body,
        action: 'assign',
        assignee: staff.caseworker,
      }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
    const request = await records.request(requestId);
    expect(request?.version).toBe(2);
    expect(findBrokenLink(await records.events(requestId))).toBeUndefined();
  });
});

describe('the whole workflow', () => {
  it('walks a request from received to approved, with separation of duties', async () => {
    await postroom.settle();
    await sentMail.clear();
    expect((await act(staff.caseworker, 'assign', { assignee: staff.caseworker })).status).toBe(
      200,
    );
    expect((await act(staff.caseworker, 'accept')).body.stage).toBe('accepted');
    expect((await act(staff.approver, 'schedule', meeting)).status).toBe(403);
    expect((await act(staff.caseworker, 'schedule', meeting)).body.stage).toBe('scheduled');
    const moved = await act(staff.caseworker, 'reschedule', {
      ...meeting,
      location: 'Waverley Gate, Edinburgh',
    });
    expect(moved.body.request.meeting).toMatchObject({
      sequence: 1,
      location: 'Waverley Gate, Edinburgh',
    });
    expect((await act(staff.caseworker, 'record_held')).body).toMatchObject({
      stage: 'held',
      dueAt: expect.any(String),
    });
    expect(
      (await act(staff.caseworker, 'save_draft', { body: '## In attendance\n' })).body.stage,
    ).toBe('drafting');
    expect((await act(staff.caseworker, 'submit_note')).body.stage).toBe('in_review');
    expect((await act(staff.caseworker, 'approve')).status).toBe(403);
    const changes = await act(staff.approver, 'request_changes', { comment: 'Add the footnotes.' });
    expect(changes.body.stage).toBe('drafting');
    expect((await act(staff.caseworker, 'submit_note')).body.stage).toBe('in_review');
    // An admin who edited the note may not approve it either.
    expect(
      (await act(staff.admin, 'request_changes', { comment: 'One more thing.' })).body.stage,
    ).toBe('drafting');
    expect(
      (await act(staff.admin, 'save_draft', { body: '## In attendance\nEdited.' })).status,
    ).toBe(200);
    expect((await act(staff.caseworker, 'submit_note')).status).toBe(200);
    const selfApproval = await act(staff.admin, 'approve');
    expect(selfApproval).toMatchObject({
      status: 403,
      body: { error: { message: expect.stringMatching(/separation of duties/) } },
    });
    expect((await act(staff.approver, 'approve')).body.stage).toBe('approved');

    const events = await records.events(requestId);
    expect(findBrokenLink(events)).toBeUndefined();
    expect(events.map((event) => event.action)).toContain('approve');
    expect(
      (await api(staff.caseworker, 'GET', '/api/requests?stage=approved')).body.items,
    ).toHaveLength(1);
  });

  it('told the right people at each step, with calendar invitations for the meeting', async () => {
    await postroom.settle();
    const subjects = async (address: string) =>
      (await sentMail.to(address)).map((mail) => mail.subject.replace(/^\[REQ-\d{4}-\d{4}\] /, ''));
    expect(await subjects('vp.publicaffairs@lumencam.example')).toEqual([
      'Your request for a meeting has been accepted',
      'Meeting arranged',
      'Meeting rescheduled',
      'The note of our meeting will be published',
      'The note of our meeting is published',
    ]);
    expect(await subjects('sophie@northlight.example')).toEqual([
      'Meeting arranged',
      'Meeting rescheduled',
    ]);
    expect(await subjects(staff.caseworker)).toEqual([
      expect.stringMatching(/^Meeting held: the note is due by /),
      'Changes requested to the meeting note',
      'Changes requested to the meeting note',
      'Meeting note approved',
    ]);
    expect(await subjects(staff.approver)).toEqual([
      'A meeting note awaits your approval',
      'A meeting note awaits your approval',
      'A meeting note awaits your approval',
    ]);

    const invitations = (await sentMail.to('sophie@northlight.example')).map((mail) => {
      const calendar = mail.attachments.find((attachment) =>
        attachment.contentType.startsWith('text/calendar'),
      );
      // Unfold RFC 5545 continuation lines before reading properties.
      return Buffer.from(calendar?.content ?? '', 'base64')
        .toString('utf8')
        .replace(/\r\n /g, '');
    });
    for (const [sequence, ics] of invitations.entries()) {
      expect(ics).toMatch(/^METHOD:REQUEST\r$/m);
      expect(ics).toMatch(new RegExp(`^UID:${requestId}@postroom\\.office\\.example\\r$`, 'm'));
      expect(ics).toMatch(new RegExp(`^SEQUENCE:${sequence}\\r$`, 'm'));
      expect(ics).toMatch(/^DTSTART:20270224T140000Z\r$/m);
      expect(ics).toMatch(/^DTEND:20270224T152000Z\r$/m);
      expect(ics).toContain('mailto:sophie@northlight.example');
    }
    expect(invitations[1]).toContain('LOCATION:Waverley Gate\\, Edinburgh');
  });
});

describe('closing without a meeting', () => {
  it('tells the requester why when a request is declined or withdrawn', async () => {
    await postroom.deliver(fixture('09-utf8-encoded-words.eml'));
    await postroom.deliver(fixture('28-rfc2231-filename.eml'));
    const received = await records.requestsInStage('received');
    const amelie = received.find(
      (r) => r.sender.address === 'amelie.lefevre@donnees-ouvertes.example',
    );
    const claire = received.find((r) => r.sender.address === 'claire.dubois@ape-lille.example');
    expect(
      (
        await actAs(api, staff.caseworker, amelie?.id ?? '', 'decline', {
          reason: 'Outside the Commissioner’s remit.',
        })
      ).body.stage,
    ).toBe('declined');
    expect(
      (
        await actAs(api, staff.caseworker, claire?.id ?? '', 'withdraw', {
          reason: 'The school withdrew its request.',
        })
      ).body.stage,
    ).toBe('withdrawn');
    await postroom.settle();
    const [declined] = (await sentMail.to('amelie.lefevre@donnees-ouvertes.example')).filter(
      (m) => !m.subject.includes('received'),
    );
    expect(declined?.subject).toMatch(/\] Your request for a meeting$/);
    expect(declined?.body.text).toContain('Reason: Outside the Commissioner’s remit.');
    const [withdrawn] = (await sentMail.to('claire.dubois@ape-lille.example')).filter(
      (m) => !m.subject.includes('received'),
    );
    expect(withdrawn?.body.text).toContain('Reason: The school withdrew its request.');
    const closed = await api(staff.caseworker, 'GET', `/api/requests/${amelie?.id}`);
    // Declined, it can be reopened; it takes no reply, being closed.
    expect(closed.body.allowedActions).toEqual(['reopen', 'comment', 'resend_notification']);

    // Closed requests owe nobody a reply, so the overdue list leaves them out even once
    // their old reply date has passed; an open one past its date is in it.
    for (const id of [amelie?.id, claire?.id])
      await documentClient.send(
        new UpdateCommand({
          TableName: env().table,
          Key: { PK: `REQ#${id}`, SK: 'META' },
          UpdateExpression: 'SET GSI1SK = :sort',
          ExpressionAttributeValues: { ':sort': `2026-01-05#${id}` },
        }),
      );
    const overdue = await api(staff.caseworker, 'GET', '/api/requests?overdue=true');
    const overdueIds = overdue.body.items.map((item: { id: string }) => item.id);
    expect(overdueIds).not.toContain(amelie?.id);
    expect(overdueIds).not.toContain(claire?.id);
    const declinedOverdue = await api(
      staff.caseworker,
      'GET',
      '/api/requests?overdue=true&stage=declined',
    );
    expect(declinedOverdue.body.items).toEqual([]);
    const declinedAll = await api(staff.caseworker, 'GET', '/api/requests?stage=declined');
    expect(declinedAll.body.items.map((item: { id: string }) => item.id)).toEqual([amelie?.id]);
  });

  it('sends nothing again when the stream replays a workflow event', async () => {
    const events = await records.events(requestId);
    const scheduled = events.find((event) => event.action === 'schedule');
    const before = (await sentMail.all()).length;
    const { handler: notify } = await import('../../functions/notify.ts');
    const { marshall } = await import('@aws-sdk/util-dynamodb');
    const { lambdaContext } = await import('../../infra/local/lambda-context.ts');
    const replay = {
      Records: [
        {
          eventName: 'INSERT' as const,
          dynamodb: {
            SequenceNumber: '9',
            NewImage: marshall(scheduled, { removeUndefinedValues: true }) as never,
          },
        },
      ],
    };
    expect((await notify(replay, lambdaContext('notify', 60))).batchItemFailures).toEqual([]);
    expect((await sentMail.all()).length).toBe(before);
  });
});

describe('paging and search', () => {
  it('pages through requests with an opaque nextToken, each once', async () => {
    for (let letter = 0; letter < 6; letter += 1)
      await postroom.deliver(asAnotherMessage(fixture('02-docx-charity.eml'), letter));
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/requests?stage=received&limit=4${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`;
      const { status, body } = await api(staff.caseworker, 'GET', query);
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(4);
      seen.push(...body.items.map((item: { id: string }) => item.id));
      token = body.nextToken;
      pages += 1;
    } while (token && pages < 10);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(6);
    const stored = (await records.requestsInStage('received')).map((request) => request.id);
    expect([...seen].sort()).toEqual(stored.sort());
    const bad = await api(staff.caseworker, 'GET', '/api/requests?limit=500');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((field: { path: string }) => field.path)).toContain(
      'query.limit',
    );
    const forged = await api(staff.caseworker, 'GET', '/api/requests?nextToken=garbage');
    expect(forged.status).toBe(400);
  });

  it('finds requests by text and by assignee', async () => {
    const found = await api(staff.caseworker, 'GET', '/api/requests?q=riverside');
    expect(found.body.items).toHaveLength(6);
    const mine = await api(staff.caseworker, 'GET', `/api/requests?assignee=${staff.caseworker}`);
    expect(mine.body.items.map((item: { id: string }) => item.id)).toEqual([requestId]);
  });
});
