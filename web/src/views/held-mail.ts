import { api, get } from '../api.ts';
import { h } from '../dom.ts';
import { capitalise, dateTime, plural } from '../format.ts';
import {
  button,
  errorSummaryHost,
  FormErrors,
  form,
  required,
  textArea,
  textInput,
} from '../forms.ts';
import { backLink, heading, notice, type Page, section, summaryList, type View } from '../page.ts';
import { navigate } from '../router.ts';
import type { HeldMail } from '../types.ts';

/**
 * Held mail: messages that could not become or join a request. Nothing is dropped: staff
 * attach each to a request, open it as a new one, or discard it with a reason.
 */
const reasonNames: Record<string, string> = {
  virus: 'Virus found',
  oversize: 'Too large',
  malformed: 'Could not be read',
  no_sender: 'No sender',
  too_deep: 'Parts nested too deeply',
  too_many_parts: 'Too many parts',
  unmatched_bounce: 'Bounce that matches nothing',
  auto_reply_to_nothing: 'Automatic reply to nothing',
  could_not_file: 'Could not be filed',
  unverified_stranger: 'Unverified mail naming a request',
  unverified_sender: 'Possibly forged mail from someone on a request',
};

const canAct = (roles: readonly string[]) =>
  roles.includes('caseworker') || roles.includes('admin');

async function loadHeld(): Promise<HeldMail[]> {
  const all: HeldMail[] = [];
  let nextToken: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams({ limit: '100' });
    if (nextToken) query.set('nextToken', nextToken);
    const page: { items: HeldMail[]; nextToken: string | null } = await get(
      `/api/held-mail?${query}`,
    );
    all.push(...page.items);
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken && pages < 20);
  return all;
}

const subjectOf = (held: HeldMail) => held.subject || '(no subject)';

