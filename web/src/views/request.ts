import { api, get } from '../api.ts';
import { type Child, h, hidden, replace } from '../dom.ts';
import {
  actionNames,
  capitalise,
  dateTime,
  eventNames,
  isOverdue,
  longDate,
  meetingTime,
  officeToday,
  stageNames,
} from '../format.ts';
import { button, errorSummaryHost, FormErrors, form, required, textArea } from '../forms.ts';
import {
  backLink,
  buttonLink,
  heading,
  notice,
  section,
  summaryList,
  tag,
  type View,
} from '../page.ts';
import {
  act,
  actionPath,
  doneMessages,
  firstLetter,
  loadDetail,
  requestPath,
} from '../requests.ts';
import { reload } from '../router.ts';
import type {
  Action,
  AuditEvent,
  MessageContent,
  MessageWithLinks,
  RequestDetail,
} from '../types.ts';

/**
 * A request's page: who wrote and when, the deadlines, what this person may do now (the
 * API's allowedActions for them, and nothing else), the letter, the meeting, the note and
 * the timeline of mail and audit events.
 */

/** Presigned links last five minutes; older ones are fetched afresh on use. */
const LINK_LIFETIME_MS = 4 * 60_000;

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A download through a presigned URL, renewed when the page has been open a while. */
function downloadLink(
  detail: RequestDetail,
  loadedAt: number,
  key: string,
  url: string,
  text: Child,
): HTMLElement {
  const link = h('a', { href: url, class: 'link', rel: 'noopener' }, text);
  link.addEventListener('click', (event) => {
    if (Date.now() - loadedAt < LINK_LIFETIME_MS) return;
    event.preventDefault();
    loadDetail(detail.id)
      .then((fresh) => {
        const documents = fresh.messages.flatMap((message) =>
          message.documents
            ? [message.documents.text, message.documents.html, ...message.documents.attachments]
            : [],
        );
        const found = documents.find((document) => document?.key === key);
        // Gone since the page loaded: show the page as it is now, rather than do nothing.
        if (found) window.location.assign(found.url);
        else reload();
      })
      // The page shown again says what went wrong, with a way to try again.
      .catch(() => reload());
  });
  return link;
}

function attachmentList(detail: RequestDetail, message: MessageWithLinks, loadedAt: number): Child {
  const attachments = message.documents?.attachments ?? [];
  if (!attachments.length) return null;
  return h(
    'ul',
    { class: 'list attachments' },
    attachments.map((attachment) =>
      h(
        'li',
        {},
        downloadLink(detail, loadedAt, attachment.key, attachment.url, [
          hidden('Download '),
          attachment.filename,
        ]),
        h(
          'span',
          { class: 'secondary-text' },
          ` (${attachment.contentType}, ${sizeOf(attachment.size)})`,
        ),
      ),
    ),
  );
}

/**
 * The letter itself, read through the staff API. Sanitised HTML goes in a sandboxed
 * frame (no scripts, no same origin, and the page's policy still blocks remote images,
 * so a tracking pixel never fires); otherwise the text.
 */
function letterSection(
  detail: RequestDetail,
  loadedAt: number,
): { element: HTMLElement; load: () => Promise<void> } {
  const letter = firstLetter(detail);
  const body = h(
    'div',
    { class: 'letter' },
    h('p', { class: 'body secondary-text' }, 'Loading the letter…'),
  );
  const element = section(
    'The letter',
    'letter-heading',
    letter
      ? summaryList([
          ['From', letter.from],
          ['Sent', dateTime(letter.at)],
          ['Subject', letter.subject || '(no subject)'],
        ])
      : null,
    body,
    letter?.documents?.attachments.length ? h('h3', { class: 'heading-s' }, 'Attachments') : null,
    letter ? attachmentList(detail, letter, loadedAt) : null,
  );
  const load = async () => {
    if (!letter?.documents) {
      replace(body, h('p', { class: 'body' }, 'This request has no stored letter.'));
      return;
    }
    const { text, html } = letter.documents;
    try {
      const content = await get<MessageContent>(
        `/api/requests/${encodeURIComponent(detail.id)}/messages/${encodeURIComponent(letter.key)}`,
      );
      replace(
        body,
        content.html
          ? h('iframe', {
              class: 'letter__frame',
              title: 'The letter, as sent',
              sandbox: '',
              referrerpolicy: 'no-referrer',
              srcdoc: content.html,
            })
          : h('div', { class: 'letter__text' }, content.text),
      );
    } catch (error) {
      replace(
        body,
        notice(
          [
            `The letter could not be shown here (${(error as Error).message}). `,
            downloadLink(detail, loadedAt, text.key, text.url, 'Download its text'),
            html ? [' or ', downloadLink(detail, loadedAt, html.key, html.url, 'its HTML')] : null,
            '.',
          ],
          'warning',
        ),
      );
    }
  };
  return { element, load };
}

