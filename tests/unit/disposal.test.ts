import { describe, expect, it } from 'vitest';
import {
  candidatesBefore,
  closedAtOf,
  type DisposalPorts,
  type DisposalRecord,
  decideDisposal,
  disposeClosedRequests,
  documentKind,
  planDisposal,
  publicationOf,
  type RequestInventory,
} from '../../shared/retention/disposal.ts';
import { type AuditEvent, GENESIS_HASH, sealEvent } from '../../shared/workflow/audit.ts';
import type { MessageRecord, RequestRecord } from '../../shared/workflow/records.ts';
import type { Stage } from '../../shared/workflow/stages.ts';

const rules = { retentionDays: 730, timeZone: 'Europe/London' };
const closedAt = '2026-03-02T10:00:00.000Z';
const due = new Date('2028-03-01T10:00:00.000Z'); // 730 days later
const id = '0123456789abcdef0123';
const prefix = `requests/${id}/`;

function request(stage: Stage, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id,
    reference: 'REQ-2026-0007',
    stage,
    version: 4,
    eventSeq: 3,
    lastHash: 'h3',
    subject: 'Request for a meeting about cameras',
    sender: { address: 'helen.marsh@lumencam.example', name: 'Helen Marsh' },
    organisation: 'LumenCam Ltd',
    receivedAt: '2026-02-01T09:00:00.000Z',
    replyBy: '2026-02-13',
    flags: [],
    messageCount: 1,
    lastMessageAt: '2026-02-01T09:00:00.000Z',
    closedAt,
    ...extra,
  };
}

/** A sealed chain of events: [action, from, to, at, details]. */
function trail(...steps: Array<[string, Stage | null, Stage, string, Record<string, unknown>?]>) {
  const events: AuditEvent[] = [];
  let prev = GENESIS_HASH;
  steps.forEach(([action, from, to, at, details = {}], index) => {
    const event = sealEvent(
      {
        requestId: id,
        seq: index + 1,
        action,
        actor: 'cara@office.example',
        at,
        from,
        to,
        details,
      },
      prev,
    );
    events.push(event);
    prev = event.hash;
  });
  return events;
}

describe('when a request closed', () => {
  it('is what the request records, when it records it', () => {
    expect(closedAtOf(request('declined'))).toBe(closedAt);
    expect(closedAtOf(request('accepted'))).toBeUndefined();
  });

  it('is read from the trail for requests closed before it was recorded: the last move into a closed stage', () => {
    const events = trail(
      ['receive', null, 'received', '2026-02-01T09:00:00Z'],
      ['approve', 'in_review', 'approved', '2026-03-01T09:00:00Z'],
      ['publish', 'approved', 'published', '2026-03-01T09:05:00Z'],
      ['correct', 'published', 'drafting', '2026-04-01T09:00:00Z'],
      ['publish', 'approved', 'published', '2026-04-02T09:00:00Z'],
      ['takedown', 'published', 'withdrawn', '2026-05-01T09:00:00Z'],
      ['comment', 'withdrawn', 'withdrawn', '2026-06-01T09:00:00Z'],
    );
    expect(closedAtOf(request('withdrawn', { closedAt: undefined }), events)).toBe(
      '2026-04-02T09:00:00Z',
    );
    expect(closedAtOf(request('withdrawn', { closedAt: undefined }), [])).toBeUndefined();
  });
});

