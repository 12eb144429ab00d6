import { describe, expect, it } from 'vitest';
import { publishAuditDigest } from '../../shared/sweep/audit-anchor.ts';
import {
  type AuditEvent,
  GENESIS_HASH,
  sealEvent,
  UNANCHORED,
} from '../../shared/workflow/audit.ts';
import {
  type AuditDigest,
  auditDigestKey,
  checkAgainstDigests,
  parseAuditDigest,
  renderAuditDigest,
  type StoredChain,
  verifyStoredChains,
} from '../../shared/workflow/audit-digest.ts';

function chain(requestId: string, length: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq += 1) {
    const event = sealEvent(
      {
        requestId,
        seq,
        action: seq === 1 ? 'receive' : 'comment',
        actor: 'cara@office.example',
        at: `2026-02-0${seq}T10:00:00.000Z`,
        from: 'received',
        to: 'received',
        details: { text: `note ${seq}` },
      },
      prevHash,
    );
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}

const stored = (id: string, events: AuditEvent[]): StoredChain => ({
  kind: 'request',
  id,
  recordFound: true,
  head: { count: events.length, hash: events.at(-1)?.hash ?? GENESIS_HASH },
  events,
});

const digestOf = (date: string, chains: StoredChain[]): AuditDigest =>
  parseAuditDigest(
    auditDigestKey(date),
    renderAuditDigest(date, {
      requests: chains.map((c) => ({
        id: c.id,
        count: c.head?.count ?? 0,
        head: c.head?.hash ?? '',
      })),
      heldMail: [],
    }),
  );

describe('the audit digest document', () => {
  const heads = {
    requests: [
      { id: 'b', count: 2, head: 'b'.repeat(64) },
      { id: 'a', count: 1, head: 'a'.repeat(64) },
    ],
    heldMail: [{ id: 'h', count: 2, head: 'c'.repeat(64) }],
  };

  it('is the same bytes for the same heads, whatever order they were read in', () => {
    const text = renderAuditDigest('2026-05-01', heads);
    expect(
      renderAuditDigest('2026-05-01', { ...heads, requests: [...heads.requests].reverse() }),
    ).toBe(text);
    expect(JSON.parse(text).requests.map((entry: { id: string }) => entry.id)).toEqual(['a', 'b']);
  });

  it('holds ids, counts and hashes, and reads back as it was written', () => {
    const digest = parseAuditDigest(
      'audit/2026-05-01.json',
      renderAuditDigest('2026-05-01', heads),
    );
    expect(digest).toMatchObject({ date: '2026-05-01', heldMail: heads.heldMail });
    expect(Object.keys(digest.requests[0] ?? {})).toEqual(['id', 'count', 'head']);
  });

  it('refuses a file that is not a digest, or not the one its key names', () => {
    expect(() => parseAuditDigest('audit/x.json', 'not json')).toThrow(/not JSON/);
    expect(() => parseAuditDigest('audit/x.json', '{"date":"2026-05-01"}')).toThrow(
      /not an audit digest/,
    );
    expect(() =>
      parseAuditDigest('audit/2026-05-02.json', renderAuditDigest('2026-05-01', heads)),
    ).toThrow(/digest of 2026-05-01/);
  });
});

describe('checking chains against published digests', () => {
  const events = chain('r1', 4);
  const early = digestOf('2026-05-01', [stored('r1', events.slice(0, 2))]);
  const later = digestOf('2026-05-02', [stored('r1', events)]);

  it('passes a chain that grew since, and one no digest has seen', () => {
    expect(checkAgainstDigests('request', 'r1', events, [early, later])).toBeUndefined();
    expect(checkAgainstDigests('request', 'r2', chain('r2', 1), [early])).toBeUndefined();
  });

  it('finds a chain now shorter than a digest counted', () => {
    expect(checkAgainstDigests('request', 'r1', events.slice(0, 3), [later, early])).toEqual({
      brokenAt: 4,
      reason: expect.stringMatching(/^history rewritten after 2026-05-02: .*counted 4 events/),
    });
  });

  it('names the first digest a rewritten chain no longer agrees with', () => {
    const rewritten = chain('r1', 4).map((event) =>
      event.seq >= 2 ? { ...event, hash: `${event.hash.slice(0, 63)}0` } : event,
    );
    expect(checkAgainstDigests('request', 'r1', rewritten, [later, early])?.reason).toMatch(
      /^history rewritten after 2026-05-01: /,
    );
  });
});

describe('verifying every stored chain', () => {
  it('reports each chain, broken or not, with why', () => {
    const intact = stored('ok', chain('ok', 3));
    const truncated = { ...stored('short', chain('short', 3)), events: chain('short', 2) };
    const reports = verifyStoredChains([intact, truncated], []);
    expect(reports.map((report) => [report.id, report.verification.intact])).toEqual([
      ['ok', true],
      ['short', false],
    ]);
  });

  it('calls a chain whose record holds no head unanchored, not broken', () => {
    const [report] = verifyStoredChains(
      [{ ...stored('old', chain('old', 2)), head: undefined }],
      [],
    );
    expect(report?.verification).toMatchObject({ intact: true, reason: UNANCHORED });
  });

  it('finds events left behind by a deleted record', () => {
    const [report] = verifyStoredChains(
      [{ ...stored('gone', chain('gone', 2)), recordFound: false, head: undefined }],
      [],
    );
    expect(report?.verification).toMatchObject({
      intact: false,
      reason: 'the request record is gone, but 2 of its events remain',
    });
  });

  it('finds a chain a digest counted that is no longer stored at all', () => {
    const digest = digestOf('2026-05-01', [stored('vanished', chain('vanished', 2))]);
    expect(verifyStoredChains([], [digest])).toEqual([
      {
        kind: 'request',
        id: 'vanished',
        verification: expect.objectContaining({
          intact: false,
          reason: expect.stringMatching(/^history rewritten after 2026-05-01: .*only 0 are stored/),
        }),
      },
    ]);
  });
});

describe('publishing the daily audit digest', () => {
  const site = () => {
    const objects = new Map<string, string>();
    let scans = 0;
    return {
      objects,
      scans: () => scans,
      ports: {
        chainHeads: async () => {
          scans += 1;
          return { requests: [{ id: 'r1', count: scans, head: 'a'.repeat(64) }], heldMail: [] };
        },
        isPublished: async (key: string) => objects.has(key),
        publishOnce: async (key: string, body: string) => {
          if (objects.has(key)) return false;
          objects.set(key, body);
          return true;
        },
      },
    };
  };

  it('publishes under the office’s date, once: a later run that day reads nothing and writes nothing', async () => {
    const { objects, scans, ports } = site();
    // 23:30 UTC on 30 April is already 1 May in London (BST).
    const now = new Date('2026-04-30T23:30:00Z');
    expect(await publishAuditDigest(ports, 'Europe/London', now)).toEqual({
      key: 'audit/2026-05-01.json',
      published: true,
      chains: 1,
    });
    const first = objects.get('audit/2026-05-01.json');
    expect(
      await publishAuditDigest(ports, 'Europe/London', new Date('2026-05-01T12:00:00Z')),
    ).toEqual({ key: 'audit/2026-05-01.json', published: false });
    expect(objects.get('audit/2026-05-01.json')).toBe(first);
    expect(scans()).toBe(1);
  });
});