function deadlines(detail: RequestDetail): HTMLElement {
  const { request } = detail;
  const today = officeToday();
  const due = (date: string, stages: string[], label: string): Child => {
    const overdue = stages.includes(request.stage) && date < today;
    return [
      longDate(date),
      overdue ? [' ', tag('Overdue', 'red'), hidden(`: the ${label} is late`)] : null,
    ];
  };
  const meeting = request.draft?.meeting ?? request.meeting;
  return section(
    'Deadlines',
    'deadlines-heading',
    summaryList([
      ['Reply by', due(request.replyBy, ['received', 'accepted'], 'reply')],
      [
        'Meeting',
        meeting
          ? [meetingTime(meeting.start, meeting.end), h('br'), meeting.location]
          : 'Not arranged yet',
      ],
      detail.dueForRecordHeld && [
        'Meeting status',
        [tag('Ended', 'yellow'), ' Record the meeting as held.'],
      ],
      [
        'Note due by',
        request.noteDueBy
          ? due(request.noteDueBy, ['held', 'drafting', 'in_review'], 'note')
          : 'Set when the meeting is recorded as held',
      ],
      request.publishAt
        ? [
            request.stage === 'published' ? 'Publication was due' : 'Publish at',
            dateTime(request.publishAt),
          ]
        : null,
    ]),
  );
}

function meetingSection(detail: RequestDetail): Child {
  const meeting = detail.request.draft?.meeting ?? detail.request.meeting;
  if (!meeting) return null;
  return section(
    'Attendees',
    'attendees-heading',
    h(
      'table',
      { class: 'table' },
      h('caption', { class: 'visually-hidden' }, 'Who attends the meeting'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Name', 'Role', 'Organisation', 'Attending as', 'Email'].map((text) =>
            h('th', { scope: 'col', class: 'table__header' }, text),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        meeting.attendees.map((attendee) =>
          h(
            'tr',
            {},
            h('td', { class: 'table__cell' }, attendee.name),
            h('td', { class: 'table__cell' }, attendee.role),
            h('td', { class: 'table__cell' }, attendee.organisation),
            h(
              'td',
              { class: 'table__cell' },
              attendee.host ? 'Host' : attendee.invitedGuest ? 'Invited guest' : 'Attendee',
            ),
            h('td', { class: 'table__cell' }, attendee.email ?? ''),
          ),
        ),
      ),
    ),
  );
}

function noteSection(detail: RequestDetail): Child {
  const { draft } = detail.request;
  const canEdit = detail.allowedActions.includes('save_draft');
  if (!draft && !canEdit) return null;
  return section(
    'Note of the meeting',
    'note-heading',
    draft
      ? summaryList([
          ['Title', draft.title ?? '(untitled)'],
          ['Version', String(draft.version)],
          ['Edited by', draft.editors.join(', ')],
          draft.submittedBy ? ['Submitted by', draft.submittedBy] : null,
        ])
      : h('p', { class: 'body' }, 'No note has been written yet.'),
    h(
      'p',
      { class: 'body' },
      h(
        'a',
        { href: `${requestPath(detail.id)}/note` },
        canEdit ? (draft ? 'Edit the note' : 'Write the note') : 'Read the note',
      ),
    ),
  );
}

/** Actions that need no fields are buttons here; the rest have a page of their own. */
const immediate: readonly Action[] = ['accept', 'record_held', 'submit_note'];
/** Done elsewhere on this page or on a page named differently. */
const elsewhere: readonly Action[] = ['comment', 'save_draft', 'resend_notification'];