describe('deciding a disposal', () => {
  it('disposes of a closed request once its period has passed, and not a moment before', () => {
    expect(decideDisposal(request('declined'), closedAt, due, rules)).toEqual({
      dispose: true,
      closedAt,
    });
    expect(
      decideDisposal(request('declined'), closedAt, new Date(due.getTime() - 1), rules),
    ).toEqual({ dispose: false, reason: 'within-period', due: due.toISOString() });
  });

  it('never disposes of an open request, or one on legal hold, however old', () => {
    const late = new Date('2040-01-01T00:00:00Z');
    expect(decideDisposal(request('drafting'), undefined, late, rules)).toMatchObject({
      reason: 'open',
    });
    const hold = { reason: 'Complaint', by: 'ada@office.example', since: closedAt };
    expect(
      decideDisposal(request('published', { legalHold: hold }), closedAt, late, rules),
    ).toMatchObject({ dispose: false, reason: 'legal-hold' });
  });

  it('needs the trail when the request does not say when it closed', () => {
    expect(decideDisposal(request('declined'), undefined, due, rules)).toMatchObject({
      reason: 'closing-unknown',
    });
  });

  it('finishes a disposal already under way, whatever the clock says', () => {
    const disposing = request('declined', { disposing: { since: closedAt } });
    expect(decideDisposal(disposing, undefined, new Date(0), rules)).toEqual({
      dispose: true,
      closedAt,
    });
  });

  it('looks in the stage index a day beyond the exact cut-off, on the office’s clock', () => {
    // 729 days before 2028-03-01T10:00Z is 2026-03-03 (2028 is a leap year).
    expect(candidatesBefore(due, rules)).toBe('2026-03-03');
  });
});

