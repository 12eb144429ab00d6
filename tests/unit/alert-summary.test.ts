import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import {
  type AlertSummaryPorts,
  type BatchedAlert,
  nextSlot,
  SUMMARY_LINES,
  sendAlertSummaries,
  summarySlot,
} from '../../shared/notify/alert-summary.ts';

const settings = {
  officeName: 'Office',
  officeAddress: 'office@office.example',
  staffAlertAddress: 'staff@office.example',
  timeZone: 'Europe/London',
};

const alert = (slot: string, n: number): BatchedAlert => ({
  slot,
  at: `${slot}:${String(n % 60).padStart(2, '0')}.000Z`,
  requestId: `req-${n}`,
  reference: `REQ-2026-${String(n).padStart(4, '0')}`,
  seq: 1,
  kind: 'new-request-alert',
  line: `REQ-2026-${String(n).padStart(4, '0')}  new request from <x${n}@example.org>: "Letter ${n}"`,
});

/** The ports' contract, in memory: what the DynamoDB ports do, for the claim logic alone. */
function memory(alerts: BatchedAlert[], send: (raw: string) => Promise<void> = async () => {}) {
  const pending = [...alerts];
  const claims = new Set<string>();
  const sent: string[] = [];
  const ports: AlertSummaryPorts = {
    batchedAlerts: async (before) => pending.filter((a) => a.slot < before),
    alertsIn: async (slot) => pending.filter((a) => a.slot === slot),
    claimAlertSummary: async (slot) => !claims.has(slot) && Boolean(claims.add(slot)),
    releaseAlertSummary: async (slot) => void claims.delete(slot),
    clearBatchedAlerts: async (done) => {
      for (const a of done) pending.splice(pending.indexOf(a), 1);
    },
    sendRawMail: async (raw) => {
      await send(raw);
      sent.push(raw);
      return { sesMessageId: 'ses-1' };
    },
  };
  return { ports, sent, pending, claims };
}

describe('summarySlot', () => {
  it('steps to the next quarter-hour, across the day', () => {
    expect(nextSlot('2026-12-02T03:45')).toBe('2026-12-02T04:00');
    expect(nextSlot('2026-12-31T23:45')).toBe('2027-01-01T00:00');
  });

  it('puts a moment in its quarter-hour', () => {
    expect(summarySlot(new Date('2026-12-02T03:00:00.000Z'))).toBe('2026-12-02T03:00');
    expect(summarySlot(new Date('2026-12-02T03:14:59.999Z'))).toBe('2026-12-02T03:00');
    expect(summarySlot(new Date('2026-12-02T03:15:00.000Z'))).toBe('2026-12-02T03:15');
    expect(summarySlot(new Date('2026-12-02T23:59:59.000Z'))).toBe('2026-12-02T23:45');
  });
});

describe('sendAlertSummaries', () => {
  it('sends one summary per ended quarter-hour and leaves the running one', async () => {
    const { ports, sent, pending } = memory([
      alert('2026-12-02T03:00', 1),
      alert('2026-12-02T03:00', 2),
      alert('2026-12-02T03:15', 3),
      alert('2026-12-02T03:30', 4),
    ]);
    const report = await sendAlertSummaries(ports, settings, new Date('2026-12-02T03:31:00Z'));
    expect(report).toEqual({ summaries: 2, alerts: 3 });
    const [first, second] = await Promise.all(sent.map((raw) => PostalMime.parse(raw)));
    // Office time: 03:00 UTC in December is 03:00 in London.
    expect(first?.subject).toBe('Summary: 2 more letters arrived 2026-12-02 03:00–03:15');
    expect(first?.text).toContain('- REQ-2026-0001');
    expect(first?.text).toContain('- REQ-2026-0002');
    expect(second?.subject).toBe('Summary: 1 more letter arrived 2026-12-02 03:15–03:30');
    expect(pending.map((a) => a.reference)).toEqual(['REQ-2026-0004']);
    expect(await sendAlertSummaries(ports, settings, new Date('2026-12-02T03:44:00Z'))).toEqual({
      summaries: 0,
      alerts: 0,
    });
  });

  it('lists the first letters of a huge flood and counts the rest', async () => {
    const flood = Array.from({ length: SUMMARY_LINES + 25 }, (_, n) =>
      alert('2026-12-02T03:00', n),
    );
    const { ports, sent } = memory(flood);
    await sendAlertSummaries(ports, settings, new Date('2026-12-02T04:00:00Z'));
    const mail = await PostalMime.parse(sent[0] ?? '');
    expect(mail.text?.match(/^- REQ-/gm)).toHaveLength(SUMMARY_LINES);
    expect(mail.text).toContain('…and 25 more: see the requests list in postroom.');
  });

  it('gives the claim back when SES refused, so the next run sends it', async () => {
    let refuse = true;
    const { ports, sent, pending } = memory([alert('2026-12-02T03:00', 1)], async () => {
      if (refuse)
        throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
    });
    const now = new Date('2026-12-02T03:20:00Z');
    await expect(sendAlertSummaries(ports, settings, now)).rejects.toThrow('Maximum sending rate');
    expect(pending).toHaveLength(1);
    refuse = false;
    expect(await sendAlertSummaries(ports, settings, now)).toEqual({ summaries: 1, alerts: 1 });
    expect(sent).toHaveLength(1);
    expect(pending).toHaveLength(0);
  });

  it('never sends again after an attempt that may have gone', async () => {
    const { ports, sent, pending, claims } = memory([alert('2026-12-02T03:00', 1)], async () => {
      throw Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    });
    const now = new Date('2026-12-02T03:20:00Z');
    await sendAlertSummaries(ports, settings, now);
    expect(claims.has('2026-12-02T03:00')).toBe(true);
    expect(pending).toHaveLength(0);
    expect(sent).toHaveLength(0);
  });

  it('only clears what an earlier run claimed and sent, sending nothing', async () => {
    const { ports, sent, pending, claims } = memory([alert('2026-12-02T03:00', 1)]);
    claims.add('2026-12-02T03:00');
    expect(await sendAlertSummaries(ports, settings, new Date('2026-12-02T03:20:00Z'))).toEqual({
      summaries: 0,
      alerts: 1,
    });
    expect(sent).toHaveLength(0);
    expect(pending).toHaveLength(0);
  });
});
