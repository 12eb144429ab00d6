import { api, type FieldError, get } from '../api.ts';
import { h } from '../dom.ts';
import {
  button,
  checkbox,
  errorSummaryHost,
  type Field,
  FormErrors,
  form,
  textArea,
  textInput,
} from '../forms.ts';
import { backLink, heading, notice, type Page, section, type View } from '../page.ts';
import { publicationFrame } from '../publication-frame.ts';
import { doneMessages, firstLetter, loadDetail, requestPath } from '../requests.ts';
import { reload } from '../router.ts';
import type { PublicationPreview, RedactionReview } from '../types.ts';

/**
 * The redaction review: what the detectors found in the note and the letter (redacted
 * unless reinstated, with a reason for the audit trail), text and patterns staff add,
 * the attachments cleared to go out, and the public pages exactly as they would be now.
 */
const kindNames: Record<string, string> = {
  email: 'Email address',
  phone: 'Phone number',
  postcode: 'Postcode',
  'postal-address': 'Postal address',
  'ni-number': 'National Insurance number',
  name: 'Name',
  'staff-marked': 'Marked by staff',
  'staff-pattern': 'Matched a pattern',
};

const lines = (value: string) =>
  value
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

export const redactionsView: View = async ({ params }): Promise<Page> => {
  const id = params.id ?? '';
  const [detail, review, preview] = await Promise.all([
    loadDetail(id),
    get<RedactionReview>(`/api/requests/${encodeURIComponent(id)}/redactions`),
    get<PublicationPreview>(`/api/requests/${encodeURIComponent(id)}/publication-preview`),
  ]);
  const canReview = detail.allowedActions.includes('review_redactions');
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary, { what: 'this request', reload: () => reload() });

  // The same finding in the note and the letter is one decision.
  const findings = new Map<string, RedactionReview['findings'][number] & { places: string[] }>();
  for (const finding of review.findings) {
    const known = findings.get(finding.id);
    if (known) known.places.push(finding.where);
    else findings.set(finding.id, { ...finding, places: [finding.where] });
  }
  const decisions = [...findings.values()].map((finding, index) => {
    // A name of someone attending in an official role is published unless staff say not:
    // its box asks the opposite question, and needs no reason.
    const publish = checkbox({
      label: finding.official
        ? 'Redact this name (published by default: they attend in an official role)'
        : 'Publish this instead of redacting it',
      path: `finding.${index}`,
      checked: finding.official ? finding.redacted : !finding.redacted,
    });
    const reason = textInput({
      label: 'Why may this be published?',
      path: `finding.${index}.reason`,
      hint: 'Kept in the audit trail.',
      value: finding.reinstatedBecause ?? '',
    });
    reason.group.classList.add('conditional');
    reason.group.hidden = finding.official || !publish.control.checked;
    publish.control.addEventListener('change', () => {
      reason.group.hidden = finding.official || !publish.control.checked;
    });
    const element = h(
      'fieldset',
      { class: 'fieldset finding' },
      h('legend', { class: 'fieldset__legend fieldset__legend--s' }, `“${finding.text}”`),
      h(
        'p',
        { class: 'hint' },
        `${kindNames[finding.kind] ?? finding.kind}, in the ${finding.places.join(' and the ')}. ${finding.redacted ? 'Currently redacted.' : 'Currently published.'}`,
      ),
      publish.group,
      reason.group,
    );
    return { finding, publish, reason, element };
  });
  const texts = errors.add(
    textArea({
      label: 'Other text to redact',
      path: 'texts',
      hint: 'One per line: names of private individuals, or anything else that must not be published.',
      // Officials' names staff chose to redact are their boxes above, not lines here.
      value: review.decisions.texts
        .filter(
          (text) =>
            !review.findings.some(
              (finding) => finding.official && finding.text.toLowerCase() === text.toLowerCase(),
            ),
        )
        .join('\n'),
      rows: 4,
    }),
  );
  const patterns = errors.add(
    textArea({
      label: 'Patterns to redact',
      path: 'patterns',
      hint: 'Optional. One regular expression per line, matched ignoring case.',
      value: review.decisions.patterns.join('\n'),
      rows: 3,
      spellcheck: false,
    }),
  );
  const letter = firstLetter(detail);
  const attachments = letter?.documents?.attachments ?? [];
  const cleared = new Set(review.decisions.clearedAttachments ?? []);
  const reasons = new Map(
    (review.decisions.clearingReasons ?? []).map((entry) => [entry.key, entry.reason]),
  );
  const attachmentBoxes = attachments.map((attachment, index) => {
    const scan = review.attachments.find((candidate) => candidate.key === attachment.key);
    const box = errors.add(
      checkbox({
        label: `Publish ${attachment.filename}`,
        path: `clearedAttachments.${index}`,
        checked: cleared.has(attachment.key),
        hint: !scan?.scanned
          ? `Not fully checked: ${scan?.unread ?? 'its text could not be read'}. Open it and check it yourself.`
          : scan.findings
            ? `Personal data found in it: ${scan.findings} (listed above, under the attachment).`
            : 'Nothing personal was found in its text.',
      }),
    );
    const reason = scan?.needsReason
      ? errors.add(
          textInput({
            label: `Why may ${attachment.filename} be published?`,
            path: `clearingReasons.${index}.reason`,
            hint: 'Needed to publish it. Kept in the audit trail.',
            value: reasons.get(attachment.key) ?? '',
          }),
        )
      : undefined;
    if (reason) {
      reason.group.classList.add('conditional');
      reason.group.hidden = !box.control.checked;
      box.control.addEventListener('change', () => {
        reason.group.hidden = !box.control.checked;
      });
    }
    return { attachment, box, reason, group: h('div', {}, box.group, reason?.group) };
  });

  const submit = (submitter: HTMLButtonElement | null) => {
    errors.remove((field) => field.path.startsWith('reinstated.'));
    const problems: FieldError[] = [];
    const reinstated: Array<{ id: string; reason: string }> = [];
    const officialsToRedact = decisions
      .filter((decision) => decision.finding.official && decision.publish.control.checked)
      .map((decision) => decision.finding.text);
    for (const decision of decisions) {
      if (decision.finding.official || !decision.publish.control.checked) continue;
      const path = `reinstated.${reinstated.length}.reason`;
      errors.add({ ...decision.reason, path } as Field);
      const text = decision.reason.control.value.trim();
      if (!text)
        problems.push({ path, message: `Say why “${decision.finding.text}” may be published` });
      reinstated.push({ id: decision.finding.id, reason: text });
    }
    const textList = [...new Set([...lines(texts.control.value), ...officialsToRedact])];
    textList.forEach((value, index) => {
      if (value.length < 2)
        problems.push({
          path: `texts.${index}`,
          message: `Line ${index + 1} of the text to redact is too short: give at least 2 characters`,
        });
    });
    const patternList = lines(patterns.control.value);
    patternList.forEach((source, index) => {
      try {
        new RegExp(source, 'gi');
      } catch (error) {
        problems.push({
          path: `patterns.${index}`,
          message: `Pattern ${index + 1} is not a valid regular expression (${(error as Error).message})`,
        });
      }
    });
    if (problems.length) return errors.show(problems);
    void errors.run(submitter, async () => {
      await api('PUT', `/api/requests/${encodeURIComponent(id)}/redactions`, {
        expectedVersion: review.version,
        reinstated,
        texts: textList,
        patterns: patternList,
        clearedAttachments: attachmentBoxes
          .filter(({ box }) => box.control.checked)
          .map(({ attachment }) => attachment.key),
        clearingReasons: attachmentBoxes.flatMap(({ attachment, box, reason }) =>
          box.control.checked && reason?.control.value.trim()
            ? [{ key: attachment.key, reason: reason.control.value.trim() }]
            : [],
        ),
      });
      reload(doneMessages.review_redactions);
    });
  };

  const fieldsets = [
    section(
      'Personal data found',
      'findings-heading',
      decisions.length
        ? [
            h(
              'p',
              { class: 'body' },
              'Each of these is redacted in the public copy unless you choose to publish it.',
            ),
            decisions.map((decision) => decision.element),
          ]
        : h('p', { class: 'body' }, 'Nothing was found in the note or the letter.'),
    ),
    section('Your own redactions', 'own-heading', texts.group, patterns.group),
    section(
      'Attachments',
      'attachments-heading',
      attachments.length
        ? h(
            'fieldset',
            { class: 'fieldset' },
            h(
              'legend',
              { class: 'fieldset__legend fieldset__legend--s' },
              'Attachments to publish beside the letter',
            ),
            h(
              'p',
              { class: 'hint' },
              'Only the attachments you tick are published, as they are: redaction does not change files. One with personal data in it, or whose text could not be read, needs a reason.',
            ),
            attachmentBoxes.map(({ group }) => group),
          )
        : h('p', { class: 'body' }, 'The letter has no attachments.'),
    ),
  ];
  return {
    title: `Review redactions: ${detail.reference}`,
    version: detail.version,
    content: [
      backLink(requestPath(id), `Back to ${detail.reference}`),
      summary,
      heading('Review redactions', detail.reference),
      h('p', { class: 'body lead' }, detail.subject),
      review.namesRead === 'all'
        ? null
        : notice(
            review.namesRead === 'pending'
              ? 'People’s names in the letter are still being looked for (other personal data is listed below). Look again shortly before you approve.'
              : 'The letter is long: people’s names were looked for only in its first part. Read the rest yourself for private names, and mark any under “Your own redactions”.',
            'warning',
          ),
      canReview
        ? form(
            undefined,
            submit,
            fieldsets,
            h('div', { class: 'button-group' }, button('Save redaction decisions')),
          )
        : [
            notice(
              'You can see the redactions here. They can be changed only while the note is being written or reviewed, by staff whose role allows it.',
            ),
            h(
              'fieldset',
              { class: 'fieldset', disabled: true },
              h('legend', { class: 'visually-hidden' }, 'Redaction decisions (read only)'),
              fieldsets,
            ),
          ],
      section(
        'Preview of the public pages',
        'public-preview-heading',
        h(
          'p',
          { class: 'body' },
          'Exactly what publication would write now, with the saved decisions applied. Save your changes to see them here.',
        ),
        h('h3', { class: 'heading-s' }, 'The meeting page'),
        publicationFrame(preview.page, 'Preview of the public meeting page'),
        h('h3', { class: 'heading-s' }, 'The letter page'),
        publicationFrame(preview.letter, 'Preview of the public letter page'),
      ),
    ],
  };
};
