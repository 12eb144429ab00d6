import { get } from '../api.ts';
import { type Child, h } from '../dom.ts';
import { longDate, plural, stageNames } from '../format.ts';
import { heading, type Page, section, tag, type View } from '../page.ts';
import { passageParts } from '../passage.ts';
import { navigate } from '../router.ts';
import type { Correspondent, SearchPage, SearchResult } from '../types.ts';

/**
 * Search across every request (GET /api/search), and a sender's or an organisation's
 * page (GET /api/correspondents): the catalogue's index, so all stages at once.
 */
export const searchPath = (q: string, nextToken?: string) =>
  `/search?${new URLSearchParams({ q, ...(nextToken ? { page: nextToken } : {}) })}`;
export const senderPath = (sender: string) => `/senders/${encodeURIComponent(sender)}`;
export const organisationPath = (name: string) => `/organisations/${encodeURIComponent(name)}`;
const requestPath = (id: string) => `/requests/${encodeURIComponent(id)}`;

/**
 * The passage with the matched words in <mark>: built from text nodes and elements, so
 * nothing in a letter is ever read as HTML.
 */
export const markedPassage = (passage: string, terms: readonly string[]): Child[] =>
  passageParts(passage, terms).map((part) => (part.marked ? h('mark', {}, part.text) : part.text));

/** The search form: in the header on every page, and atop the results. */
export function searchForm(id: string, label: string, value = '', compact = false): HTMLElement {
  return h(
    'form',
    {
      class: compact ? 'search-form search-form--header' : 'search-form',
      role: 'search',
      action: '/search',
      method: 'get',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const q = String(new FormData(event.target as HTMLFormElement).get('q') ?? '').trim();
        if (q) navigate(searchPath(q));
      },
    },
    h('label', { class: compact ? 'visually-hidden' : 'label', for: id }, label),
    h('input', {
      class: 'input search-form__input',
      id,
      name: 'q',
      type: 'search',
      value,
      maxlength: 200,
      required: true,
    }),
    h('button', { class: compact ? 'header__search-button' : 'button', type: 'submit' }, 'Find'),
  );
}

function resultItem(result: SearchResult): HTMLElement {
  return h(
    'li',
    { class: 'search-result' },
    h(
      'h2',
      { class: 'heading-s' },
      h(
        'a',
        { href: requestPath(result.id) },
        `${result.reference}: ${result.subject || '(no subject)'}`,
      ),
    ),
    h('p', { class: 'body' }, tag(stageNames[result.stage], 'blue')),
    h('p', { class: 'body search-result__passage' }, markedPassage(result.passage, result.terms)),
  );
}

export const searchView: View = async ({ query, announce }) => {
  const q = (query.get('q') ?? '').trim();
  const token = query.get('page') ?? undefined;
  const form = searchForm('search-page-words', 'Words, a reference, a name or an address', q);
  if (!q)
    return {
      title: 'Search',
      content: [
        heading('Search'),
        form,
        h(
          'p',
          { class: 'body' },
          'Search every request in every stage: the reference, subject, sender, organisation, letters, their attachments and the note.',
        ),
      ],
    };
  const found = await get<SearchPage>(
    `/api/search?${new URLSearchParams({ q, limit: '20', ...(token ? { nextToken: token } : {}) })}`,
  );
  const count = found.items.length
    ? `${plural(found.items.length, 'result')} ${token ? 'on this page' : 'shown'}, best first${found.nextToken ? '; more follow' : ''}.`
    : `Nothing matches “${q}”.`;
  return {
    title: `Search: ${q}`,
    content: [
      heading(`Results for “${q}”`, 'Search'),
      form,
      h('p', { class: 'body', id: 'search-count' }, count),
      found.items.length
        ? h(
            'ol',
            { class: 'search-results', 'aria-labelledby': 'search-count' },
            found.items.map(resultItem),
          )
        : null,
      h(
        'nav',
        { class: 'pagination', 'aria-label': 'Results pages' },
        h(
          'ul',
          { class: 'pagination__list' },
          token ? h('li', {}, h('a', { href: searchPath(q) }, 'First results')) : null,
          found.nextToken
            ? h(
                'li',
                {},
                h('a', { href: searchPath(q, found.nextToken), rel: 'next' }, 'More results'),
              )
            : null,
        ),
      ),
    ],
    shown: () => announce(count),
  };
};

function requestsTable(caption: string, requests: Correspondent['requests'], meetings: boolean) {
  return h(
    'table',
    { class: 'table' },
    h('caption', { class: 'visually-hidden' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'table__header' }, 'Reference'),
        h('th', { scope: 'col', class: 'table__header' }, 'Subject'),
        h('th', { scope: 'col', class: 'table__header' }, 'Stage'),
        h('th', { scope: 'col', class: 'table__header' }, meetings ? 'Meeting' : 'Received'),
      ),
    ),
    h(
      'tbody',
      {},
      requests.map((request) =>
        h(
          'tr',
          { class: 'table__row' },
          h(
            'td',
            { class: 'table__cell table__cell--nowrap' },
            h('a', { href: requestPath(request.id) }, request.reference),
          ),
          h('td', { class: 'table__cell' }, request.subject || '(no subject)'),
          h('td', { class: 'table__cell' }, stageNames[request.stage]),
          h(
            'td',
            { class: 'table__cell' },
            longDate((meetings ? request.meetingStart : undefined) ?? request.receivedAt),
          ),
        ),
      ),
    ),
  );
}

function correspondentPage(title: string, caption: string, found: Correspondent): Page {
  const meetings = found.requests.filter((request) => request.meetingStart);
  return {
    title,
    content: [
      heading(title, caption),
      h(
        'p',
        { class: 'body' },
        `${plural(found.requests.length, 'request')}, ${plural(meetings.length, 'meeting')}, newest first.`,
      ),
      section(
        'Requests',
        'correspondent-requests',
        found.requests.length
          ? requestsTable('Requests', found.requests, false)
          : h('p', { class: 'body' }, 'None.'),
      ),
      section(
        'Meetings',
        'correspondent-meetings',
        meetings.length
          ? requestsTable('Meetings', meetings, true)
          : h('p', { class: 'body' }, 'No meeting has been arranged.'),
      ),
    ],
  };
}

export const senderView: View = async ({ params }) => {
  const sender = params.sender ?? '';
  const found = await get<Correspondent>(`/api/correspondents?${new URLSearchParams({ sender })}`);
  const name = found.requests[0]?.senderName;
  return correspondentPage(
    name && name !== sender ? `${name} (${sender})` : sender,
    'Sender',
    found,
  );
};

export const organisationView: View = async ({ params }) => {
  const organisation = params.organisation ?? '';
  const found = await get<Correspondent>(
    `/api/correspondents?${new URLSearchParams({ organisation })}`,
  );
  return correspondentPage(organisation, 'Organisation', found);
};
