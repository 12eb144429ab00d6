import type { StaffUiConfig } from '../../infra/staff-ui.ts';
import { type Child, h, hidden } from './dom.ts';
import type { KeptDraft } from './drafts.ts';
import type { StaffMember } from './types.ts';

/** What every page gets, and what it gives back: a title and its content. */
export interface PageContext {
  params: Record<string, string>;
  query: URLSearchParams;
  config: StaffUiConfig;
  member: StaffMember;
  /** Says something through the page's polite live region. */
  announce(text: string): void;
  /**
   * What the person had typed here when their session ended, and the version it was typed
   * against; the app puts the values back once the page shows, if the version still holds.
   */
  draft?: Pick<KeptDraft, 'version' | 'values'>;
}

export interface Page {
  title: string;
  content: Child[];
  /** Runs once the page is in the document (focus goes to its heading first). */
  shown?: () => void;
  /** The version of the record its forms change, so a kept draft is not put back over a newer one. */
  version?: number;
  /** Set on the problem page, so a kept draft waits for the page itself. */
  failed?: boolean;
}

export type View = (context: PageContext) => Promise<Page> | Page;

export const heading = (text: Child, caption?: string) =>
  h(
    'h1',
    { class: 'heading-l', tabindex: '-1' },
    caption && h('span', { class: 'caption' }, caption, hidden(': ')),
    text,
  );

export const backLink = (href: string, text: string) => h('a', { class: 'back-link', href }, text);

/**
 * A definition list of label and value rows (GOV.UK summary list); `compact` for the
 * headers of a message in the timeline.
 */
export function summaryList(
  rows: Array<[string, Child] | null | false>,
  variant?: 'compact',
): HTMLElement {
  return h(
    'dl',
    { class: variant ? `summary-list summary-list--${variant}` : 'summary-list' },
    rows
      .filter((row): row is [string, Child] => Boolean(row))
      .map(([key, value]) =>
        h(
          'div',
          { class: 'summary-list__row' },
          h('dt', { class: 'summary-list__key' }, key),
          h('dd', { class: 'summary-list__value' }, value),
        ),
      ),
  );
}

/** A tag: words first, colour only as a second signal. */
export const tag = (text: string, kind: 'grey' | 'blue' | 'green' | 'red' | 'yellow' = 'grey') =>
  h('strong', { class: `tag tag--${kind}` }, text);

export function section(title: string, id: string, ...children: Child[]): HTMLElement {
  return h(
    'section',
    { class: 'section', 'aria-labelledby': id },
    h('h2', { class: 'heading-m', id }, title),
    ...children,
  );
}

export function notice(text: Child, kind: 'info' | 'warning' = 'info'): HTMLElement {
  return h(
    'div',
    { class: `inset inset--${kind}` },
    kind === 'warning' ? h('strong', { class: 'inset__label' }, 'Warning: ') : null,
    text,
  );
}

/** A link styled as a button: it goes to a page, so it stays a link to assistive technology. */
export const buttonLink = (
  href: string,
  text: Child,
  kind: 'primary' | 'secondary' | 'warning' = 'secondary',
) => h('a', { class: `button${kind === 'primary' ? '' : ` button--${kind}`}`, href }, text);