export const heldMailView: View = async (): Promise<Page> => {
  const held = await loadHeld();
  return {
    title: 'Held mail',
    content: [
      heading('Held mail'),
      h(
        'p',
        { class: 'body' },
        'Mail that could not become or join a request is kept here, with the reason. Open each message to attach it to a request, open it as a new request, or discard it.',
      ),
      h('p', { class: 'body results-count' }, `${plural(held.length, 'message')} held.`),
      held.length
        ? h(
            'div',
            { class: 'table-wrapper' },
            h(
              'table',
              { class: 'table' },
              h('caption', { class: 'visually-hidden' }, 'Held messages, newest first'),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Subject', 'From', 'Received', 'Why it was held'].map((text) =>
                    h('th', { scope: 'col', class: 'table__header' }, text),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                held.map((message) =>
                  h(
                    'tr',
                    {},
                    h(
                      'td',
                      { class: 'table__cell' },
                      h(
                        'a',
                        { href: `/held-mail/${encodeURIComponent(message.id)}` },
                        subjectOf(message),
                      ),
                    ),
                    h('td', { class: 'table__cell' }, message.from ?? 'Unknown'),
                    h('td', { class: 'table__cell' }, dateTime(message.receivedAt)),
                    h(
                      'td',
                      { class: 'table__cell' },
                      h(
                        'strong',
                        {},
                        reasonNames[message.reason] ??
                          capitalise(message.reason.replace(/_/g, ' ')),
                      ),
                      h('span', { class: 'table__subject' }, capitalise(message.detail)),
                    ),
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'body' }, 'There is no held mail.'),
    ],
  };
};

export const heldItemView: View = async ({ params, member }): Promise<Page> => {
  const held = (await loadHeld()).find((message) => message.id === params.id);
  const back = backLink('/held-mail', 'Back to held mail');
  if (!held) {
    return {
      title: 'Held message not found',
      content: [
        back,
        heading('This held message is not here'),
        h(
          'p',
          { class: 'body' },
          'Someone may have dealt with it already. ',
          h('a', { href: '/held-mail' }, 'See the held mail that is left'),
          '.',
        ),
      ],
    };
  }
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary, {
    what: 'this message',
    reload: () => navigate('/held-mail'),
    advice: 'Someone else has dealt with it. Go back to held mail to see what is left.',
  });
  const act = (body: Record<string, unknown>) =>
    api<{ status: string; requestId?: string; reference?: string }>(
      'POST',
      `/api/held-mail/${encodeURIComponent(held.id)}/actions`,
      body,
    );

  const requestId = errors.add(
    textInput({
      label: 'Request reference or id',
      path: 'requestId',
      hint: 'For example, REQ-2026-0007',
      width: 'medium',
      spellcheck: false,
    }),
  );
  const sender = errors.add(
    textInput({
      label: 'Sender email address (optional)',
      path: 'sender',
      hint: held.from
        ? `Leave blank to use the message’s own sender, ${held.from}.`
        : 'Needed: this message has no usable sender.',
      type: 'email',
      spellcheck: false,
    }),
  );
  const subject = errors.add(
    textInput({
      label: 'Subject (optional)',
      path: 'subject',
      hint: 'Leave blank to keep the message’s own subject.',
      value: '',
    }),
  );
  const reason = errors.add(
    textArea({
      label: 'Reason',
      path: 'reason',
      hint: 'Why it can be discarded. Kept with the record; the raw message is deleted after the raw-mail retention period.',
      rows: 3,
    }),
  );

  const retry =
    held.reason === 'could_not_file'
      ? section(
          'Try intake again',
          'retry-heading',
          notice(
            'Intake failed on every attempt for this message, because of a fault rather than the message itself. Once the fault is fixed, try again: it is filed as new mail would be.',
          ),
          form(
            undefined,
            (submitter) =>
              void errors.run(submitter, async () => {
                const done = await act({ action: 'retry' });
                navigate(
                  done.requestId ? `/requests/${encodeURIComponent(done.requestId)}` : '/held-mail',
                  { flash: `Message filed${done.reference ? ` on ${done.reference}` : ''}.` },
                );
              }),
            button('Try again'),
          ),
        )
      : null;
  const forms = canAct(member.roles)
    ? [
        retry,
        section(
          'Attach it to a request',
          'attach-heading',
          form(
            undefined,
            (submitter) => {
              const missing = required([
                [requestId, 'Enter the reference or id of the request to attach it to'],
              ]);
              if (missing.length) return errors.show(missing);
              void errors.run(submitter, async () => {
                const done = await act({
                  action: 'attach',
                  requestId: requestId.control.value.trim(),
                });
                navigate(
                  done.requestId ? `/requests/${encodeURIComponent(done.requestId)}` : '/held-mail',
                  {
                    flash: `Message attached to ${done.reference ?? requestId.control.value.trim()}.`,
                  },
                );
              });
            },
            requestId.group,
            button('Attach to request'),
          ),
        ),
        section(
          'Open it as a new request',
          'open-heading',
          form(
            undefined,
            (submitter) =>
              void errors.run(submitter, async () => {
                const done = await act({
                  action: 'open',
                  sender: sender.control.value.trim() || undefined,
                  subject: subject.control.value.trim() || undefined,
                });
                navigate(
                  done.requestId ? `/requests/${encodeURIComponent(done.requestId)}` : '/held-mail',
                  {
                    flash: `Message opened as a new request${done.reference ? `, ${done.reference}` : ''}.`,
                  },
                );
              }),
            sender.group,
            subject.group,
            button('Open as new request', { kind: 'secondary' }),
          ),
        ),
        section(
          'Discard it',
          'discard-heading',
          form(
            undefined,
            (submitter) => {
              const missing = required([[reason, 'Enter the reason for discarding the message']]);
              if (missing.length) return errors.show(missing);
              void errors.run(submitter, async () => {
                await act({ action: 'discard', reason: reason.control.value.trim() });
                navigate('/held-mail', {
                  flash:
                    'Message discarded. Its raw message will be deleted after the raw-mail retention period.',
                });
              });
            },
            reason.group,
            button('Discard message', { kind: 'warning' }),
          ),
        ),
      ]
    : [notice('Only caseworkers and admins can deal with held mail.')];

  return {
    title: `Held message: ${subjectOf(held)}`,
    content: [
      back,
      summary,
      heading(subjectOf(held), 'Held message'),
      summaryList([
        ['From', held.from ?? 'Unknown'],
        ['Received', dateTime(held.receivedAt)],
        ['Why it was held', `${reasonNames[held.reason] ?? held.reason}: ${held.detail}`],
      ]),
      held.reason === 'virus' &&
        notice(
          'This message carried a virus. It is kept unopened; attaching or opening it files it unread.',
          'warning',
        ),
      ...forms,
    ],
  };
};
