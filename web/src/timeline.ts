import { channelWords } from '../../shared/workflow/records.ts';
import { api } from './api.ts';
import { attachmentList, downloadLink } from './documents.ts';
import { type Child, h, hidden, replace } from './dom.ts';
import { capitalise, dateTime, eventNames, longDate, meetingTime, stageNames } from './format.ts';
import { button, type FormErrors, form } from './forms.ts';
import { notice, summaryList, tag } from './page.ts';
import { doneMessages, firstLetter, loadMessage } from './requests.ts';
import { reload } from './router.ts';
import type { AuditEvent, FailedNotification, MessageWithLinks, RequestDetail } from './types.ts';

/**
 * A request's timeline: every message in and out, in full (who from, to and copied, when,
 * the subject, who on the staff wrote a reply and whether it went, the words and the
 * attachments), with the audit events between them. Internal notes are marked as staff's
 * own, never sent, in words as well as in colour.
 */

/** What a failed notification is called, in words: "reply to a@b.example". */
const mailName = (failure: FailedNotification) =>
  `${failure.kind.replace(/-/g, ' ')} to ${failure.recipient}`;

/** The button that sends a failed (or possibly undelivered) notification again. */
export function resendForm(
  detail: RequestDetail,
  failure: FailedNotification,
  errors: FormErrors,
): HTMLElement {
  return form(
    undefined,
    (submitter) =>
      errors.run(submitter, async () => {
        await api(
          'POST',
          `/api/requests/${encodeURIComponent(detail.id)}/notifications/${encodeURIComponent(failure.id)}/resend`,
        );
        reload(doneMessages.resend_notification);
      }),
    button(['Send again', hidden(` the ${mailName(failure)}`)], { kind: 'secondary' }),
  );
}

/** Says a failure was sent again, or offers to, where this person may. */
export function resendOrResent(
  detail: RequestDetail,
  failure: FailedNotification,
  errors: FormErrors,
): Child {
  if (failure.resent)
    return h(
      'p',
      { class: 'body' },
      `Sent again by ${failure.resent.by}, ${dateTime(failure.resent.at)}.`,
    );
  return detail.allowedActions.includes('resend_notification')
    ? resendForm(detail, failure, errors)
    : null;
}

const statusTags = {
  sent: () => tag('Sent', 'green'),
  sending: () => tag('Sending', 'blue'),
  failed: () => tag('Failed', 'red'),
  unknown: () => tag('Unknown: it may not have arrived', 'yellow'),
} as const;

/** The failures of a reply's mail: the notifications of the event that filed it. */
function failuresOf(detail: RequestDetail, message: MessageWithLinks): FailedNotification[] {
  const filed = detail.events.find(
    (event) =>
      event.action === 'reply' &&
      (event.details as { messageKey?: unknown }).messageKey === message.key,
  );
  if (!filed) return [];
  return detail.failedNotifications.filter(
    (failure) => failure.seq === filed.seq && failure.kind === 'reply',
  );
}

interface Shown {
  at: string;
  item: HTMLElement;
  /** Fetches the message's words into the item, where they are kept. */
  load?: () => Promise<void>;
}

