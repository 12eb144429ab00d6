/**
 * What a person had typed, kept across a sign-in. A session can end mid-form (a Cognito
 * token lasts an hour, and a note takes longer to write), and the sign-in page is another
 * page, so the changed fields go into sessionStorage, which survives the trip to the hosted
 * sign-in and back in this tab, and are put back when the same page shows again.
 */
export type Draft = Record<string, string>;

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
 * Keeps the fields that differ from how the page was shown. Only those: the rest may
 * have changed on the server meanwhile, and putting back a stale copy would undo that.
 */
export function keepDraft(path: string, owner: string, root: Element, shownAs: Draft): boolean {
  const changed = Object.entries(readControls(root)).filter(
    ([key, value]) => shownAs[key] !== value,
  );
  if (!changed.length) return false;
  sessionStorage.setItem(KEY, JSON.stringify({ path, owner, values: Object.fromEntries(changed) }));
  return true;
}

/**
 * The draft kept for this page, once; a draft for another page waits for that page. Only
 * its author gets it back: someone else signing in at this tab must not save their words.
 */
export function takeDraft(path: string, owner: string): Draft | undefined {
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as {
      path: string;
      owner: string;
      values: Draft;
    } | null;
    if (!kept) return undefined;
    if (kept.owner !== owner) {
      sessionStorage.removeItem(KEY);
      return undefined;
    }
    if (kept.path !== path) return undefined;
    sessionStorage.removeItem(KEY);
    return kept.values;
  } catch {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
}

/** Puts a draft's values back, with the events typing would fire, so previews follow. */
export function restoreControls(root: Element, draft: Draft): void {
  for (const control of controls(root)) {
    const value = draft[keyOf(control)];
    if (value === undefined) continue;
    if (control.type === 'radio') (control as HTMLInputElement).checked = control.value === value;
    else if (control.type === 'checkbox') (control as HTMLInputElement).checked = value === 'true';
    else control.value = value;
    control.dispatchEvent(new Event('input', { bubbles: true }));
    control.dispatchEvent(new Event('change', { bubbles: true }));
  }
}
