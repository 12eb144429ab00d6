import { get } from '../api.ts';
import { h } from '../dom.ts';
import {
  actionNames,
  fromLocalInput,
  longDate,
  officeTimeHint,
  roleNames,
  toLocalInput,
} from '../format.ts';
import {
  button,
  errorSummaryHost,
  type Field,
  FormErrors,
  form,
  required,
  select,
  textArea,
  textInput,
} from '../forms.ts';
import { backLink, heading, type Page, section, type View } from '../page.ts';
import { publicationFrame } from '../publication-frame.ts';
import { act, doneMessages, loadDetail, requestPath } from '../requests.ts';
import { navigate, reload } from '../router.ts';
import type { Action, PublicationPreview, RequestDetail, StaffList } from '../types.ts';

/**
 * One page per action that needs something from the person: the fields its row in the
 * transition table requires, and one button. Only actions the API lists in allowedActions
 * for this person get a form.
 */
interface FieldSpec {
  path: string;
  label: string;
  hint?: string;
  /** `staff`: one of the office's staff, chosen from GET /api/staff. */
  kind: 'text' | 'textarea' | 'email' | 'datetime' | 'url' | 'number' | 'date' | 'staff';
  /** The message when it is left empty; absent for optional fields. */
  missing?: string;
  value?: (detail: RequestDetail) => string;
  /** A hint that depends on the request, such as the deadline being moved. */
  hintFor?: (detail: RequestDetail) => string;
}

interface ActionSpec {
  heading: string;
  intro?: string;
  fields: FieldSpec[];
  warning?: boolean;
  /** Show exactly what will be published (approval, and asking for changes). */
  preview?: boolean;
}

const reason = (hint: string, missing: string): FieldSpec => ({
  path: 'reason',
  label: 'Reason',
  hint,
  kind: 'textarea',
  missing,
});