function messageItem(
  detail: RequestDetail,
  message: MessageWithLinks,
  loadedAt: number,
  errors: FormErrors,
): Shown {
  const inbound = message.direction === 'inbound';
  const reply = !inbound && message.kind === 'reply';
  const isLetter = inbound && firstLetter(detail)?.key === message.key;
  const failures = reply ? failuresOf(detail, message) : [];
  const status = reply ? (message.status ?? 'sending') : undefined;
  const byHand = message.channel && message.channel !== 'email' ? message.channel : undefined;
  const title = inbound
    ? byHand
      ? `Recorded by hand: ${channelWords[byHand].replace(/ \(.*\)$/, '')}, from ${message.from}`
      : `${message.duplicateOf ? 'Delivered again' : 'Received'} from ${message.from}`
    : reply
      ? `Reply by email to ${message.to.join(', ')}`
      : `Mail sent to ${message.to.join(', ')}`;
  const body = h('div', { class: 'message__text' });
  let load: Shown['load'];
  if (isLetter) {
    replace(
      body,
      h('p', { class: 'body' }, h('a', { href: '#letter-heading' }, 'The letter is shown above')),
    );
  } else {
    // Mail postroom sent by itself has no documents, but the API reads its text from
    // the copy it kept.
    const text = message.documents?.text;
    replace(body, h('p', { class: 'secondary-text' }, 'Loading the message…'));
    load = async () => {
      try {
        const content = await loadMessage(detail.id, message.key);
        replace(
          body,
          content.text.trim()
            ? h('div', { class: 'letter__text' }, content.text)
            : h('p', { class: 'body secondary-text' }, '(The message has no text.)'),
        );
      } catch (error) {
        replace(
          body,
          notice(
            [
              `The message could not be shown here (${(error as Error).message}).`,
              text
                ? [
                    ' ',
                    downloadLink(detail, loadedAt, text.key, text.url, [
                      'Download its text',
                      hidden(` (${dateTime(message.at)})`),
                    ]),
                    '.',
                  ]
                : null,
            ],
            'warning',
          ),
        );
      }
    };
  }
  const item = h(
    'li',
    {
      class: `timeline__item timeline__item--${inbound ? 'in' : reply ? 'reply' : 'out'}`,
    },
    h('h3', { class: 'timeline__title' }, title),
    h(
      'p',
      { class: 'timeline__meta' },
      h('time', { datetime: message.at }, dateTime(message.at)),
      !inbound && !reply && message.kind ? ` · ${message.kind.replace(/-/g, ' ')}` : null,
      status ? [' · ', statusTags[status]()] : null,
    ),
    message.duplicateOf
      ? h(
          'p',
          { class: 'timeline__detail' },
          'The same message (same Message-ID, sender and date) arrived again, as mail servers resend after a lost connection. No second acknowledgement was sent.',
        )
      : null,
    summaryList(
      [
        ['From', message.from],
        ['To', message.to.join(', ') || '(nobody)'],
        message.cc?.length ? ['Cc', message.cc.join(', ')] : null,
        message.notSentTo?.length
          ? ['Not sent to', `${message.notSentTo.join(', ')} (bounced or complained before)`]
          : null,
        ['Date', dateTime(message.sentAt ?? message.at)],
        ['Subject', message.subject || '(no subject)'],
        message.author ? ['Written by', message.author] : null,
      ],
      'compact',
    ),
    status === 'failed' || status === 'unknown'
      ? h(
          'div',
          { class: 'timeline__detail' },
          notice(
            status === 'failed'
              ? 'This reply was not sent. Send it again, or tell the requester another way.'
              : 'It is not known whether this reply arrived. Check with the requester before sending it again.',
            'warning',
          ),
          failures.map((failure) =>
            h(
              'div',
              {},
              h('p', { class: 'body' }, `To ${failure.recipient}: ${failure.error}`),
              resendOrResent(detail, failure, errors),
            ),
          ),
        )
      : null,
    body,
    isLetter ? null : attachmentList(detail, message, loadedAt),
  );
  return { at: message.at, item, load };
}

