import { attendeeEditor } from '../attendees.ts';
import { h } from '../dom.ts';
import {
  actionNames,
  fromLocalInput,
  localTimeProblem,
  officeTimeHint,
  toLocalInput,
} from '../format.ts';
import { button, errorSummaryHost, FormErrors, form, required, textInput } from '../forms.ts';
import { backLink, heading, type Page, type View } from '../page.ts';
import { act, doneMessages, loadDetail, requestPath } from '../requests.ts';
import { navigate, reload } from '../router.ts';
import type { Attendee } from '../types.ts';

/**
 * Scheduling and rescheduling: start, end, location and the attendees. The requester and
 * every attendee with an address get an iCalendar invitation (a reschedule keeps its UID
 * and bumps SEQUENCE).
 */
export const scheduleView = async ({
  params,
  announce,
  draft,
}: Parameters<View>[0]): Promise<Page> => {
  const detail = await loadDetail(params.id ?? '');
  const action = detail.allowedActions.includes('reschedule') ? 'reschedule' : 'schedule';
  const back = backLink(requestPath(detail.id), `Back to ${detail.reference}`);
  if (!detail.allowedActions.includes(action)) {
    return {
      title: 'Scheduling is not available',
      content: [
        back,
        heading('Scheduling is not available', detail.reference),
        h(
          'p',
          { class: 'body' },
          'You cannot schedule a meeting for this request at its current stage, or with your role.',
        ),
      ],
    };
  }
  const meeting = detail.request.meeting;
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary, { what: 'this request', reload: () => reload() });
  const start = errors.add(
    textInput({
      label: 'Start date and time',
      path: 'start',
      hint: officeTimeHint(),
      type: 'datetime-local',
      value: toLocalInput(meeting?.start),
      width: 'medium',
    }),
  );
  const end = errors.add(
    textInput({
      label: 'End date and time',
      path: 'end',
      hint: officeTimeHint(),
      type: 'datetime-local',
      value: toLocalInput(meeting?.end),
      width: 'medium',
    }),
  );
  const location = errors.add(
    textInput({
      label: 'Location',
      path: 'location',
      hint: 'The address, or how to join online',
      value: meeting?.location ?? '',
    }),
  );
  const officeHolder = errors.add(
    textInput({
      label: 'Met for the office by (optional)',
      path: 'officeHolder',
      hint: 'Leave it blank when the office-holder met them. Fill it in when someone else did, such as a deputy: the quarterly return names them.',
      value: meeting?.officeHolder ?? '',
    }),
  );
  const shown: Array<Partial<Attendee>> = meeting?.attendees ?? [
    {
      name: detail.sender.name,
      organisation: detail.organisation ?? '',
      email: detail.sender.address,
      host: true,
    },
  ];
  // A form kept when a session ended comes back with exactly the rows it had (the app
  // fills them in once shown), unless the request has changed since.
  const kept = draft?.version === detail.version ? draft.values : {};
  const keptRows = Object.keys(kept).reduce(
    (rows, key) => Math.max(rows, Number(/^attendees\.(\d+)\./.exec(key)?.[1] ?? -1) + 1),
    0,
  );
  const attendees = attendeeEditor(
    keptRows > 0 ? Array.from({ length: keptRows }, () => ({})) : shown,
    errors,
    announce,
  );
  const title = action === 'reschedule' ? 'Reschedule the meeting' : 'Schedule the meeting';
  return {
    title: `${title}: ${detail.reference}`,
    version: detail.version,
    content: [
      back,
      summary,
      heading(title, detail.reference),
      h('p', { class: 'body lead' }, detail.subject),
      h(
        'p',
        { class: 'body' },
        action === 'reschedule'
          ? 'Everyone invited gets an updated invitation.'
          : 'The requester and every attendee with an email address get an invitation.',
      ),
      form(
        undefined,
        (submitter) => {
          const problems = [
            ...required([
              [start, 'Enter the date and time the meeting starts'],
              [end, 'Enter the date and time the meeting ends'],
              [location, 'Enter where the meeting is'],
            ]),
            ...attendees.check(),
          ];
          for (const field of [start, end]) {
            const problem = localTimeProblem(field.control.value);
            if (problem) problems.push({ path: field.path, message: problem });
          }
          const startsAt = fromLocalInput(start.control.value);
          const endsAt = fromLocalInput(end.control.value);
          if (startsAt && endsAt && endsAt <= startsAt)
            problems.push({ path: 'end', message: 'The meeting must end after it starts' });
          if (problems.length) return errors.show(problems);
          void errors.run(submitter, async () => {
            await act(detail, action, {
              start: startsAt,
              end: endsAt,
              location: location.control.value.trim(),
              attendees: attendees.read(),
              // Left out when blank: the office-holder OFFICE_HOLDER names met them.
              ...(officeHolder.control.value.trim()
                ? { officeHolder: officeHolder.control.value.trim() }
                : {}),
            });
            navigate(requestPath(detail.id), { flash: doneMessages[action] });
          });
        },
        h('div', { class: 'form-row' }, start.group, end.group),
        location.group,
        officeHolder.group,
        attendees.element,
        h(
          'div',
          { class: 'button-group' },
          button(actionNames[action]),
          h('a', { class: 'link', href: requestPath(detail.id) }, 'Cancel'),
        ),
      ),
    ],
  };
};