describe('what a disposal deletes, keeps and records', () => {
  const attachment = `${prefix}messages/m0000000000000001/attachments/01-Helen Marsh letter.pdf`;
  const documents = [
    `${prefix}messages/m0000000000000001/body.txt`,
    `${prefix}messages/m0000000000000001/body.html`,
    attachment,
    `${prefix}messages/m0000000000000001/attachments/02-photo.jpg`,
    `${prefix}note/v0001.json`,
    `${prefix}note/v0002.json`,
    `${prefix}outbound/m00000000000000aa.eml`,
  ];
  const message: MessageRecord = {
    requestId: id,
    key: 'm0000000000000001',
    direction: 'inbound',
    at: '2026-02-01T09:00:00.000Z',
    from: 'helen.marsh@lumencam.example',
    to: ['commissioner@office.example'],
    subject: 'Request for a meeting about cameras',
    raw: { bucket: 'inbound', key: 'inbound/abc' },
  };
  const events = trail(
    [
      'receive',
      null,
      'received',
      '2026-02-01T09:00:00Z',
      { sender: 'helen.marsh@lumencam.example' },
    ],
    ['approve', 'in_review', 'approved', '2026-03-01T09:00:00Z'],
    [
      'publish',
      'approved',
      'published',
      closedAt,
      { pageUrl: 'https://meetings.example/meetings/2026/req-2026-0007/', noteVersion: 2 },
    ],
  );
  const inventory = (stage: Stage, extra: Partial<RequestRecord> = {}): RequestInventory => ({
    request: request(stage, extra),
    events,
    messages: [message],
    rawMail: [message.raw ?? { bucket: '', key: '' }],
    documents,
    records: {
      notificationClaims: 5,
      failedNotifications: 1,
      threadingPointers: 3,
      filings: 1,
      heldMail: 0,
      other: 0,
    },
  });

  it('tells each document by where it lives', () => {
    expect(documents.map((key) => documentKind(id, key))).toEqual([
      'bodies',
      'bodies',
      'attachments',
      'attachments',
      'noteVersions',
      'noteVersions',
      'outboundMail',
    ]);
  });

  it('deletes every private copy of a declined request and counts each kind', () => {
    const plan = planDisposal(inventory('declined'), closedAt, due, rules, 'documents');
    expect(plan.rawMail).toEqual([message.raw]);
    expect(plan.documents).toEqual(documents);
    expect(plan.kept).toEqual([]);
    expect(plan.record).toMatchObject({
      requestId: id,
      reference: 'REQ-2026-0007',
      stage: 'declined',
      closedAt,
      disposedAt: due.toISOString(),
      by: 'system:retention',
      rule: { name: 'closed-request', periodDays: 730, countedFrom: 'closing', keeps: 'nothing' },
      disposed: {
        rawMail: 1,
        bodies: 2,
        attachments: 2,
        noteVersions: 2,
        outboundMail: 1,
        otherDocuments: 0,
        requestRecord: 1,
        auditEvents: 3,
        messages: 1,
        notificationClaims: 5,
        failedNotifications: 1,
        threadingPointers: 3,
        filings: 1,
        heldMail: 0,
        otherRecords: 0,
      },
      kept: { publishedAttachments: 0 },
      auditChainHead: { seq: 3, hash: events[2]?.hash },
    });
  });

  it('keeps a published request’s cleared attachments and accounts for the publication', () => {
    const plan = planDisposal(
      inventory('published', {
        redactions: { reinstated: [], texts: [], patterns: [], clearedAttachments: [attachment] },
      }),
      closedAt,
      due,
      rules,
      'documents',
    );
    expect(plan.kept).toEqual([attachment]);
    expect(plan.documents).not.toContain(attachment);
    // The note versions are the unredacted internal copies: private, so they go.
    expect(plan.documents.filter((key) => key.includes('/note/'))).toHaveLength(2);
    expect(plan.record).toMatchObject({
      rule: { keeps: 'publication' },
      kept: { publishedAttachments: 1 },
      disposed: { attachments: 1 },
      publication: {
        pageUrl: 'https://meetings.example/meetings/2026/req-2026-0007/',
        firstPublishedAt: closedAt,
        lastPublishedAt: closedAt,
        noteVersion: 2,
        corrections: 0,
      },
    });
  });

  it('keeps nothing of a taken-down publication but its account', () => {
    const takenDown = trail(
      [
        'publish',
        'approved',
        'published',
        closedAt,
        { pageUrl: 'https://m.example/p/', noteVersion: 1 },
      ],
      ['correct', 'published', 'drafting', '2026-04-01T00:00:00Z'],
      [
        'publish',
        'approved',
        'published',
        '2026-04-02T00:00:00Z',
        { pageUrl: 'https://m.example/p/', noteVersion: 2 },
      ],
      ['takedown', 'published', 'withdrawn', '2026-05-01T00:00:00Z', { reason: 'Error' }],
    );
    expect(publicationOf(takenDown)).toEqual({
      pageUrl: 'https://m.example/p/',
      firstPublishedAt: closedAt,
      lastPublishedAt: '2026-04-02T00:00:00Z',
      noteVersion: 2,
      corrections: 1,
      takenDownAt: '2026-05-01T00:00:00Z',
    });
    const plan = planDisposal(
      {
        ...inventory('withdrawn', {
          redactions: { reinstated: [], texts: [], patterns: [], clearedAttachments: [attachment] },
        }),
        events: takenDown,
      },
      closedAt,
      due,
      rules,
      'documents',
    );
    expect(plan.kept).toEqual([]);
    expect(plan.record.rule.keeps).toBe('nothing');
  });

  it('records no personal data: no names, addresses, subjects or object keys', () => {
    const { record } = planDisposal(inventory('published'), closedAt, due, rules, 'documents');
    const stored = JSON.stringify(record);
    for (const personal of [
      'helen',
      'marsh',
      'lumencam',
      'cameras',
      'Helen Marsh letter',
      'inbound/abc',
      prefix,
    ])
      expect(stored.toLowerCase()).not.toContain(personal.toLowerCase());
    expect(record.keysDigest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('a disposal run', () => {
  /** An in-memory office: requests with their copies, and what each port call did. */
  function office(requests: RequestRecord[], failAt?: 'deleteDocuments') {
    const stored = new Map(requests.map((one) => [one.id, { ...one }]));
    const objects = new Map(requests.map((one) => [one.id, [`requests/${one.id}/x`]]));
    const records = new Map<string, DisposalRecord>();
    const calls: string[] = [];
    let failing = failAt;
    const ports: DisposalPorts = {
      documentsBucket: 'documents',
      closedBefore: async () => [...stored.values()],
      inventory: async (requestId) => {
        const found = stored.get(requestId);
        return found
          ? {
              request: { ...found },
              events: [],
              messages: [],
              rawMail: [],
              documents: objects.get(requestId) ?? [],
              records: {
                notificationClaims: 0,
                failedNotifications: 0,
                threadingPointers: 0,
                filings: 0,
                heldMail: 0,
                other: 0,
              },
            }
          : undefined;
      },
      claim: async (read, since) => {
        const current = stored.get(read.id);
        if (!current || current.version !== read.version || current.legalHold) return false;
        stored.set(read.id, { ...current, version: current.version + 1, disposing: { since } });
        calls.push(`claim ${read.reference}`);
        return true;
      },
      keepRecord: async (record) => {
        if (!records.has(record.requestId)) records.set(record.requestId, record);
      },
      deleteRawMail: async () => undefined,
      deleteDocuments: async (keys) => {
        if (failing === 'deleteDocuments') {
          failing = undefined;
          throw new Error('S3 timed out');
        }
        for (const key of keys)
          for (const [owner, list] of objects)
            objects.set(
              owner,
              list.filter((k) => k !== key),
            );
      },
      deleteRecords: async (inventory) => {
        stored.delete(inventory.request.id);
      },
    };
    return { ports, stored, objects, records, calls };
  }

  const one = (n: number, extra: Partial<RequestRecord> = {}) =>
    request('declined', { id: `${n}`.padStart(20, '0'), reference: `REQ-2026-000${n}`, ...extra });

  it('disposes of what is due, leaves the rest, and reports held requests', async () => {
    const hold = { reason: 'Complaint', by: 'ada@office.example', since: closedAt };
    const { ports, stored, records } = office([
      one(1),
      one(2, { closedAt: '2027-12-01T00:00:00Z' }),
      one(3, { legalHold: hold }),
      one(4, { stage: 'accepted', closedAt: undefined }),
    ]);
    expect(await disposeClosedRequests(ports, rules, due)).toEqual({
      disposed: ['REQ-2026-0001'],
      onHold: ['REQ-2026-0003'],
      changed: [],
      notYet: 2,
      leftForNextRun: 0,
    });
    expect([...stored.values()].map((r) => r.reference)).toEqual([
      'REQ-2026-0002',
      'REQ-2026-0003',
      'REQ-2026-0004',
    ]);
    expect([...records.values()].map((r) => r.reference)).toEqual(['REQ-2026-0001']);
  });

  it('changes nothing when run again', async () => {
    const { ports, stored, records, calls } = office([one(1)]);
    await disposeClosedRequests(ports, rules, due);
    const after = { stored: [...stored], records: [...records], calls: [...calls] };
    expect(await disposeClosedRequests(ports, rules, due)).toMatchObject({ disposed: [] });
    expect({ stored: [...stored], records: [...records], calls }).toEqual(after);
  });

  it('finishes a disposal a fault cut short on the next run, keeping the first record', async () => {
    const { ports, stored, objects, records, calls } = office([one(1)], 'deleteDocuments');
    await expect(disposeClosedRequests(ports, rules, due)).rejects.toThrow('S3 timed out');
    expect(stored.get(one(1).id)?.disposing).toBeDefined();
    const first = records.get(one(1).id);
    const later = new Date(due.getTime() + 86_400_000);
    expect(await disposeClosedRequests(ports, rules, later)).toMatchObject({
      disposed: ['REQ-2026-0001'],
    });
    expect(stored.size).toBe(0);
    expect(objects.get(one(1).id)).toEqual([]);
    expect(records.get(one(1).id)).toBe(first);
    // Claimed once: the second run carried on from the claim.
    expect(calls).toEqual(['claim REQ-2026-0001']);
  });

  it('leaves a request that changed since it was read for the next run', async () => {
    const { ports, stored } = office([one(1)]);
    const claim = ports.claim;
    ports.claim = async (read, since) => {
      // A hold lands between reading the request and claiming it.
      const current = stored.get(read.id);
      if (current)
        stored.set(read.id, {
          ...current,
          version: current.version + 1,
          legalHold: { reason: 'Complaint', by: 'ada@office.example', since },
        });
      return claim(read, since);
    };
    expect(await disposeClosedRequests(ports, rules, due)).toMatchObject({
      disposed: [],
      changed: ['REQ-2026-0001'],
    });
    expect(stored.get(one(1).id)?.disposing).toBeUndefined();
  });

  it('stops starting disposals when its time is up, leaving the rest for the next run', async () => {
    const { ports } = office([one(1), one(2)]);
    expect(await disposeClosedRequests(ports, rules, due, Date.now() - 1)).toMatchObject({
      disposed: [],
      leftForNextRun: 2,
    });
  });
});
