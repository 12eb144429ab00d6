import { channelWords } from '../../../shared/workflow/records.ts';
import { get } from '../api.ts';
import { attachmentList, downloadLink } from '../documents.ts';
import { type Child, h, hidden, replace } from '../dom.ts';
import {
  actionNames,
  capitalise,
  dateTime,
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
import { replyComposer } from '../reply-composer.ts';
import {
  act,
  actionPath,
  doneMessages,
  firstLetter,
  loadDetail,
  loadMessage,
  requestPath,
} from '../requests.ts';
import { reload } from '../router.ts';
import { resendOrResent, timeline } from '../timeline.ts';
import type { Action, ReplyTemplate, RequestDetail, TemplateList } from '../types.ts';
import { organisationPath, senderPath } from './search.ts';

/**
 * A request's page: who wrote and when, the deadlines, what this person may do now (the
 * API's allowedActions for them, and nothing else), the letter, the meeting, the note,
 * the timeline of mail and audit events, and, apart and unmistakable, the reply that is
 * emailed to the requester and the internal note that never leaves the office.
 */

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
      const content = await loadMessage(detail.id, letter.key);
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
      Boolean(meeting?.officeHolder) && ['Met for the office by', meeting?.officeHolder ?? ''],
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
    deadlineChanges(detail),
  );
}

const deadlineNames = { replyBy: 'Reply by', noteDueBy: 'Note due by' } as const;

/** Each extension of a deadline: which, from when to when, who and why. */
function deadlineChanges(detail: RequestDetail): Child {
  const changes = detail.request.deadlineChanges ?? [];
  if (!changes.length) return null;
  return [
    h('h3', { class: 'heading-s' }, 'Deadline changes'),
    h(
      'ul',
      { class: 'list deadline-changes' },
      changes.map((change) =>
        h(
          'li',
          {},
          `${deadlineNames[change.deadline]} moved from ${longDate(change.from)} to ${longDate(change.until)} by ${change.by}, ${dateTime(change.at)}. `,
          h('span', { class: 'secondary-text' }, 'Reason: '),
          change.reason,
        ),
      ),
    ),
  ];
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
const elsewhere: readonly Action[] = ['comment', 'save_draft', 'resend_notification', 'reply'];

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
  if (allowed.includes('reply'))
    // On this page, below the timeline: the link takes focus there.
    buttons.push(buttonLink('#reply-heading', 'Reply to the requester', 'secondary'));
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
      : h(
          'p',
          { class: 'body' },
          'There is nothing for you to do at this stage except add an internal note.',
        ),
    ...withheld,
  );
}

/**
 * Staff's own words on the request (the `comment` action): headed, worded and coloured
 * apart from the reply composer, so that nobody takes one for the other.
 */
function internalNote(detail: RequestDetail, errors: FormErrors): HTMLElement {
  const text = errors.add(
    textArea({
      label: 'Internal note',
      path: 'text',
      hint: 'For colleagues. It is kept on the request and in the audit trail. The requester never sees it.',
      rows: 3,
    }),
  );
  return h(
    'section',
    { class: 'internal-note', id: 'internal-note', 'aria-labelledby': 'internal-note-heading' },
    h(
      'h2',
      { class: 'heading-m internal-note__heading', id: 'internal-note-heading' },
      'Internal note — only staff see this, it is never sent',
    ),
    form(
      'Internal note',
      (submitter) => {
        const missing = required([[text, 'Write the internal note']]);
        if (missing.length) return errors.show(missing);
        void errors.run(submitter, async () => {
          await act(detail, 'comment', { text: text.control.value });
          reload(doneMessages.comment);
        });
      },
      text.group,
      button('Add internal note', { kind: 'secondary' }),
    ),
  );
}

/**
 * The templates a reply may start from, asked for beside the request. Without them a
 * reply can still be written, so a failure to list them leaves only the picker out.
 */
const replyTemplates = (): Promise<ReplyTemplate[]> =>
  get<TemplateList>('/api/templates').then(
    (list) => list.items,
    () => [],
  );

/** "Helen Marsh <helen@example.org>", or whichever of the two the request has. */
function senderWords(sender: RequestDetail['sender']): string {
  if (!sender.address) return `${sender.name} (no email address)`;
  return sender.name ? `${sender.name} <${sender.address}>` : sender.address;
}

export const requestView: View = async ({ params, member, announce }) => {
  const [detail, templates] = await Promise.all([loadDetail(params.id ?? ''), replyTemplates()]);
  const loadedAt = Date.now();
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary, { what: 'this request', reload: () => reload() });
  const overdue = isOverdue(detail);
  const letter = letterSection(detail, loadedAt);
  const thread = timeline(detail, loadedAt, errors);
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
          h(
            'a',
            { href: senderPath(detail.sender.address ?? detail.sender.name) },
            senderWords(detail.sender),
            hidden(': all their requests and meetings'),
          ),
        ],
        [
          'Organisation',
          detail.organisation
            ? h(
                'a',
                { href: organisationPath(detail.organisation) },
                detail.organisation,
                hidden(': all its requests and meetings'),
              )
            : 'Not known',
        ],
        ['How it came', capitalise(channelWords[detail.channel])],
        ['Received', dateTime(detail.receivedAt)],
        ['Assigned to', detail.assignee ?? 'Nobody'],
        detail.request.closedReason ? ['Reason closed', detail.request.closedReason] : null,
        detail.request.closedAt ? ['Closed', dateTime(detail.request.closedAt)] : null,
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
                  resendOrResent(detail, failure, errors),
                ),
              ),
            ),
          )
        : null,
      letter.element,
      meetingSection(detail),
      noteSection(detail),
      section('Timeline', 'timeline-heading', thread.element),
      detail.allowedActions.includes('reply')
        ? replyComposer({ detail, templates, summary, announce })
        : null,
      detail.allowedActions.includes('comment') ? internalNote(detail, errors) : null,
    ],
    shown: () => {
      void letter.load();
      void thread.load();
    },
  };
};
