import { replySubject } from '../../shared/correspondence/reply-subject.ts';
import { api, type FieldError } from './api.ts';
import { currentSession } from './auth.ts';
import { focusOn, h } from './dom.ts';
import {
  button,
  checkbox,
  checkboxes,
  FormErrors,
  form,
  select,
  textArea,
  textInput,
} from './forms.ts';
import { reload } from './router.ts';
import type { MessageWithLinks, ReplyTemplate, RequestDetail } from './types.ts';
import { fileUploads, type UploadedFile } from './uploads.ts';

/**
 * Writing to the requester from the request (POST /api/requests/{id}/replies): who it
 * goes to, chosen from the addresses the request knows; the subject; a template to start
 * from, whose placeholders the server fills when it sends; the message, as text or
 * Markdown; and files, uploaded as they are chosen. It is headed, worded and coloured as
 * mail that leaves the office, so that nobody mistakes it for an internal note.
 */

export interface Correspondent {
  address: string;
  /** How the person is known on the request: "Helen Marsh, the requester". */
  says: string;
}

/** "Helen Marsh <helen@example.org>" -> its address and name. */
function parseAddress(value: string): { address: string; name: string } {
  const angled = value.match(/^\s*"?([^"<]*?)"?\s*<([^<>]+)>\s*$/);
  if (angled) return { address: (angled[2] ?? '').trim().toLowerCase(), name: angled[1] ?? '' };
  return { address: value.trim().toLowerCase(), name: '' };
}

/**
 * Everyone the request knows an address for, the requester first: those the API lets a
 * reply go to without an approver's say-so (the requester, others who wrote on the
 * thread, the meeting's attendees).
 */
export function correspondents(detail: RequestDetail): Correspondent[] {
  const found = new Map<string, Correspondent>();
  const add = (value: string | undefined, name: string, role: string) => {
    if (!value) return;
    const parsed = parseAddress(value);
    if (!parsed.address.includes('@') || found.has(parsed.address)) return;
    const who = name || parsed.name;
    found.set(parsed.address, {
      address: parsed.address,
      says: `${who ? `${who}, ` : ''}${role} (${parsed.address})`,
    });
  };
  add(detail.sender.address, detail.sender.name, 'the requester');
  for (const message of detail.messages)
    if (message.direction === 'inbound') add(message.from, '', 'wrote on this request');
  const meeting = detail.request.draft?.meeting ?? detail.request.meeting;
  for (const attendee of [
    ...(detail.request.meeting?.attendees ?? []),
    ...(meeting?.attendees ?? []),
  ])
    add(attendee.email, attendee.name, 'attendee');
  return [...found.values()];
}

/** The subject the server gives when none is: the thread's, with the reference. */
const defaultSubject = (detail: RequestDetail) => replySubject(detail, undefined);

/** What was written when a conflict sent the person to reload: put back in the fresh page. */
interface Carried {
  requestId: string;
  to: string[];
  cc: string[];
  subject: string;
  body: string;
  markdown: boolean;
  templateId?: string;
  files: UploadedFile[];
  /** Addresses an approver adds that the request does not know. */
  added: string;
}
let carried: Carried | undefined;

