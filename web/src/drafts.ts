/**
 * What a person had typed, kept across a sign-in. A session can end mid-form (a Cognito
 * token lasts an hour, and a note takes longer to write), and the sign-in page is another
 * page, so the form goes into sessionStorage, which survives the trip to the hosted
 * sign-in and back in this tab, and is put back when the same page shows again: for the
 * same person only, and only if the request is still at the version the form was filled
 * in against, so restoring cannot quietly undo a colleague's change.
 */
import { type Child, h } from './dom.ts';
import type { Flash } from './router.ts';

export type Draft = Record<string, string>;

/** A page's form as it was shown: where, to whom, against which version, with what values. */
export interface ShownForm {
  path: string;
  owner: string;
  /** The version of the record the form was shown with, when the page has one. */
  version?: number;
  values: Draft;
}

/** A form as it was left, kept in place of the shown values. */
export interface KeptDraft extends ShownForm {
  /** Each field's label, to show what was typed if it cannot go back into the form. */
  labels: Record<string, string>;
  /**
   * The fields changed since the form was shown: what the person typed, shown when it
   * cannot go back (a field the page filled in, such as a reply's subject, is not theirs).
   */
  changed?: string[];
}

const KEY = 'postroom:draft';
type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

function controls(root: Element): Control[] {
  return [...root.querySelectorAll<Control>('input, textarea, select')].filter(
    (control) => !['hidden', 'file', 'password', 'submit', 'button'].includes(control.type),
  );
}

// Radios share a generated name; their group's API path is stable across renders.
const keyOf = (control: Control) => control.dataset.path ?? control.name;

/** Every named control's value: text as typed, a checkbox as 'true'/'false', a radio group's choice. */
export function readControls(root: Element): Draft {
  const values: Draft = {};
  for (const control of controls(root)) {
    const key = keyOf(control);
    if (!key) continue;
    if (control.type === 'radio') {
      if ((control as HTMLInputElement).checked) values[key] = control.value;
    } else if (control.type === 'checkbox') {
      values[key] = String((control as HTMLInputElement).checked);
    } else {
      values[key] = control.value;
    }
  }
  return values;
}

/**
 * Keeps the whole form if anything in it changed since it was shown. The whole of it, so
 * lists edited row by row (the attendees) come back exactly as they were left.
 */
export function keepDraft(shown: ShownForm, root: Element): boolean {
  const values = readControls(root);
  const changed = Object.keys(values).filter((key) => shown.values[key] !== values[key]);
  if (!changed.length) return false;
  const labels: Record<string, string> = {};
  for (const control of controls(root)) {
    const label = control.labels?.[0]?.textContent?.trim();
    if (label) labels[keyOf(control)] = label;
  }
  sessionStorage.setItem(
    KEY,
    JSON.stringify({ ...shown, values, labels, changed } satisfies KeptDraft),
  );
  return true;
}

/**
 * The draft kept for this page, if any, left in place until `dropDraft` (a page that
 * fails to load keeps it for the next try). A draft for another page waits for that page;
 * one kept by someone else is thrown away, so another person at this tab never sees it.
 */
export function findDraft(path: string, owner: string): KeptDraft | undefined {
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as KeptDraft | null;
    if (!kept) return undefined;
    if (kept.owner !== owner) {
      dropDraft();
      return undefined;
    }
    return kept.path === path ? kept : undefined;
  } catch {
    dropDraft();
    return undefined;
  }
}

function dropDraft(): void {
  sessionStorage.removeItem(KEY);
}

/**
 * Puts a draft's values back, with the events typing would fire, so previews follow.
 * Returns how many fields it found to fill.
 */
function restoreControls(root: Element, draft: Draft): number {
  let filled = 0;
  for (const control of controls(root)) {
    const value = draft[keyOf(control)];
    if (value === undefined) continue;
    if (control.type === 'radio') (control as HTMLInputElement).checked = control.value === value;
    else if (control.type === 'checkbox') (control as HTMLInputElement).checked = value === 'true';
    else control.value = value;
    control.dispatchEvent(new Event('input', { bubbles: true }));
    control.dispatchEvent(new Event('change', { bubbles: true }));
    filled += 1;
  }
  return filled;
}

/** What was typed, field by field, for a draft that could not go back into its form. */
function typedText(kept: KeptDraft): Array<[string, string]> {
  return Object.entries(kept.values)
    .filter(([key]) => !kept.changed || kept.changed.includes(key))
    .filter(([, value]) => value.trim() && value !== 'true' && value !== 'false')
    .map(([key, value]) => [kept.labels[key] ?? key, value]);
}

/**
 * Puts a kept draft back into the page just shown and says so; or, when that could undo
 * someone else's change (the record's version moved) or the form is gone, says why not and
 * shows what was typed so it can be copied. Either way the draft is used up.
 */
export function putDraftBack(
  draft: KeptDraft,
  root: Element,
  pageVersion: number | undefined,
): { message: Flash; more?: Child } {
  dropDraft();
  const moved =
    draft.version !== undefined && pageVersion !== undefined && draft.version !== pageVersion;
  if (!moved && restoreControls(root, draft.values) > 0)
    return {
      message: {
        text: 'Your session ended before you saved. What you had typed has been put back: check it, then save.',
        important: true,
      },
    };
  const typed = typedText(draft);
  return {
    message: {
      text: moved
        ? 'Your session ended before you saved, and someone else has changed this request since, so what you had typed was not put back. Check their change, then use your text below if it is still needed.'
        : 'Your session ended before you saved, and this form is no longer offered. What you had typed is below.',
      important: true,
    },
    more:
      typed.length > 0 &&
      h(
        'details',
        { class: 'details', open: true },
        h('summary', { class: 'details__summary' }, 'What you had typed'),
        h(
          'dl',
          { class: 'details__text kept-text' },
          typed.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
        ),
      ),
  };
}