function eventDetails(event: AuditEvent): Child {
  const details = event.details as Record<string, unknown>;
  const lines: Child[] = [];
  const say = (label: string, value: unknown) => {
    if (typeof value === 'string' && value)
      lines.push(
        h(
          'p',
          { class: 'timeline__detail' },
          h('span', { class: 'secondary-text' }, `${label}: `),
          value,
        ),
      );
  };
  const day = (value: unknown) => (typeof value === 'string' ? longDate(value) : undefined);
  say('Reason', details.reason);
  say('Comment', details.comment);
  say('Correction', details.note);
  say('Assigned to', details.assignee);
  if (event.action === 'resend_notification' && typeof details.kind === 'string')
    say('Mail', `${details.kind.replace(/-/g, ' ')} to ${String(details.recipient)}`);
  say(
    'Publish at',
    typeof details.publishAt === 'string' ? dateTime(details.publishAt) : undefined,
  );
  say('Note due by', day(details.noteDueBy));
  if (event.action === 'extend_deadline')
    say(
      details.deadline === 'noteDueBy' ? 'Note due by' : 'Reply by',
      `moved from ${day(details.from) ?? 'no date'} to ${day(details.until) ?? 'no date'}`,
    );
  if (event.action === 'reopen') say('Reply by', day(details.replyBy));
  say('Published at', details.pageUrl);
  if (typeof details.draftVersion === 'number') say('Version', String(details.draftVersion));
  if (typeof details.start === 'string' && typeof details.end === 'string')
    say('Meeting', `${meetingTime(details.start, details.end)}, ${String(details.location ?? '')}`);
  if (Array.isArray(details.reinstated) && details.reinstated.length)
    say('Published after review', `${details.reinstated.length} item(s)`);
  return lines;
}

/** An internal note: staff's own words on the request, marked as never sent. */
function internalNoteItem(event: AuditEvent): Shown {
  const text = (event.details as { text?: unknown }).text;
  return {
    at: event.at,
    item: h(
      'li',
      { class: 'timeline__item timeline__item--internal' },
      h(
        'h3',
        { class: 'timeline__title' },
        tag('Internal note', 'yellow'),
        ` by ${event.actor}`,
        hidden(': only staff see this; it was never sent'),
      ),
      h(
        'p',
        { class: 'timeline__meta' },
        h('time', { datetime: event.at }, dateTime(event.at)),
        ' · only staff see this, it was never sent',
        ` · audit record ${event.seq}`,
      ),
      typeof text === 'string' ? h('div', { class: 'internal-note__text' }, text) : null,
    ),
  };
}

function eventItem(event: AuditEvent): Shown {
  const moved = event.from && event.to && event.from !== event.to;
  const stageName = (stage: string | null) => stageNames[stage as keyof typeof stageNames] ?? stage;
  return {
    at: event.at,
    item: h(
      'li',
      { class: 'timeline__item timeline__item--event' },
      h(
        'h3',
        { class: 'timeline__title' },
        eventNames[event.action] ?? capitalise(event.action.replace(/_/g, ' ')),
      ),
      h(
        'p',
        { class: 'timeline__meta' },
        h('time', { datetime: event.at }, dateTime(event.at)),
        ` · by ${event.actor}`,
        moved ? ` · ${stageName(event.from)} to ${stageName(event.to)}` : null,
        ` · audit record ${event.seq}`,
      ),
      eventDetails(event),
    ),
  };
}

/** How many messages' words are fetched at once: enough to be quick, few enough to be kind. */
const AT_ONCE = 4;

export function timeline(
  detail: RequestDetail,
  loadedAt: number,
  errors: FormErrors,
): { element: HTMLElement; load: () => Promise<void> } {
  const entries: Shown[] = detail.messages.map((message) =>
    messageItem(detail, message, loadedAt, errors),
  );
  const messageKeys = new Set(detail.messages.map((message) => message.key));
  for (const event of detail.events) {
    const messageKey = (event.details as { messageKey?: string }).messageKey;
    // Mail in and replies out are shown as their messages.
    const mailEvent = ['receive', 'message_received', 'reply'].includes(event.action);
    if (mailEvent && messageKey && messageKeys.has(messageKey)) continue;
    entries.push(event.action === 'comment' ? internalNoteItem(event) : eventItem(event));
  }
  entries.sort((a, b) => a.at.localeCompare(b.at));
  const element = h(
    'ol',
    { class: 'timeline' },
    entries.map((entry) => entry.item),
  );
  const load = async () => {
    const queue = entries.flatMap((entry) => (entry.load ? [entry.load] : []));
    // Once the person has left the page (or signed out), the rest is not fetched.
    const worker = async () => {
      for (let next = queue.shift(); next && element.isConnected; next = queue.shift())
        await next();
    };
    await Promise.all(Array.from({ length: AT_ONCE }, worker));
  };
  return { element, load };
}
