import * as z from '../zod.ts';

/**
 * What SES tells us about mail it could not deliver, or that a recipient reported as spam.
 * The office's configuration set publishes these events to SNS; the sending-feedback
 * function turns each into addresses that must not be written to again.
 *
 * Only permanent bounces and complaints stop mail. A transient bounce (a full mailbox,
 * an auto-reply) is worth logging but not worth cutting a requester off for; SES's
 * account-level suppression list draws the same line.
 */
export interface Suppression {
  address: string;
  reason: 'bounce' | 'complaint';
  /** The remote server's or the mailbox provider's words, for staff to read. */
  detail: string;
  at: string;
  /** SES's id for this feedback: the same event delivered twice suppresses once. */
  feedbackId: string;
}

export type FeedbackVerdict =
  | { kind: 'suppress'; suppressions: Suppression[] }
  | { kind: 'ignore'; why: string };

const recipient = z.object({
  emailAddress: z.string().check(z.minLength(1)),
  diagnosticCode: z.optional(z.string()),
  status: z.optional(z.string()),
});

// Event publishing (configuration sets) says `eventType`; identity feedback notifications
// say `notificationType`. The bodies are the same, so both are read.
const feedback = z.object({
  eventType: z.optional(z.string()),
  notificationType: z.optional(z.string()),
  bounce: z.optional(
    z.object({
      bounceType: z.string(),
      bounceSubType: z.optional(z.string()),
      bouncedRecipients: z.array(recipient).check(z.minLength(1)),
      timestamp: z.string(),
      feedbackId: z.string(),
    }),
  ),
  complaint: z.optional(
    z.object({
      complainedRecipients: z
        .array(z.pick(recipient, { emailAddress: true }))
        .check(z.minLength(1)),
      complaintFeedbackType: z.optional(z.string()),
      timestamp: z.string(),
      feedbackId: z.string(),
    }),
  ),
});

/** `"Name" <a@b.example>` or `a@b.example` -> `a@b.example`, lower-cased for matching. */
export function normaliseAddress(address: string): string {
  const angled = /<([^>]+)>/.exec(address);
  return (angled?.[1] ?? address).trim().toLowerCase();
}

/** Reads one SES event (the SNS message body) and says which addresses to stop mailing. */
export function readFeedback(message: string): FeedbackVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { kind: 'ignore', why: 'the message is not JSON, so it is not an SES event' };
  }
  const result = feedback.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`)
      .join('; ');
    return { kind: 'ignore', why: `not a bounce or complaint event SES sends (${problems})` };
  }
  const event = result.data;
  const type = event.eventType ?? event.notificationType;
  if (type === 'Bounce' && event.bounce) {
    const { bounce } = event;
    if (bounce.bounceType !== 'Permanent') {
      return {
        kind: 'ignore',
        why: `a ${bounce.bounceType.toLowerCase()} bounce (${bounce.bounceSubType ?? 'no subtype'}) may clear by itself`,
      };
    }
    return {
      kind: 'suppress',
      suppressions: bounce.bouncedRecipients.map((bounced) => ({
        address: normaliseAddress(bounced.emailAddress),
        reason: 'bounce',
        detail:
          bounced.diagnosticCode ??
          `permanent bounce (${bounce.bounceSubType ?? 'General'}${bounced.status ? `, ${bounced.status}` : ''})`,
        at: bounce.timestamp,
        feedbackId: bounce.feedbackId,
      })),
    };
  }
  if (type === 'Complaint' && event.complaint) {
    const { complaint } = event;
    return {
      kind: 'suppress',
      suppressions: complaint.complainedRecipients.map((complained) => ({
        address: normaliseAddress(complained.emailAddress),
        reason: 'complaint',
        detail: `the recipient reported the mail as ${complaint.complaintFeedbackType ?? 'unwanted'}`,
        at: complaint.timestamp,
        feedbackId: complaint.feedbackId,
      })),
    };
  }
  return { kind: 'ignore', why: `a ${type ?? 'untyped'} event, which does not stop mail` };
}
