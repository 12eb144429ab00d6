import { placeholders } from '../../../shared/correspondence/placeholders.ts';
import { api, get } from '../api.ts';
import { h } from '../dom.ts';
import { dateTime } from '../format.ts';
import {
  button,
  errorSummaryHost,
  type Field,
  FormErrors,
  form,
  required,
  textArea,
  textInput,
} from '../forms.ts';
import {
  backLink,
  buttonLink,
  heading,
  notice,
  type Page,
  summaryList,
  type View,
} from '../page.ts';
import { navigate, reload } from '../router.ts';
import type { ReplyTemplate, TemplateList } from '../types.ts';

/**
 * Reply templates: the saved replies staff start from when they write to a requester.
 * Every member of staff can read them; admins write them (PUT /api/templates/{id}).
 */
const isAdmin = (roles: readonly string[]) => roles.includes('admin');
const placeholderList = placeholders.map((name) => `{{${name}}}`).join(', ');
const editPath = (id: string) => `/templates/${encodeURIComponent(id)}/edit`;

const loadTemplates = async () => (await get<TemplateList>('/api/templates')).items;

function templateCard(template: ReplyTemplate, admin: boolean): HTMLElement {
  const id = `template-${template.id}`;
  return h(
    'section',
    { class: 'template section', 'aria-labelledby': id },
    h('h2', { class: 'heading-m', id }, template.name),
    summaryList([
      ['Id', template.id],
      ['Subject', template.subject ?? 'The usual “Re:” subject'],
      ['Message', h('div', { class: 'template__body' }, template.body)],
      [
        'Last saved',
        `By ${template.updatedBy}, ${dateTime(template.updatedAt)} (version ${template.version})`,
      ],
    ]),
    admin
      ? h(
          'p',
          { class: 'body' },
          h(
            'a',
            { href: editPath(template.id) },
            'Edit',
            h('span', { class: 'visually-hidden' }, ` the template “${template.name}”`),
          ),
        )
      : null,
  );
}

export const templatesView: View = async ({ member }) => {
  const templates = await loadTemplates();
  const admin = isAdmin(member.roles);
  return {
    title: 'Reply templates',
    content: [
      heading('Reply templates'),
      h(
        'p',
        { class: 'body' },
        `Saved replies staff start from when they write to a requester. Placeholders are filled in when a reply is sent: ${placeholderList}.`,
      ),
      admin
        ? buttonLink('/templates/new', 'New template', 'primary')
        : notice('Only an admin can add or change templates.'),
      templates.length
        ? templates.map((template) => templateCard(template, admin))
        : h('p', { class: 'body' }, 'There are no templates yet.'),
    ],
  };
};

export const templateEditView: View = async ({ params, member }): Promise<Page> => {
  const templates = await loadTemplates();
  const existing = params.id ? templates.find((template) => template.id === params.id) : undefined;
  const back = backLink('/templates', 'Back to the templates');
  if (!isAdmin(member.roles) || (params.id && !existing)) {
    const title = existing || !params.id ? 'Only an admin can change templates' : 'Not found';
    return {
      title,
      content: [
        back,
        heading(title),
        h(
          'p',
          { class: 'body' },
          existing || !params.id
            ? 'Ask an admin to add or change a template.'
            : `There is no template with the id “${params.id}”.`,
        ),
      ],
    };
  }
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary, {
    what: 'this template',
    reload: () => reload(),
  });
  const id = existing
    ? undefined
    : errors.add(
        textInput({
          label: 'Id',
          // A bad id is refused in the address, where the API names it path.id.
          path: 'path.id',
          hint: 'How postroom names the template: 1 to 64 lower-case letters, digits and hyphens, such as meeting-agreed. It cannot be changed later.',
          width: 'medium',
          spellcheck: false,
        }),
      );
  const name = errors.add(
    textInput({
      label: 'Name',
      path: 'name',
      hint: 'What staff choose it by, such as “Meeting agreed”.',
      value: existing?.name,
    }),
  );
  const subject = errors.add(
    textInput({
      label: 'Subject (optional)',
      path: 'subject',
      hint: 'Leave it blank for the usual “Re:” subject. The request’s reference is always added.',
      value: existing?.subject,
    }),
  );
  const body = errors.add(
    textArea({
      label: 'Message',
      path: 'body',
      hint: `Plain text. Placeholders are filled in from the request when a reply is sent: ${placeholderList}.`,
      rows: 12,
      value: existing?.body,
    }),
  );
  const title = existing ? `Edit the template “${existing.name}”` : 'New template';
  return {
    title,
    content: [
      back,
      summary,
      heading(title),
      form(
        undefined,
        (submitter) => {
          const checks: Array<[Field, string]> = [
            [name, 'Enter a name for the template'],
            [body, 'Write the template’s message'],
          ];
          if (id) checks.unshift([id, 'Enter an id for the template']);
          const problems = required(checks);
          const taken = id && templates.find((template) => template.id === id.control.value.trim());
          if (taken)
            problems.push({
              path: id.path,
              message: `The template “${taken.name}” already has this id. Choose another, or edit that template`,
            });
          if (problems.length) return errors.show(problems);
          void errors.run(submitter, async () => {
            const saved = await api<ReplyTemplate>(
              'PUT',
              `/api/templates/${encodeURIComponent(existing?.id ?? id?.control.value.trim() ?? '')}`,
              {
                name: name.control.value,
                subject: subject.control.value,
                body: body.control.value,
              },
            );
            navigate('/templates', { flash: `Template “${saved.name}” saved.` });
          });
        },
        id?.group,
        name.group,
        subject.group,
        body.group,
        h(
          'div',
          { class: 'button-group' },
          button('Save template'),
          h('a', { class: 'link', href: '/templates' }, 'Cancel'),
        ),
      ),
    ],
  };
};