const specs: Partial<Record<Action, ActionSpec>> = {
  accept: {
    heading: 'Accept this request',
    intro: 'The requester is told that the office agrees to meet in principle.',
    fields: [
      { path: 'note', label: 'Note (optional)', hint: 'For the audit trail.', kind: 'textarea' },
    ],
  },
  decline: {
    heading: 'Decline this request',
    intro: 'The requester is told, with your reason. The request is then closed.',
    fields: [reason('The requester sees this.', 'Enter the reason for declining')],
    warning: true,
  },
  withdraw: {
    heading: 'Withdraw this request',
    intro: 'The requester is told, with your reason. The request is then closed.',
    fields: [reason('The requester sees this.', 'Enter the reason for withdrawing')],
    warning: true,
  },
  takedown: {
    heading: 'Take down the published note',
    intro:
      'The note’s pages are removed from the public site, and the index, feed and register are rewritten without it. The request and its audit trail stay.',
    fields: [reason('Kept in the audit trail.', 'Enter the reason for taking the note down')],
    warning: true,
  },
  close: {
    heading: 'Close this request',
    intro:
      'Before the meeting, the request is withdrawn and the requester is told, with your reason. After it, the request is closed and no note will be published. A closed request cannot be reopened.',
    fields: [reason('Kept on the request and in the audit trail.', 'Enter the reason for closing')],
    warning: true,
  },
  revoke_approval: {
    heading: 'Revoke the approval',
    intro:
      'The note goes back to review and is not published, whatever its publication time. It is published only once someone approves it again.',
    fields: [reason('Kept in the audit trail.', 'Enter the reason for revoking the approval')],
    warning: true,
  },
  reopen: {
    heading: 'Reopen this request',
    intro:
      'The request goes back to triage with a new reply deadline, and the requester is told it is being considered again.',
    fields: [reason('Kept in the audit trail.', 'Enter the reason for reopening')],
  },
  extend_deadline: {
    heading: 'Extend the deadline',
    intro:
      'Moves the deadline this request runs against (the reply before the meeting, the note after it) to a later day. To pause the work, extend it to the day it can resume.',
    fields: [
      {
        path: 'until',
        label: 'New deadline',
        hintFor: (detail) =>
          `A day after the current deadline, ${longDate(detail.request.noteDueBy ?? detail.request.replyBy)}.`,
        kind: 'date',
        missing: 'Enter the new deadline',
        value: (detail) => detail.request.noteDueBy ?? detail.request.replyBy,
      },
      reason(
        'Shown on the request and kept in the audit trail.',
        'Enter the reason for the extension',
      ),
    ],
  },
  hold: {
    heading: 'Place this request on legal hold',
    intro:
      'While the hold stands, nothing of this request is disposed of under the retention policy: not its mail, documents or records, however long ago it closed. Nobody is told.',
    fields: [reason('Kept in the audit trail.', 'Enter the reason for the legal hold')],
  },
  release_hold: {
    heading: 'Release the legal hold',
    intro:
      'The retention policy applies again, counted from when the request closed: if that period has passed, the request is disposed of at the next daily run.',
    fields: [reason('Kept in the audit trail.', 'Enter the reason for releasing the hold')],
    warning: true,
  },
  correct: {
    heading: 'Correct the published note',
    intro:
      'The note goes back to draft. Once the corrected note is approved, it is republished at the same address with a dated notice.',
    fields: [
      {
        path: 'note',
        label: 'What is being corrected',
        hint: 'Shown, dated, on the republished page.',
        kind: 'textarea',
        missing: 'Say what is being corrected',
      },
    ],
  },
  request_changes: {
    heading: 'Ask for changes to the note',
    intro: 'The note goes back to draft, and the person who submitted it is told.',
    fields: [
      {
        path: 'comment',
        label: 'Comment',
        hint: 'Say what needs to change.',
        kind: 'textarea',
        missing: 'Enter a comment saying what needs to change',
      },
    ],
    preview: true,
  },
  approve: {
    heading: 'Approve the note',
    intro:
      'Once approved, the note and the letter are published automatically, redacted as shown below.',
    fields: [
      {
        path: 'publishAt',
        label: 'Publish at (optional)',
        hint: 'Leave blank to publish as soon as it is approved.',
        kind: 'datetime',
      },
    ],
    preview: true,
  },
  assign: {
    heading: 'Assign this request',
    intro: 'The new assignee is told by email.',
    fields: [
      {
        path: 'assignee',
        label: 'Assignee',
        hint: 'Only members of staff can be given a request.',
        kind: 'staff',
        missing: 'Choose the person to assign',
        value: (detail) => detail.assignee ?? '',
      },
    ],
  },
  publish: {
    heading: 'Record the publication',
    intro:
      'Publication normally records itself once the pages are out. Use this only to record a publication done by hand.',
    fields: [
      {
        path: 'pageUrl',
        label: 'Page address',
        hint: 'The full address of the published page, starting https://',
        kind: 'url',
        missing: 'Enter the address of the published page',
      },
      {
        path: 'noteVersion',
        label: 'Note version',
        kind: 'number',
        missing: 'Enter the version of the note that was published',
        value: (detail) => String(detail.request.draft?.version ?? ''),
      },
    ],
  },
  record_held: {
    heading: 'Record the meeting as held',
    intro: 'The note of the meeting becomes due, and the assignee is told when.',
    fields: [],
  },
  submit_note: {
    heading: 'Submit the note for approval',
    intro: 'The approvers are told. You cannot approve a note you edited.',
    fields: [],
  },
  comment: {
    heading: 'Add an internal note',
    intro: 'Only staff see internal notes. It is never sent to the requester.',
    fields: [
      {
        path: 'text',
        label: 'Internal note',
        hint: 'Kept on the request and in the audit trail.',
        kind: 'textarea',
        missing: 'Write the internal note',
      },
    ],
  },
};

/** Who a request may be given to, for the `staff` kind: "Cara Caseworker (caseworker)". */
function staffChoices(staff: StaffList, current: string) {
  const choices = staff.items.map((member) => ({
    value: member.email,
    text: `${member.name} (${roleNames(member.roles)}), ${member.email}`,
  }));
  // Someone assigned who has since left the office's groups still shows as assigned.
  if (current && !choices.some((choice) => choice.value === current))
    choices.unshift({ value: current, text: `${current} (no longer listed as staff)` });
  return [{ value: '', text: 'Choose a person' }, ...choices];
}

function control(spec: FieldSpec, detail: RequestDetail, staff: StaffList): Field {
  const value = spec.value?.(detail) ?? '';
  const hint = spec.hintFor?.(detail) ?? spec.hint;
  if (spec.kind === 'textarea')
    return textArea({ label: spec.label, path: spec.path, hint, value, rows: 5 });
  if (spec.kind === 'staff')
    return select({
      label: spec.label,
      path: spec.path,
      hint,
      value,
      choices: staffChoices(staff, value),
    });
  return textInput({
    label: spec.label,
    path: spec.path,
    // Times are typed on the office's clock, which config.json names once the app starts.
    hint: spec.kind === 'datetime' ? `${hint ?? ''} ${officeTimeHint()}.`.trim() : hint,
    value: spec.kind === 'datetime' ? toLocalInput(value) : value,
    type: {
      text: 'text',
      email: 'email',
      datetime: 'datetime-local',
      url: 'url',
      number: 'text',
      date: 'date',
    }[spec.kind as Exclude<FieldSpec['kind'], 'textarea' | 'staff'>],
    inputmode: spec.kind === 'number' ? 'numeric' : undefined,
    autocomplete: spec.kind === 'email' ? 'email' : 'off',
    spellcheck: spec.kind === 'email' || spec.kind === 'url' ? false : undefined,
    width:
      spec.kind === 'number'
        ? 'short'
        : spec.kind === 'datetime' || spec.kind === 'date'
          ? 'medium'
          : 'full',
  });
}

