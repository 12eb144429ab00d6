import { api, type FieldError } from '../api.ts';
import { h } from '../dom.ts';
import { fromLocalInput, longDate, officeToday } from '../format.ts';
import {
  button,
  errorSummaryHost,
  FormErrors,
  form,
  radios,
  required,
  textArea,
  textInput,
} from '../forms.ts';
import { backLink, heading, type View } from '../page.ts';
import { requestPath } from '../requests.ts';
import { navigate } from '../router.ts';
import { fileUploads } from '../uploads.ts';

/**
 * A request opened by hand (POST /api/requests), for correspondence that did not come by
 * email: a letter by post, a phone call, or a meeting the office arranged itself. It then
 * goes through the workflow as a letter by email does.
 */
export const newRequestView: View = ({ announce }) => {
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary);
  const today = officeToday();
  const channel = errors.add(
    radios({
      legend: 'How did it reach the office?',
      path: 'channel',
      value: 'post',
      choices: [
        { value: 'post', text: 'By post' },
        { value: 'phone', text: 'By phone' },
        { value: 'office', text: 'Arranged by the office' },
      ],
    }),
  );
  const name = errors.add(
    textInput({
      label: 'Name of the person who wrote, called or is meeting the office',
      path: 'sender.name',
    }),
  );
  const address = errors.add(
    textInput({
      label: 'Their email address (optional)',
      path: 'sender.address',
      hint: 'If they gave one, they are sent the reference, and replies from the request go to them.',
      type: 'email',
      spellcheck: false,
    }),
  );
  const organisation = errors.add(
    textInput({ label: 'Organisation (optional)', path: 'organisation' }),
  );
  const subject = errors.add(
    textInput({ label: 'Subject', path: 'subject', hint: 'What they ask for, in a line.' }),
  );
  const text = errors.add(
    textArea({
      label: 'The letter’s text, or notes of the call',
      path: 'text',
      hint: 'It is kept as the letter. It may be left empty if the scans say it all.',
      rows: 10,
    }),
  );
  const received = errors.add(
    textInput({
      label: 'Date received',
      path: 'receivedAt',
      hint: 'The reply deadline counts from this day.',
      type: 'date',
      width: 'medium',
      value: today,
    }),
  );
  const scans = fileUploads({
    label: 'Scans and files (optional)',
    path: 'uploadIds',
    hint: 'The letter as scanned, and anything that came with it. Each file is uploaded as soon as you choose it.',
    announce,
  });
  errors.add(scans.field);

  const submit = (submitter: HTMLButtonElement | null) => {
    const day = received.control.value;
    const problems: FieldError[] = [
      ...required([
        [name, 'Enter the name of the person who wrote, called or is meeting the office'],
        [subject, 'Enter a subject'],
        [received, 'Enter the date it was received'],
      ]),
      ...(day > today
        ? [
            {
              path: received.path,
              message: `The date received must be today (${longDate(today)}) or earlier`,
            },
          ]
        : []),
      ...scans.problems(),
    ];
    if (problems.length) return errors.show(problems);
    void errors.run(submitter, async () => {
      const opened = await api<{ id: string; reference: string }>('POST', '/api/requests', {
        channel: channel.value(),
        sender: {
          name: name.control.value.trim(),
          ...(address.control.value.trim() ? { address: address.control.value.trim() } : {}),
        },
        ...(organisation.control.value.trim()
          ? { organisation: organisation.control.value.trim() }
          : {}),
        subject: subject.control.value.trim(),
        text: text.control.value,
        // Today is now; an earlier day is taken from its start, on the office's clock.
        ...(day && day !== today ? { receivedAt: fromLocalInput(`${day}T00:00`) ?? day } : {}),
        uploadIds: scans.uploadIds(),
      });
      navigate(requestPath(opened.id), { flash: `Request ${opened.reference} opened.` });
    });
  };

  return {
    title: 'New request',
    content: [
      backLink('/', 'Back to the inbox'),
      summary,
      heading('New request'),
      h(
        'p',
        { class: 'body' },
        'For a request that did not come by email: a letter by post, a phone call, or a meeting the office arranged itself. Mail that comes by email becomes a request by itself.',
      ),
      form(
        undefined,
        submit,
        channel.group,
        name.group,
        address.group,
        organisation.group,
        subject.group,
        text.group,
        received.group,
        scans.field.group,
        h(
          'div',
          { class: 'button-group' },
          button('Open request'),
          h('a', { class: 'link', href: '/' }, 'Cancel'),
        ),
      ),
    ],
  };
};
