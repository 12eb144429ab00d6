import { officeDate, officeHour } from '../dates.ts';
import { composeMessage } from '../mail/compose.ts';
import { escapeHtml, htmlDocument } from '../mail/templates/html.ts';
import type { RequestRecord } from '../workflow/records.ts';
import type { Stage } from '../workflow/stages.ts';

/** What the daily sweep reads and writes. */
export interface SweepPorts {
  /** Requests in these stages whose due date is before `before` (YYYY-MM-DD). */
  dueBefore(stages: readonly Stage[], before: string): Promise<RequestRecord[]>;
  /** Scheduled meetings (all of them; an office has few). */
  scheduled(): Promise<RequestRecord[]>;
  /** Approved notes waiting for publication (embargoed ones). */
  approved(): Promise<RequestRecord[]>;
  /** Claims the digest for a day; false when it was already sent. */
  claimDigest(day: string): Promise<boolean>;
  sendRawMail(raw: string, from: string, to: readonly string[]): Promise<{ sesMessageId: string }>;
}

export interface SweepSettings {
  /** The office-time hour from which the day's digest goes out. */
  digestHour: number;
  officeName: string;
  officeAddress: string;
  staffAlertAddress: string;
  timeZone: string;
}

export interface SweepReport {
  day: string;
  overdueReplies: string[];
  overdueNotes: string[];
  meetingsToRecord: string[];
  sent: boolean;
}

const line = (request: RequestRecord, due: string) =>
  `${request.reference}  ${request.organisation ?? request.sender.address ?? request.sender.name}: ${request.subject} (due ${due}${request.assignee ? `, ${request.assignee}` : ', unassigned'})`;

/**
 * The daily sweep: one digest to the office of overdue replies and notes, and of
 * scheduled meetings that have ended and are due to be recorded as held. At most one
 * digest a day, however often the schedule fires.
 */
export async function sweep(
  ports: SweepPorts,
  settings: SweepSettings,
  now: Date,
): Promise<SweepReport> {
  const day = officeDate(now, settings.timeZone);
  const hour = officeHour(now, settings.timeZone);
  const [replies, notes, scheduled] = await Promise.all([
    ports.dueBefore(['received', 'accepted'], day),
    ports.dueBefore(['held', 'drafting', 'in_review'], day),
    ports.scheduled(),
  ]);
  const ended = scheduled.filter(
    (request) => request.meeting && Date.parse(request.meeting.end) < now.getTime(),
  );
  const report: SweepReport = {
    day,
    overdueReplies: replies.map((r) => r.reference),
    overdueNotes: notes.map((r) => r.reference),
    meetingsToRecord: ended.map((r) => r.reference),
    sent: false,
  };
  // The sweep runs every quarter hour (for embargoes); the digest waits for the morning.
  if (hour < settings.digestHour) return report;
  if (replies.length + notes.length + ended.length === 0) return report;
  if (!(await ports.claimDigest(day))) return report;

  const sections: Array<[string, string[]]> = [
    ['Replies overdue', replies.map((r) => line(r, r.replyBy))],
    ['Meeting notes overdue', notes.map((r) => line(r, r.noteDueBy ?? r.replyBy))],
    [
      'Meetings that have ended: record them as held',
      // The office's day the meeting ended, not UTC's (an evening meeting in New York).
      ended.map((r) =>
        line(r, r.meeting ? officeDate(new Date(r.meeting.end), settings.timeZone) : ''),
      ),
    ],
  ];
  const present = sections.filter(([, lines]) => lines.length > 0);
  const subject = `Daily digest ${day}: ${replies.length} replies and ${notes.length} notes overdue, ${ended.length} meetings to record`;
  const raw = composeMessage({
    from: { address: settings.officeAddress, name: settings.officeName },
    to: [settings.staffAlertAddress],
    subject,
    text: `${present.map(([title, lines]) => `${title}\n${lines.map((l) => `- ${l}`).join('\n')}`).join('\n\n')}\n`,
    html: htmlDocument(
      subject,
      present.map(
        ([title, lines]) =>
          `<strong>${escapeHtml(title)}</strong><br>${lines.map(escapeHtml).join('<br>')}`,
      ),
    ),
    messageId: `<digest.${day}@postroom.${settings.officeAddress.split('@')[1] ?? 'postroom.invalid'}>`,
    autoSubmitted: 'auto-generated',
    date: now,
  });
  await ports.sendRawMail(raw, settings.officeAddress, [settings.staffAlertAddress]);
  return { ...report, sent: true };
}
