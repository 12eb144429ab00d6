import { ApiProblem, type FieldError } from './api.ts';
import { type Child, focusOn, h, hidden, replace, uid } from './dom.ts';
import { capitalise } from './format.ts';

/**
 * Form building blocks in the GOV.UK Design System's pattern: a label, an optional hint,
 * the error message in the label's group, and an error summary at the top of the page
 * that takes focus and links to each field. API field errors ({ path, message }) land
 * next to the field whose path they name.
 */
type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export interface FieldOptions {
  label: string;
  /** The API's name for the value, as error paths spell it (e.g. 'reason', 'attendees.0.name'). */
  path: string;
  hint?: string;
  value?: string;
  type?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: string;
  rows?: number;
  width?: 'short' | 'medium' | 'full';
  spellcheck?: boolean;
  /** A bigger label, for the one question on a page. */
  pageHeading?: boolean;
}

export interface Field<C extends Control = Control> {
  path: string;
  group: HTMLElement;
  control: C;
  /** The element focused by the error summary link (the control, or a group's first input). */
  focusTarget: HTMLElement;
  label: string;
}

function frame(options: FieldOptions, control: Control): Field<typeof control> {
  const id = uid('field');
  const hintId = `${id}-hint`;
  control.id = id;
  control.name = options.path;
  if (options.hint) control.setAttribute('aria-describedby', hintId);
  if (options.required) control.required = true;
  const group = h(
    'div',
    { class: 'form-group' },
    h('label', { class: options.pageHeading ? 'label label--l' : 'label', for: id }, options.label),
    options.hint && h('div', { class: 'hint', id: hintId }, options.hint),
    control,
  );
  return { path: options.path, group, control, focusTarget: control, label: options.label };
}

export function textInput(options: FieldOptions): Field<HTMLInputElement> {
  const input = h('input', {
    class: `input input--${options.width ?? 'full'}`,
    type: options.type ?? 'text',
    autocomplete: options.autocomplete ?? 'off',
    inputmode: options.inputmode,
    spellcheck: options.spellcheck === false ? 'false' : undefined,
    value: options.value ?? '',
  });
  return frame(options, input) as Field<HTMLInputElement>;
}

export function textArea(options: FieldOptions): Field<HTMLTextAreaElement> {
  const area = h('textarea', {
    class: 'textarea',
    rows: options.rows ?? 5,
    spellcheck: options.spellcheck === false ? 'false' : 'true',
  });
  area.value = options.value ?? '';
  return frame(options, area) as Field<HTMLTextAreaElement>;
}

export function select(
  options: FieldOptions & { choices: Array<{ value: string; text: string }> },
): Field<HTMLSelectElement> {
  const element = h(
    'select',
    { class: 'select' },
    options.choices.map((choice) =>
      h('option', { value: choice.value, selected: choice.value === options.value }, choice.text),
    ),
  );
  return frame(options, element) as Field<HTMLSelectElement>;
}

/** A single checkbox: its own label, no group label. */
export function checkbox(options: {
  label: string;
  path: string;
  checked?: boolean;
  hint?: string;
}): Field<HTMLInputElement> {
  const id = uid('check');
  const input = h('input', {
    class: 'checkbox__input',
    type: 'checkbox',
    id,
    name: options.path,
    'aria-describedby': options.hint ? `${id}-hint` : undefined,
  });
  input.checked = Boolean(options.checked);
  const group = h(
    'div',
    { class: 'form-group' },
    h(
      'div',
      { class: 'checkbox' },
      input,
      h('label', { class: 'checkbox__label', for: id }, options.label),
      options.hint && h('div', { class: 'hint checkbox__hint', id: `${id}-hint` }, options.hint),
    ),
  );
  return { path: options.path, group, control: input, focusTarget: input, label: options.label };
}

interface ChoiceOptions {
  legend: string;
  path: string;
  choices: Array<{ value: string; text: string }>;
  hint?: string;
  inline?: boolean;
}