function actionsSection(
  detail: RequestDetail,
  errors: FormErrors,
  member: { email: string },
): HTMLElement {
  const allowed = detail.allowedActions;
  const buttons: Child[] = [];
  for (const action of allowed) {
    if (elsewhere.includes(action)) continue;
    if (immediate.includes(action)) {
      buttons.push(
        form(
          undefined,
          (submitter) =>
            errors.run(submitter, async () => {
              await act(detail, action);
              reload(doneMessages[action]);
            }),
          button(actionNames[action], {
            kind: action === 'accept' || action === 'submit_note' ? 'primary' : 'secondary',
          }),
        ),
      );
      continue;
    }
    const href =
      action === 'review_redactions'
        ? `${requestPath(detail.id)}/redactions`
        : actionPath(detail.id, action);
    // Red is kept for the confirming button on the action's own page.
    const kind = action === 'approve' || action === 'schedule' ? 'primary' : 'secondary';
    buttons.push(buttonLink(href, actionNames[action], kind));
    if (action === 'assign' && detail.assignee !== member.email) {
      buttons.push(
        form(
          undefined,
          (submitter) =>
            errors.run(submitter, async () => {
              await act(detail, 'assign', { assignee: member.email });
              reload('Request assigned to you.');
            }),
          button('Assign to me', { kind: 'secondary' }),
        ),
      );
    }
  }
  if (allowed.includes('save_draft')) {
    buttons.push(
      buttonLink(
        `${requestPath(detail.id)}/note`,
        detail.request.draft ? 'Edit the note' : 'Write the note',
        'primary',
      ),
    );
  }
  // What the stage would let this person do but a rule refuses them, said, not offered.
  const withheld = detail.withheldActions.map(({ action, reason }) =>
    h('p', { class: 'body' }, `“${actionNames[action]}” is not open to you: ${reason}.`),
  );
  return section(
    'What you can do',
    'actions-heading',
    buttons.length
      ? h('div', { class: 'button-group actions' }, buttons)
      : h('p', { class: 'body' }, 'There is nothing for you to do at this stage except comment.'),
    ...withheld,
  );
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
  say('Reason', details.reason);
  say('Comment', details.comment);
  say('Comment', details.text);
  say('Correction', details.note);
  say('Assigned to', details.assignee);
  if (event.action === 'resend_notification' && typeof details.kind === 'string')
    say('Mail', `${details.kind.replace(/-/g, ' ')} to ${String(details.recipient)}`);
  say(
    'Publish at',
    typeof details.publishAt === 'string' ? dateTime(details.publishAt) : undefined,
  );
  say(
    'Note due by',
    typeof details.noteDueBy === 'string' ? longDate(details.noteDueBy) : undefined,
  );
  say('Published at', details.pageUrl);
  if (typeof details.draftVersion === 'number') say('Version', String(details.draftVersion));
  if (typeof details.start === 'string' && typeof details.end === 'string')
    say('Meeting', `${meetingTime(details.start, details.end)}, ${String(details.location ?? '')}`);
  if (Array.isArray(details.reinstated) && details.reinstated.length)
    say('Published after review', `${details.reinstated.length} item(s)`);
  return lines;
}

type Entry = { at: string; item: HTMLElement };

function timeline(detail: RequestDetail, loadedAt: number): HTMLElement {
  const entries: Entry[] = [];
  const messageKeys = new Set(detail.messages.map((message) => message.key));
  for (const message of detail.messages) {
    const inbound = message.direction === 'inbound';
    entries.push({
      at: message.at,
      item: h(
        'li',
        { class: `timeline__item timeline__item--${inbound ? 'in' : 'out'}` },
        h(
          'h3',
          { class: 'timeline__title' },
          inbound
            ? `Mail ${message.duplicateOf ? 'delivered again' : 'received'} from ${message.from}`
            : `Mail sent to ${message.to.join(', ')}`,
        ),
        message.duplicateOf
          ? h(
              'p',
              { class: 'timeline__detail' },
              'The same message (same Message-ID, sender and date) arrived again, as mail servers resend after a lost connection. No second acknowledgement was sent.',
            )
          : null,
        h(
          'p',
          { class: 'timeline__meta' },
          h('time', { datetime: message.at }, dateTime(message.at)),
          message.kind ? ` · ${message.kind.replace(/-/g, ' ')}` : null,
        ),
        h('p', { class: 'timeline__detail' }, message.subject || '(no subject)'),
        inbound && message.documents
          ? h(
              'p',
              { class: 'timeline__detail' },
              downloadLink(
                detail,
                loadedAt,
                message.documents.text.key,
                message.documents.text.url,
                ['Download the message text', hidden(` received ${dateTime(message.at)}`)],
              ),
            )
          : null,
        inbound ? attachmentList(detail, message, loadedAt) : null,
      ),
    });
  }
  for (const event of detail.events) {
    const messageKey = (event.details as { messageKey?: string }).messageKey;
    const mailEvent = event.action === 'receive' || event.action === 'message_received';
    if (mailEvent && messageKey && messageKeys.has(messageKey)) continue;
    const moved = event.from && event.to && event.from !== event.to;
    entries.push({
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
          moved
            ? ` · ${stageNames[event.from as keyof typeof stageNames] ?? event.from} to ${stageNames[event.to as keyof typeof stageNames] ?? event.to}`
            : null,
          ` · audit record ${event.seq}`,
        ),
        eventDetails(event),
      ),
    });
  }
  entries.sort((a, b) => a.at.localeCompare(b.at));
  return h(
    'ol',
    { class: 'timeline' },
    entries.map((entry) => entry.item),
  );
}

