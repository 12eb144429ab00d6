import type { FieldError } from './api.ts';
import { focusOn, h, hidden, replace } from './dom.ts';
import { button, type FormErrors, radios, textInput } from './forms.ts';
import type { Attendee } from './types.ts';

/**
 * The attendee editor: one fieldset per person (name, role, organisation, optional email,
 * and whether they are the host or an invited guest), rows added and removed with
 * buttons. Field paths follow the API's (attendees.2.email), so its errors land beside
 * the right input.
 */
type Row = {
  name: string;
  role: string;
  organisation: string;
  email: string;
  attending: 'attendee' | 'host' | 'guest';
};

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function attendeeEditor(
  initial: Array<Partial<Attendee>>,
  errors: FormErrors,
  announce: (text: string) => void,
) {
  let rows: Row[] = (initial.length ? initial : [{}]).map((attendee) => ({
    name: attendee.name ?? '',
    role: attendee.role ?? '',
    organisation: attendee.organisation ?? '',
    email: attendee.email ?? '',
    attending: attendee.host ? 'host' : attendee.invitedGuest ? 'guest' : 'attendee',
  }));
  let readers: Array<() => Row> = [];
  let firstInputs: HTMLInputElement[] = [];
  const list = h('div', { class: 'attendees__list' });
  const add = button('Add another attendee', { kind: 'secondary', type: 'button' });
  const wrapper = h(
    'div',
    { class: 'form-group attendees' },
    h(
      'fieldset',
      { class: 'fieldset' },
      h('legend', { class: 'fieldset__legend fieldset__legend--m' }, 'Attendees'),
      h(
        'div',
        { class: 'hint' },
        'Everyone at the meeting. Mark the host, and any invited guest of the host. Those with an email address are sent the invitation.',
      ),
      list,
      add,
    ),
  );

  const collect = () => {
    rows = readers.map((read) => read());
  };

  function render(): void {
    // The rows are built afresh, so error links to the old ones would lead nowhere.
    errors.clear();
    errors.remove((field) => field.path === 'attendees' || field.path.startsWith('attendees.'));
    readers = [];
    firstInputs = [];
    replace(
      list,
      rows.map((row, index) => {
        const number = index + 1;
        const path = (name: string) => `attendees.${index}.${name}`;
        const name = errors.add(
          textInput({ label: 'Name', path: path('name'), value: row.name, autocomplete: 'off' }),
        );
        const role = errors.add(textInput({ label: 'Role', path: path('role'), value: row.role }));
        const organisation = errors.add(
          textInput({
            label: 'Organisation',
            path: path('organisation'),
            value: row.organisation,
            // The public copy's rule (shared/publication/public-copy.ts, forNoOrganisation).
            hint: 'For someone who came for themselves, “Private individual”: they are never named in public',
          }),
        );
        const email = errors.add(
          textInput({
            label: 'Email address (optional)',
            path: path('email'),
            value: row.email,
            type: 'email',
            spellcheck: false,
            width: 'full',
          }),
        );
        const attending = radios({
          legend: 'Attending as',
          path: path('host'),
          value: row.attending,
          inline: true,
          choices: [
            { value: 'attendee', text: 'Attendee' },
            { value: 'host', text: 'Host' },
            { value: 'guest', text: 'Invited guest' },
          ],
        });
        errors.add(attending);
        // The API names either flag; both belong to this one question.
        errors.add({ ...attending, path: path('invitedGuest') });
        readers.push(() => ({
          name: name.control.value,
          role: role.control.value,
          organisation: organisation.control.value,
          email: email.control.value,
          attending: attending.value() as Row['attending'],
        }));
        firstInputs.push(name.control);
        const remove =
          rows.length > 1
            ? button(['Remove', hidden(` attendee ${number}`)], {
                kind: 'secondary',
                type: 'button',
                onClick: () => {
                  collect();
                  rows.splice(index, 1);
                  render();
                  announce(`Attendee ${number} removed. ${rows.length} left.`);
                  focusOn(firstInputs[Math.min(index, rows.length - 1)] ?? add);
                },
              })
            : null;
        return h(
          'fieldset',
          { class: 'fieldset attendee' },
          h('legend', { class: 'fieldset__legend fieldset__legend--s' }, `Attendee ${number}`),
          h(
            'div',
            { class: 'attendee__grid' },
            name.group,
            role.group,
            organisation.group,
            email.group,
          ),
          attending.group,
          remove,
        );
      }),
    );
    // The list-level error ("at least one attendee") goes on the fieldset.
    const first = firstInputs[0];
    if (first)
      errors.add({
        path: 'attendees',
        group: wrapper,
        control: first,
        focusTarget: first,
        label: 'Attendees',
      });
  }

  add.addEventListener('click', () => {
    collect();
    rows.push({ name: '', role: '', organisation: '', email: '', attending: 'attendee' });
    render();
    announce(`Attendee ${rows.length} added.`);
    focusOn(firstInputs[firstInputs.length - 1] ?? null);
  });
  render();

  return {
    element: wrapper,
    /** The attendees as the API takes them. */
    read(): Attendee[] {
      collect();
      return rows.map((row) => ({
        name: row.name.trim(),
        role: row.role.trim(),
        organisation: row.organisation.trim(),
        ...(row.email.trim() ? { email: row.email.trim() } : {}),
        host: row.attending === 'host',
        invitedGuest: row.attending === 'guest',
      }));
    },
    /** What is missing or malformed, in the order the fields appear. */
    check(): FieldError[] {
      collect();
      return rows.flatMap((row, index) => {
        const who = `attendee ${index + 1}`;
        const problems: FieldError[] = [];
        if (!row.name.trim())
          problems.push({ path: `attendees.${index}.name`, message: `Enter ${who}’s name` });
        if (!row.role.trim())
          problems.push({ path: `attendees.${index}.role`, message: `Enter ${who}’s role` });
        if (!row.organisation.trim())
          problems.push({
            path: `attendees.${index}.organisation`,
            message: `Enter ${who}’s organisation`,
          });
        if (row.email.trim() && !emailPattern.test(row.email.trim()))
          problems.push({
            path: `attendees.${index}.email`,
            message: `Enter ${who}’s email address in the right form, like name@example.org, or leave it blank`,
          });
        return problems;
      });
    },
  };
}
