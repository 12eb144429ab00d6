import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { type SweepPorts, sweep } from '../../shared/sweep/digest.ts';
import type { RequestRecord } from '../../shared/workflow/records.ts';

const request = (reference: string, fields: Partial<RequestRecord>) =>
  ({
    reference,
    subject: 'Meeting',
    sender: { address: 'a@org.example', name: '' },
    replyBy: '2026-11-20',
    ...fields,
  }) as RequestRecord;

function memory(requests: RequestRecord[]) {
  const claimed = new Set<string>();
  const sent: string[] = [];
  const ports: SweepPorts = {
    dueBefore: async (stages, before) =>
      requests.filter((r) => stages.includes(r.stage) && (r.noteDueBy ?? r.replyBy) < before),
    scheduled: async () => requests.filter((r) => r.stage === 'scheduled'),
    approved: async () => requests.filter((r) => r.stage === 'approved'),
    claimDigest: async (day) => !claimed.has(day) && Boolean(claimed.add(day)),
    sendRawMail: async (raw) => {
      sent.push(raw);
      return { sesMessageId: '<x@eu-west-1.amazonses.com>' };
    },
  };
  return { ports, sent };
}

const settings = {
  digestHour: 7,
  officeName: 'Office',
  officeAddress: 'office@office.example',
  staffAlertAddress: 'staff@office.example',
  timeZone: 'Europe/London',
};

describe('the daily digest', () => {
  it('lists overdue replies and notes with their due dates and owners, once a day', async () => {
    const { ports, sent } = memory([
      request('REQ-2026-0001', {
        stage: 'received',
        replyBy: '2026-11-20',
        assignee: 'cara@office.example',
      }),
      request('REQ-2026-0002', { stage: 'received', replyBy: '2026-12-20' }),
      request('REQ-2026-0003', { stage: 'drafting', noteDueBy: '2026-11-25' }),
    ]);
    const now = new Date('2026-11-30T07:00:00Z');
    const report = await sweep(ports, settings, now);
    expect(report).toMatchObject({
      overdueReplies: ['REQ-2026-0001'],
      overdueNotes: ['REQ-2026-0003'],
      meetingsToRecord: [],
      sent: true,
    });
    const mail = await PostalMime.parse(sent[0] ?? '');
    expect(mail.subject).toBe(
      'Daily digest 2026-11-30: 1 replies and 1 notes overdue, 0 meetings to record',
    );
    expect(mail.text).toContain('REQ-2026-0001');
    expect(mail.text).toContain('due 2026-11-20, cara@office.example');
    expect(mail.text).toContain('REQ-2026-0003');
    expect(mail.text).not.toContain('REQ-2026-0002');
    expect((await sweep(ports, settings, now)).sent).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('waits for the digest hour in the office’s time zone', async () => {
    const { ports, sent } = memory([
      request('REQ-2026-0001', { stage: 'received', replyBy: '2026-06-01' }),
    ]);
    // 07:00 in London is 07:00 UTC in winter and 06:00 UTC in summer.
    expect((await sweep(ports, settings, new Date('2026-06-30T05:59:00Z'))).sent).toBe(false);
    expect((await sweep(ports, settings, new Date('2026-06-30T06:00:00Z'))).sent).toBe(true);
    expect(sent).toHaveLength(1);
  });
});
