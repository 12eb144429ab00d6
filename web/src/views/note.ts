import { api, get } from '../api.ts';
import { type Child, h, replace } from '../dom.ts';
import { actionNames, dateTime } from '../format.ts';
import {
  button,
  errorSummaryHost,
  FormErrors,
  form,
  required,
  select,
  textArea,
  textInput,
} from '../forms.ts';
import {
  backLink,
  buttonLink,
  heading,
  notice,
  type Page,
  section,
  summaryList,
  type View,
} from '../page.ts';
import { publicationFrame } from '../publication-frame.ts';
import { act, actionPath, doneMessages, loadDetail, requestPath } from '../requests.ts';
import { reload } from '../router.ts';
import type { NoteDraft, NoteVersion, PublicationPreview, RequestDetail } from '../types.ts';

/**
 * The note editor: title and Markdown body (GET/PUT /note, versioned, 409 when someone
 * saved in between), a live preview made by publication's own renderer, every saved
 * version and the changes between any two.
 */

/** Undoes shared/mail/templates/html.ts's escapeHtml, the only escaping the renderer does. */
const unescapeHtml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * The office's name as the preview endpoint rendered it into the page's <title>. Read
 * with a pattern, not DOMParser: parsing the page would trip the policy on its <style>.
 */
function officeNameOf(preview: PublicationPreview): string {
  const title = unescapeHtml(preview.page.match(/<title>([\s\S]*?)<\/title>/)?.[1] ?? '');
  const prefix = `${preview.meeting.title} - `;
  return title.startsWith(prefix) ? title.slice(prefix.length) : title;
}

function diffView(diff: string, from: number, to: number): HTMLElement {
  const lines = diff.split('\n').map((line) => {
    const kind =
      line.startsWith('+++') || line.startsWith('---')
        ? 'file'
        : line.startsWith('@@')
          ? 'hunk'
          : line.startsWith('+')
            ? 'add'
            : line.startsWith('-')
              ? 'del'
              : 'same';
    return h('span', { class: `diff__line diff__line--${kind}` }, `${line}\n`);
  });
  return h(
    'div',
    { class: 'diff-result' },
    h(
      'h3',
      { class: 'heading-s', id: 'diff-heading' },
      `Changes from version ${from} to version ${to}`,
    ),
    h(
      'p',
      { class: 'hint' },
      'Lines starting with + were added; lines starting with - were removed.',
    ),
    h(
      'pre',
      { class: 'diff', tabindex: '0', 'aria-labelledby': 'diff-heading', role: 'region' },
      lines,
    ),
  );
}

function versionsSection(
  detail: RequestDetail,
  versions: NoteVersion[],
  errors: FormErrors,
): HTMLElement {
  if (!versions.length)
    return section(
      'Versions',
      'versions-heading',
      h('p', { class: 'body' }, 'No version has been saved yet.'),
    );
  const choices = versions.map((version) => ({
    value: String(version.version),
    text: `Version ${version.version}`,
  }));
  const result = h('div', { class: 'diff-host', 'aria-live': 'polite' });
  const from = errors.add(
    select({
      label: 'From version',
      path: 'from',
      choices,
      value: String(versions.at(-2)?.version ?? versions[0]?.version ?? ''),
    }),
  );
  const to = errors.add(
    select({
      label: 'To version',
      path: 'to',
      choices,
      value: String(versions.at(-1)?.version ?? ''),
    }),
  );
  return section(
    'Versions',
    'versions-heading',
    h(
      'table',
      { class: 'table' },
      h('caption', { class: 'visually-hidden' }, 'Saved versions of the note'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Version', 'Title', 'Saved by', 'Saved at'].map((text) =>
            h('th', { scope: 'col', class: 'table__header' }, text),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        [...versions]
          .reverse()
          .map((version) =>
            h(
              'tr',
              {},
              h('td', { class: 'table__cell' }, String(version.version)),
              h('td', { class: 'table__cell' }, version.title),
              h('td', { class: 'table__cell' }, version.savedBy),
              h('td', { class: 'table__cell' }, dateTime(version.savedAt)),
            ),
          ),
      ),
    ),
    versions.length > 1 &&
      form(
        undefined,
        (submitter) =>
          void errors.run(submitter, async () => {
            const answer = await get<{ from: number; to: number; diff: string }>(
              `/api/requests/${encodeURIComponent(detail.id)}/note/diff?from=${from.control.value}&to=${to.control.value}`,
            );
            replace(result, diffView(answer.diff, answer.from, answer.to));
          }),
        h('h3', { class: 'heading-s' }, 'Compare two versions'),
        h('div', { class: 'form-row' }, from.group, to.group),
        button('Show changes', { kind: 'secondary' }),
      ),
    result,
  );
}