function read(spec: FieldSpec, field: Field): unknown {
  const raw = field.control.value.trim();
  if (!raw) return undefined;
  if (spec.kind === 'datetime') return fromLocalInput(raw) ?? raw;
  if (spec.kind === 'number') return Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return raw;
}

export const actionView: View = async ({ params }): Promise<Page> => {
  const action = (params.action ?? '').replace(/-/g, '_') as Action;
  // The action comes from the address bar: own keys only, never toString or constructor.
  const spec = Object.hasOwn(specs, action) ? specs[action] : undefined;
  const detail = await loadDetail(params.id ?? '');
  const back = backLink(requestPath(detail.id), `Back to ${detail.reference}`);
  if (!spec || !detail.allowedActions.includes(action)) {
    const name = actionNames[action] ?? 'This';
    const withheld = detail.withheldActions.find((entry) => entry.action === action);
    return {
      title: 'Not available',
      content: [
        back,
        heading(`${spec ? name : 'This page'} is not available`, detail.reference),
        h(
          'p',
          { class: 'body' },
          !spec
            ? 'There is no such action.'
            : withheld
              ? `It is not open to you: ${withheld.reason}.`
              : `A request at this stage cannot be given this action by you. It may have moved on since you last looked.`,
        ),
        h(
          'p',
          { class: 'body' },
          h('a', { href: requestPath(detail.id) }, `Go to ${detail.reference}`),
        ),
      ],
    };
  }
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary, { what: 'this request', reload: () => reload() });
  const staff: StaffList = spec.fields.some((fieldSpec) => fieldSpec.kind === 'staff')
    ? await get<StaffList>('/api/staff')
    : { items: [] };
  const fields = spec.fields.map((fieldSpec) => ({
    spec: fieldSpec,
    field: errors.add(control(fieldSpec, detail, staff)),
  }));
  const submitAction = form(
    undefined,
    (submitter) => {
      const missing = required(
        fields.flatMap(({ spec: fieldSpec, field }) =>
          fieldSpec.missing ? [[field, fieldSpec.missing] as [Field, string]] : [],
        ),
      );
      if (missing.length) return errors.show(missing);
      void errors.run(submitter, async () => {
        const values: Record<string, unknown> = {};
        for (const { spec: fieldSpec, field } of fields)
          values[fieldSpec.path] = read(fieldSpec, field);
        await act(detail, action, values);
        navigate(requestPath(detail.id), { flash: doneMessages[action] });
      });
    },
    fields.map(({ field }) => field.group),
    h(
      'div',
      { class: 'button-group' },
      button(actionNames[action], { kind: spec.warning ? 'warning' : 'primary' }),
      h('a', { class: 'link', href: requestPath(detail.id) }, 'Cancel'),
    ),
  );
  let preview: HTMLElement | null = null;
  if (spec.preview) {
    const pages = await get<PublicationPreview>(
      `/api/requests/${encodeURIComponent(detail.id)}/publication-preview`,
    );
    preview = section(
      'What will be published',
      'preview-heading',
      h(
        'p',
        { class: 'body' },
        'The meeting page exactly as it will go out, with redactions applied. ',
        h('a', { href: `${requestPath(detail.id)}/redactions` }, 'Review redactions'),
        ' or ',
        h('a', { href: `${requestPath(detail.id)}/note` }, 'read the note and its versions'),
        '.',
      ),
      publicationFrame(pages.page, 'Preview of the public meeting page'),
    );
  }
  return {
    title: `${spec.heading}: ${detail.reference}`,
    version: detail.version,
    content: [
      back,
      summary,
      heading(spec.heading, detail.reference),
      h('p', { class: 'body lead' }, detail.subject),
      spec.intro && h('p', { class: 'body' }, spec.intro),
      preview,
      preview ? section('Your decision', 'decision-heading', submitAction) : submitAction,
    ],
  };
};
