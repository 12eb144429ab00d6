import { officeDate } from '../dates.ts';
import { log } from '../log.ts';
import { composeMessage } from '../mail/compose.ts';
import { escapeHtml, htmlDocument } from '../mail/templates/html.ts';

/**
 * Staff alerts in a flood. Each new letter or joining reply alerts the staff address, one
 * mail each, up to STAFF_ALERTS_PER_HOUR; past that an alert becomes one line waiting in
 * its quarter-hour, and the sweep sends each quarter-hour that has ended as one summary.
 * 500 forged letters are then a handful of mails, not 500, and no letter goes untold.
 */

/** A staff alert held back for its quarter-hour's summary. */
export interface BatchedAlert {
  /** The quarter-hour it was held back in (`YYYY-MM-DDTHH:MM`, UTC, minutes 00/15/30/45). */
  slot: string;
  at: string;
  requestId: string;
  reference: string;
  seq: number;
  kind: string;
  line: string;
}

const SLOT_MINUTES = 15;
/** A summary lists this many letters, then says how many more; the requests list has all. */
export const SUMMARY_LINES = 500;

/** The quarter-hour a moment falls in. */
export function summarySlot(at: Date): string {
  const slot = new Date(at);
  slot.setUTCMinutes(Math.floor(slot.getUTCMinutes() / SLOT_MINUTES) * SLOT_MINUTES, 0, 0);
  return slot.toISOString().slice(0, 16);
}

/** The quarter-hour after this one. */
export function nextSlot(slot: string): string {
  return summarySlot(new Date(Date.parse(`${slot}:00Z`) + SLOT_MINUTES * 60_000));
}

export interface AlertSummaryPorts {
  /** Alerts held back in quarter-hours before `slot`, oldest first. */
  batchedAlerts(before: string): Promise<BatchedAlert[]>;
  /** Every alert held back in this quarter-hour, read after its claim (nothing joins it then). */
  alertsIn(slot: string): Promise<BatchedAlert[]>;
  /** Claims a quarter-hour's summary; false when an earlier run claimed it. */
  claimAlertSummary(slot: string): Promise<boolean>;
  /** Gives a claim back when its mail certainly did not go, so the next run sends it. */
  releaseAlertSummary(slot: string): Promise<void>;
  /** Forgets alerts once their summary is sent (or was sent by an earlier run). */
  clearBatchedAlerts(alerts: readonly BatchedAlert[]): Promise<void>;
  sendRawMail(raw: string, from: string, to: readonly string[]): Promise<{ sesMessageId: string }>;
}

export interface AlertSummarySettings {
  officeName: string;
  officeAddress: string;
  staffAlertAddress: string;
  timeZone: string;
}

/** Errors after which SES may have taken the mail: the claim stays, so it never goes twice. */
const maybeSent = new Set(['TimeoutError', 'RequestTimeout', 'ECONNRESET']);

/** Sends one summary for each ended quarter-hour with alerts held back; at most once each. */
export async function sendAlertSummaries(
  ports: AlertSummaryPorts,
  settings: AlertSummarySettings,
  now: Date,
): Promise<{ summaries: number; alerts: number }> {
  const pending = await ports.batchedAlerts(summarySlot(now));
  const slots = [...new Set(pending.map((alert) => alert.slot))];
  let summaries = 0;
  for (const slot of slots) {
    if (!(await ports.claimAlertSummary(slot))) {
      // Claimed before (a run that stopped after sending): only the clearing is left.
      // Nothing has joined since the claim: notify holds a late alert in a later slot.
      await ports.clearBatchedAlerts(pending.filter((alert) => alert.slot === slot));
      continue;
    }
    // Read again now it is claimed: an alert held back between the first read and the
    // claim is in this summary, not lost.
    const alerts = await ports.alertsIn(slot);
    try {
      await ports.sendRawMail(summaryMail(slot, alerts, settings, now), settings.officeAddress, [
        settings.staffAlertAddress,
      ]);
    } catch (error) {
      if (!maybeSent.has((error as Error).name)) {
        await ports.releaseAlertSummary(slot);
        throw error;
      }
      // Better one summary missing than two: the letters are all on the requests list.
      log.error('an alert summary may or may not have been sent; not sent again', {
        slot,
        alerts: alerts.length,
        error: (error as Error).message,
      });
    }
    summaries += 1;
    await ports.clearBatchedAlerts(alerts);
  }
  return { summaries, alerts: pending.length };
}

function summaryMail(
  slot: string,
  alerts: readonly BatchedAlert[],
  settings: AlertSummarySettings,
  now: Date,
): string {
  const from = new Date(`${slot}:00Z`);
  const to = new Date(from.getTime() + SLOT_MINUTES * 60_000);
  const clock = (at: Date) =>
    at.toLocaleTimeString('en-GB', {
      timeZone: settings.timeZone,
      hour: '2-digit',
      minute: '2-digit',
    });
  const window = `${officeDate(from, settings.timeZone)} ${clock(from)}–${clock(to)}`;
  const ordered = [...alerts].sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
  const shown = ordered.slice(0, SUMMARY_LINES).map((alert) => alert.line);
  const more = ordered.length - shown.length;
  const subject = `Summary: ${alerts.length} more ${alerts.length === 1 ? 'letter' : 'letters'} arrived ${window}`;
  const intro =
    'More letters and replies arrived this hour than the office is alerted of one by one ' +
    '(STAFF_ALERTS_PER_HOUR), so the rest are summarised each quarter-hour. Each is filed ' +
    'on its request in postroom, as usual.';
  const tail = more > 0 ? [`…and ${more} more: see the requests list in postroom.`] : [];
  const domain = settings.officeAddress.split('@')[1] ?? 'postroom.invalid';
  return composeMessage({
    from: { address: settings.officeAddress, name: settings.officeName },
    to: [settings.staffAlertAddress],
    subject,
    text: `${intro}\n\n${[...shown, ...tail].map((line) => `- ${line}`).join('\n')}\n`,
    html: htmlDocument(subject, [
      escapeHtml(intro),
      [...shown, ...tail].map(escapeHtml).join('<br>'),
    ]),
    // One summary per quarter-hour: a fixed id, so a mail client shows a repeat as one.
    messageId: `<alerts.${slot.replace(':', '')}@postroom.${domain}>`,
    autoSubmitted: 'auto-generated',
    date: now,
  });
}