export const noteView: View = async ({ params }): Promise<Page> => {
  const id = params.id ?? '';
  const [detail, note, versions, preview] = await Promise.all([
    loadDetail(id),
    get<NoteDraft>(`/api/requests/${encodeURIComponent(id)}/note`),
    get<{ versions: NoteVersion[] }>(`/api/requests/${encodeURIComponent(id)}/note/versions`).then(
      (answer) => [...answer.versions].sort((a, b) => a.version - b.version),
    ),
    get<PublicationPreview>(`/api/requests/${encodeURIComponent(id)}/publication-preview`),
  ]);
  const renderer = await import('../preview.ts');
  await renderer.redactionReady(detail.request.redactions);
  const officeName = officeNameOf(preview);
  const canEdit = detail.allowedActions.includes('save_draft');
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary, {
    what: 'the note',
    reload: () => reload(),
    advice:
      'Copy your text somewhere safe, reload to see their version, then make your changes again.',
  });
  const title = errors.add(textInput({ label: 'Title', path: 'title', value: note.title }));
  const body = errors.add(
    textArea({
      label: 'Note',
      path: 'body',
      value: note.body,
      rows: 24,
      hint: 'Markdown: ## for a section, ### for a sub-heading, - for a list item, [^1] for a footnote reference and [^1]: for its text. Raw HTML is shown as text.',
    }),
  );
  body.control.classList.add('textarea--code');
  const frameHost = h('div', { class: 'preview-host' });
  const paint = () =>
    replace(
      frameHost,
      publicationFrame(
        renderer.renderNotePreview(
          preview.meeting,
          officeName,
          detail.request,
          canEdit ? title.control.value : note.title,
          canEdit ? body.control.value : note.body,
        ),
        'Preview of the public meeting page',
      ),
    );
  let timer = 0;
  const schedulePaint = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(paint, 400);
  };
  title.control.addEventListener('input', schedulePaint);
  body.control.addEventListener('input', schedulePaint);
  paint();

  const dirty = () => title.control.value !== note.title || body.control.value !== note.body;
  const save = async () => {
    const saved = await api<{ version: number }>(
      'PUT',
      `/api/requests/${encodeURIComponent(id)}/note`,
      {
        expectedVersion: note.version,
        title: title.control.value.trim(),
        body: body.control.value,
      },
    );
    reload(`Note saved as version ${saved.version}.`);
  };
  const canSubmit = detail.allowedActions.includes('submit_note');
  const editor: Child = canEdit
    ? form(
        undefined,
        (submitter) => {
          const missing = required([[title, 'Enter a title for the note']]);
          if (missing.length) return errors.show(missing);
          void errors.run(submitter, save);
        },
        title.group,
        body.group,
        h('div', { class: 'button-group' }, button('Save draft')),
      )
    : summaryList([
        ['Title', note.title],
        ['Version', String(note.version)],
      ]);
  const submitForm: Child = canSubmit
    ? form(
        undefined,
        (submitter) => {
          if (dirty())
            return errors.show([
              {
                path: 'body',
                message:
                  'Save the draft before you submit it: the note has changes that are not saved',
              },
            ]);
          void errors.run(submitter, async () => {
            await act(detail, 'submit_note');
            reload(doneMessages.submit_note);
          });
        },
        h('p', { class: 'body' }, 'When the note is ready, submit it. The approvers are told.'),
        button(actionNames.submit_note, { kind: 'secondary' }),
      )
    : null;
  const next = (['approve', 'request_changes', 'review_redactions'] as const).filter((action) =>
    detail.allowedActions.includes(action),
  );
  return {
    title: `${canEdit ? 'Edit the note' : 'The note'}: ${detail.reference}`,
    version: detail.version,
    content: [
      backLink(requestPath(id), `Back to ${detail.reference}`),
      summary,
      heading(
        canEdit ? 'Edit the note of the meeting' : 'The note of the meeting',
        detail.reference,
      ),
      h('p', { class: 'body lead' }, detail.subject),
      !canEdit &&
        notice('You can read this note but not change it at this stage, or with your role.'),
      h(
        'div',
        { class: 'editor' },
        h(
          'div',
          { class: 'editor__input' },
          section(canEdit ? 'Draft' : 'Current version', 'draft-heading', editor, submitForm),
        ),
        h(
          'div',
          { class: 'editor__preview' },
          section(
            'Preview',
            'preview-heading',
            h(
              'p',
              { class: 'hint' },
              `The public meeting page as publication will render it, with the redactions applied.${canEdit ? ' It updates as you type.' : ''}`,
            ),
            frameHost,
          ),
        ),
      ),
      next.length > 0 &&
        h(
          'div',
          { class: 'button-group' },
          next.map((action) =>
            buttonLink(
              action === 'review_redactions'
                ? `${requestPath(id)}/redactions`
                : actionPath(id, action),
              actionNames[action],
            ),
          ),
        ),
      versionsSection(detail, versions, errors),
    ],
  };
};