export function replyComposer(options: {
  detail: RequestDetail;
  templates: readonly ReplyTemplate[];
  /** The page's error summary. */
  summary: HTMLElement;
  announce: (text: string) => void;
}): HTMLElement {
  const { detail, templates, announce } = options;
  const people = correspondents(detail);
  const kept = carried?.requestId === detail.id ? carried : undefined;
  carried = undefined;
  const composerErrors = new FormErrors(options.summary, {
    what: 'this request',
    reload: () => {
      carried = read();
      reload();
    },
    advice:
      'Reload to see what changed, then send your reply again: what you wrote, and the files, are kept.',
  });

  const requester = people[0]?.address;
  const choices = people.map((person) => ({ value: person.address, text: person.says }));
  const to = composerErrors.add(
    checkboxes({
      legend: 'To',
      path: 'to',
      hint: 'Everyone this request has an email address for.',
      choices,
      checked: kept?.to ?? (requester ? [requester] : []),
    }),
  );
  const cc =
    people.length > 1
      ? composerErrors.add(
          checkboxes({
            legend: 'Copy to (Cc, optional)',
            path: 'cc',
            hint: 'They see the reply and who else it went to.',
            choices,
            checked: kept?.cc ?? [],
          }),
        )
      : undefined;
  // An approver, and only an approver, may write to someone the request does not know;
  // the API refuses anyone else, and the audit trail records who was added.
  const mayAdd = currentSession()?.member.roles.some(
    (role) => role === 'approver' || role === 'admin',
  );
  const added = mayAdd
    ? composerErrors.add(
        textInput({
          label: 'Also write to (optional)',
          path: 'addRecipients',
          hint: 'Approvers only: email addresses this request does not know, separated by commas. The audit trail records that you added them.',
          value: kept?.added ?? '',
          type: 'text',
          autocomplete: 'off',
          spellcheck: false,
        }),
      )
    : undefined;
  const subject = composerErrors.add(
    textInput({
      label: 'Subject',
      path: 'subject',
      hint: `The reference [${detail.reference}] is added if you take it out, so that answers join this request. Leave it blank for “${defaultSubject(detail)}”.`,
      value: kept?.subject ?? defaultSubject(detail),
    }),
  );
  let templateId = kept?.templateId;
  const picker = templates.length
    ? composerErrors.add(
        select({
          label: 'Start from a template (optional)',
          path: 'templateId',
          hint: 'Puts the template’s subject and message in below, for you to change. Placeholders such as {{requesterName}} are filled in when the reply is sent.',
          value: templateId ?? '',
          choices: [
            { value: '', text: 'No template' },
            ...templates.map((template) => ({ value: template.id, text: template.name })),
          ],
        }),
      )
    : undefined;
  const body = composerErrors.add(
    textArea({
      label: 'Message',
      path: 'body',
      hint: 'The requester reads this in their email. Your name is not added: sign it as you would a letter.',
      rows: 10,
      value: kept?.body ?? '',
    }),
  );
  const markdown = composerErrors.add(
    checkbox({
      label: 'Format as Markdown',
      path: 'format',
      hint: 'Sends **bold**, lists and links formatted, with a plain text copy. Leave it unticked to send the text as you typed it.',
      checked: kept?.markdown ?? false,
    }),
  );
  const files = fileUploads({
    label: 'Attachments (optional)',
    path: 'attachments',
    hint: 'Each file is uploaded as soon as you choose it, and sent with the reply.',
    announce,
    initial: kept?.files,
  });
  composerErrors.add(files.field);

  const useTemplate = () => {
    const chosen = templates.find((template) => template.id === picker?.control.value);
    templateId = chosen?.id;
    if (!chosen) {
      announce('No template: the subject and message are as you wrote them.');
      return;
    }
    subject.control.value = chosen.subject ?? defaultSubject(detail);
    body.control.value = chosen.body;
    announce(
      `The template “${chosen.name}” is in the subject and message. Check them before you send.`,
    );
    focusOn(body.control);
  };

  function read(): Carried {
    return {
      requestId: detail.id,
      to: to.values(),
      cc: cc?.values() ?? [],
      subject: subject.control.value,
      body: body.control.value,
      markdown: markdown.control.checked,
      templateId,
      files: files.uploaded(),
      added: added?.control.value ?? '',
    };
  }

  const composer = form(
    'Reply to the requester',
    (submitter) => {
      const reply = read();
      const extra = reply.added
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean);
      const problems: FieldError[] = [];
      if (!reply.to.length && !extra.length)
        problems.push({ path: 'to', message: 'Choose at least one person to send the reply to' });
      if (!reply.body.trim()) problems.push({ path: 'body', message: 'Write your reply' });
      problems.push(...files.problems());
      if (problems.length) return composerErrors.show(problems);
      void composerErrors.run(submitter, async () => {
        const sent = await api<MessageWithLinks>(
          'POST',
          `/api/requests/${encodeURIComponent(detail.id)}/replies`,
          {
            expectedVersion: detail.version,
            to: [...reply.to, ...extra],
            cc: reply.cc.filter((address) => !reply.to.includes(address)),
            ...(extra.length ? { addRecipients: true } : {}),
            ...(reply.subject.trim() ? { subject: reply.subject.trim() } : {}),
            body: reply.body,
            ...(reply.markdown ? { format: 'markdown' } : {}),
            ...(reply.templateId ? { templateId: reply.templateId } : {}),
            attachments: files.uploadIds().map((uploadId) => ({ uploadId })),
          },
        );
        reload(
          `Your reply to ${sent.to.join(', ')} is on its way. The timeline shows when it has been sent.`,
        );
      });
    },
    to.group,
    cc?.group,
    added?.group,
    subject.group,
    picker
      ? h(
          'div',
          { class: 'template-picker' },
          picker.group,
          button('Use this template', { kind: 'secondary', type: 'button', onClick: useTemplate }),
        )
      : null,
    body.group,
    markdown.group,
    files.field.group,
    button('Send reply'),
  );

  return h(
    'section',
    { class: 'composer', id: 'reply', 'aria-labelledby': 'reply-heading' },
    h(
      'h2',
      { class: 'heading-m composer__heading', id: 'reply-heading' },
      'Reply to the requester — this is sent by email',
    ),
    h(
      'p',
      { class: 'body' },
      'It goes from the office’s address to the people you choose, on this request’s thread, and is kept in the timeline.',
    ),
    people.length
      ? composer
      : h(
          'p',
          { class: 'body' },
          'This request has no email address to reply to. Write to the requester by post, and add an internal note to say so.',
        ),
  );
}