/** Radios or checkboxes in a fieldset whose legend is the question. */
function choiceGroup(
  kind: 'radio' | 'checkbox',
  options: ChoiceOptions,
  checked: (value: string) => boolean,
) {
  const plural = kind === 'radio' ? 'radios' : 'checkboxes';
  const shared = uid(plural);
  const hintId = options.hint ? uid('hint') : undefined;
  const inputs = options.choices.map((choice, index) => {
    const id = uid(kind);
    const input = h('input', {
      class: `${kind}__input`,
      type: kind,
      id,
      // Radios share a name; each checkbox has its own, so a kept draft puts each back.
      name: kind === 'radio' ? shared : `${options.path}-${index}`,
      value: choice.value,
      'data-path': kind === 'radio' ? options.path : undefined,
    });
    input.checked = checked(choice.value);
    return {
      input,
      item: h(
        'div',
        { class: kind },
        input,
        h('label', { class: `${kind}__label`, for: id }, choice.text),
      ),
    };
  });
  const first = inputs[0]?.input ?? h('input');
  const group = h(
    'div',
    { class: 'form-group' },
    h(
      'fieldset',
      { class: 'fieldset', 'aria-describedby': hintId },
      h('legend', { class: 'fieldset__legend fieldset__legend--s' }, options.legend),
      hintId && h('div', { class: 'hint', id: hintId }, options.hint),
      h(
        'div',
        { class: `${plural}${options.inline ? ` ${plural}--inline` : ''}` },
        inputs.map((entry) => entry.item),
      ),
    ),
  );
  const field: Field<HTMLInputElement> = {
    path: options.path,
    group,
    control: first,
    focusTarget: first,
    label: options.legend,
  };
  return { field, inputs: inputs.map((entry) => entry.input) };
}

/** Radios: one answer to the question. */
export function radios(
  options: ChoiceOptions & { value: string },
): Field<HTMLInputElement> & { value(): string } {
  const { field, inputs } = choiceGroup('radio', options, (value) => value === options.value);
  return {
    ...field,
    value: () => inputs.find((input) => input.checked)?.value ?? options.value,
  };
}

/** Checkboxes: any of the choices, or none. */
export function checkboxes(
  options: ChoiceOptions & { checked: readonly string[] },
): Field<HTMLInputElement> & { values(): string[] } {
  const { field, inputs } = choiceGroup('checkbox', options, (value) =>
    options.checked.includes(value),
  );
  return {
    ...field,
    values: () => inputs.filter((input) => input.checked).map((input) => input.value),
  };
}

export function button(
  text: Child,
  options: {
    kind?: 'primary' | 'secondary' | 'warning';
    type?: 'submit' | 'button';
    onClick?: (event: Event) => void;
  } = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      class: `button${options.kind && options.kind !== 'primary' ? ` button--${options.kind}` : ''}`,
      type: options.type ?? 'submit',
      onclick: options.onClick,
    },
    text,
  );
}

/** The page's error summary: one per page, above the heading. */
export function errorSummaryHost(): HTMLElement {
  return h('div', { class: 'error-summary-host' });
}

function showSummary(host: HTMLElement, title: string, items: Child[], extra?: Child): void {
  const summary = h(
    'div',
    { class: 'error-summary', role: 'alert', 'aria-labelledby': 'error-summary-title' },
    h('h2', { class: 'error-summary__title', id: 'error-summary-title' }, title),
    h(
      'div',
      { class: 'error-summary__body' },
      items.length
        ? h(
            'ul',
            { class: 'list error-summary__list' },
            items.map((item) => h('li', {}, item)),
          )
        : null,
      extra,
    ),
  );
  replace(host, summary);
  focusOn(summary);
}

export function clearSummary(host: HTMLElement): void {
  replace(host);
}

/**
 * A page's fields, its errors and its submissions. `run` makes the API call; on failure
 * it shows what went wrong: field errors beside their fields, a conflict (409) with a
 * reload, anything else in the summary. Nothing typed is lost.
 */
export class FormErrors {
  private readonly fields: Field[] = [];
  private readonly marked: Array<() => void> = [];

  constructor(
    private readonly summary: HTMLElement,
    private readonly conflict: { what: string; reload: () => void; advice?: string } = {
      what: 'this request',
      reload: () => window.location.reload(),
    },
  ) {}

  add<F extends Field>(field: F): F {
    this.fields.push(field);
    return field;
  }

  remove(predicate: (field: Field) => boolean): void {
    for (let index = this.fields.length - 1; index >= 0; index -= 1) {
      const field = this.fields[index];
      if (field && predicate(field)) this.fields.splice(index, 1);
    }
  }

  clear(): void {
    for (const undo of this.marked.splice(0)) undo();
    clearSummary(this.summary);
    document.title = document.title.replace(/^Error: /, '');
  }

  /** The field an error path names: exact, else the nearest registered parent path. */
  private fieldFor(path: string): Field | undefined {
    const bare = path.replace(/^(query|body)\./, '');
    let candidate = bare;
    while (candidate) {
      const found = this.fields.find((field) => field.path === candidate);
      if (found) return found;
      candidate = candidate.includes('.') ? candidate.slice(0, candidate.lastIndexOf('.')) : '';
    }
    return undefined;
  }