function commentForm(detail: RequestDetail, errors: FormErrors): HTMLElement {
  const text = errors.add(
    textArea({
      label: 'Comment',
      path: 'text',
      hint: 'Only staff see comments. They stay in the audit trail.',
      rows: 3,
    }),
  );
  return form(
    undefined,
    (submitter) => {
      const missing = required([[text, 'Enter a comment']]);
      if (missing.length) return errors.show(missing);
      void errors.run(submitter, async () => {
        await act(detail, 'comment', { text: text.control.value });
        reload(doneMessages.comment);
      });
    },
    text.group,
    button('Add comment', { kind: 'secondary' }),
  );
}

export const requestView: View = async ({ params, member }) => {
  const detail = await loadDetail(params.id ?? '');
  const loadedAt = Date.now();
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary, { what: 'this request', reload: () => reload() });
  const overdue = isOverdue(detail);
  const letter = letterSection(detail, loadedAt);
  const published = [...detail.events].reverse().find((event) => event.action === 'publish');
  const recorded = (published?.details as { pageUrl?: unknown } | undefined)?.pageUrl;
  // A link only to a web page: whatever the audit log holds, it never becomes a script URL.
  const pageUrl =
    typeof recorded === 'string' && /^https?:\/\//.test(recorded) ? recorded : undefined;
  return {
    title: `${detail.reference}: ${detail.subject}`,
    version: detail.version,
    content: [
      backLink('/', 'Back to the inbox'),
      summary,
      heading(detail.subject || '(no subject)', detail.reference),
      h(
        'p',
        { class: 'body status-line' },
        'Stage: ',
        tag(stageNames[detail.stage], detail.stage === 'published' ? 'green' : 'blue'),
        overdue ? [' ', tag('Overdue', 'red')] : null,
      ),
      summaryList([
        [
          'From',
          detail.sender.address
            ? `${detail.sender.name ? `${detail.sender.name} <${detail.sender.address}>` : detail.sender.address}`
            : `${detail.sender.name} (no email address)`,
        ],
        ['Organisation', detail.organisation ?? 'Not known'],
        ['Received', dateTime(detail.receivedAt)],
        ['Assigned to', detail.assignee ?? 'Nobody'],
        detail.request.closedReason ? ['Reason closed', detail.request.closedReason] : null,
        detail.request.legalHold
          ? [
              'Legal hold',
              [
                tag('On hold', 'yellow'),
                ` ${detail.request.legalHold.reason} (${detail.request.legalHold.by}, ${dateTime(detail.request.legalHold.since)})`,
              ],
            ]
          : null,
        pageUrl ? ['Published page', h('a', { href: pageUrl, class: 'link' }, pageUrl)] : null,
        detail.request.flags.length
          ? [
              'Warnings',
              h(
                'ul',
                { class: 'list' },
                detail.request.flags.map((flag) => h('li', {}, capitalise(flag))),
              ),
            ]
          : null,
      ]),
      actionsSection(detail, errors, member),
      deadlines(detail),
      detail.failedNotifications.length
        ? section(
            'Mail that could not be sent',
            'failed-heading',
            notice(
              'These notifications failed, or may not have arrived. Nothing is sent again by itself: check with the person first if it says it may have been delivered, then send it again or tell them another way.',
              'warning',
            ),
            h(
              'ul',
              { class: 'list' },
              detail.failedNotifications.map((failure) =>
                h(
                  'li',
                  {},
                  `${failure.kind.replace(/-/g, ' ')} to ${failure.recipient}, ${dateTime(failure.at)}: ${failure.error}`,
                  failure.resent
                    ? h(
                        'p',
                        { class: 'body' },
                        `Sent again by ${failure.resent.by}, ${dateTime(failure.resent.at)}.`,
                      )
                    : detail.allowedActions.includes('resend_notification')
                      ? form(
                          undefined,
                          (submitter) =>
                            errors.run(submitter, async () => {
                              await api(
                                'POST',
                                `/api/requests/${encodeURIComponent(detail.id)}/notifications/${encodeURIComponent(failure.id)}/resend`,
                              );
                              reload(doneMessages.resend_notification);
                            }),
                          button(
                            [
                              'Send again',
                              hidden(
                                ` the ${failure.kind.replace(/-/g, ' ')} to ${failure.recipient}`,
                              ),
                            ],
                            { kind: 'secondary' },
                          ),
                        )
                      : null,
                ),
              ),
            ),
          )
        : null,
      letter.element,
      meetingSection(detail),
      noteSection(detail),
      section('Timeline', 'timeline-heading', timeline(detail, loadedAt)),
      detail.allowedActions.includes('comment')
        ? section('Add a comment', 'comment-heading', commentForm(detail, errors))
        : null,
    ],
    shown: () => void letter.load(),
  };
};