  private mark(field: Field, message: string): void {
    const id = `${field.focusTarget.id || uid('field')}-error`;
    const error = h('p', { class: 'error-message', id }, hidden('Error: '), message);
    field.group.classList.add('form-group--error');
    // Below the label and hint, above the control, as the Design System places it.
    const anchor =
      field.group.querySelector(':scope > .hint') ??
      field.group.querySelector(':scope > label, :scope > fieldset > legend');
    if (anchor) anchor.after(error);
    else field.group.prepend(error);
    const control = field.control;
    const describedBy = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', [describedBy, id].filter(Boolean).join(' '));
    control.setAttribute('aria-invalid', 'true');
    control.classList.add('invalid');
    this.marked.push(() => {
      error.remove();
      field.group.classList.remove('form-group--error');
      if (describedBy) control.setAttribute('aria-describedby', describedBy);
      else control.removeAttribute('aria-describedby');
      control.removeAttribute('aria-invalid');
      control.classList.remove('invalid');
    });
  }

  /** Shows field errors beside their fields and in the summary; the summary takes focus. */
  show(errors: FieldError[], title = 'There is a problem', extra?: Child): void {
    this.clear();
    const items = errors.map((error) => {
      const message = capitalise(error.message);
      const field = this.fieldFor(error.path);
      if (!field) return message;
      // One message per field beside it; every message in the summary.
      if (!field.group.classList.contains('form-group--error')) this.mark(field, message);
      return h('a', { href: `#${field.focusTarget.id}` }, message);
    });
    showSummary(this.summary, title, items, extra);
    // The title is the first thing a screen reader says; it should say there is a problem.
    document.title = `Error: ${document.title}`;
  }

  /** Shows an API failure the way its status calls for. */
  problem(error: unknown): void {
    if (!(error instanceof ApiProblem)) {
      this.show([{ path: '', message: error instanceof Error ? error.message : String(error) }]);
      return;
    }
    if (error.status === 401) return; // the app is on its way to the sign-in page
    if (error.status === 409) {
      this.clear();
      showSummary(
        this.summary,
        `Someone else changed ${this.conflict.what}`,
        [],
        h(
          'div',
          {},
          h(
            'p',
            {},
            `It changed while you were working on it${error.currentVersion === undefined ? '' : ` (it is now at version ${error.currentVersion})`}, so your change was not saved. ${this.conflict.advice ?? 'Reload to see the latest version, then make your change again.'}`,
          ),
          button(`Reload ${this.conflict.what}`, {
            kind: 'secondary',
            type: 'button',
            onClick: () => this.conflict.reload(),
          }),
        ),
      );
      document.title = `Error: ${document.title}`;
      return;
    }
    const fields = error.fields.filter(
      (field) => field.path !== '(body)' || error.fields.length === 1,
    );
    const heading =
      error.status === 403
        ? 'You cannot do this'
        : error.status === 422 && !fields.length
          ? 'This cannot be done at this stage'
          : error.status === 404
            ? 'Not found'
            : 'There is a problem';
    this.show(
      fields.length ? fields : [{ path: '', message: error.message }],
      heading,
      fields.length && error.status !== 400 ? h('p', {}, capitalise(error.message)) : undefined,
    );
  }

  /** Runs a submission with the button busy; failures are shown, never thrown. */
  async run(submitter: HTMLButtonElement | null, work: () => Promise<void>): Promise<void> {
    if (submitter?.getAttribute('aria-disabled') === 'true') return;
    submitter?.setAttribute('aria-disabled', 'true');
    try {
      await work();
    } catch (error) {
      this.problem(error);
    } finally {
      submitter?.removeAttribute('aria-disabled');
    }
  }
}

/** Checks required values before a round trip, with messages that say what to enter. */
export function required(checks: Array<[Field, string]>): FieldError[] {
  return checks
    .filter(([field]) => !field.control.value.trim())
    .map(([field, message]) => ({ path: field.path, message }));
}

/** A form whose submit handler is given the button that submitted it. */
export function form(
  label: string | undefined,
  onSubmit: (submitter: HTMLButtonElement | null) => void,
  ...children: Child[]
): HTMLFormElement {
  return h(
    'form',
    {
      class: 'form',
      novalidate: true,
      'aria-label': label,
      onsubmit: (event: Event) => {
        event.preventDefault();
        onSubmit(((event as SubmitEvent).submitter as HTMLButtonElement | null) ?? null);
      },
    },
    ...children,
  );
}
