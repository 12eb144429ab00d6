import { ApiProblem, get } from '../api.ts';
import { type Child, h, hidden } from '../dom.ts';
import {
  closedStages,
  isOverdue,
  longDate,
  officeToday,
  plural,
  stageNames,
  stageOrder,
} from '../format.ts';
import {
  button,
  checkbox,
  errorSummaryHost,
  FormErrors,
  form,
  select,
  textInput,
} from '../forms.ts';
import { buttonLink, heading, notice, tag, type View } from '../page.ts';
import { navigate } from '../router.ts';
import type { RequestSummary, Stage } from '../types.ts';

/**
 * The inbox: every request, grouped by stage in the order staff work through them, each
 * stage with its count. Overdue requests say so in words and in a marked row.
 * The list API pages by stage then due date; the inbox reads every page.
 */
const PAGE_SIZE = 100;
const MAX_PAGES = 20;

async function loadRequests(filters: URLSearchParams) {
  const items: RequestSummary[] = [];
  let nextToken: string | null = null;
  let pages = 0;
  do {
    const query = new URLSearchParams(filters);
    query.set('limit', String(PAGE_SIZE));
    if (nextToken) query.set('nextToken', nextToken);
    const page: { items: RequestSummary[]; nextToken: string | null } = await get(
      `/api/requests?${query}`,
    );
    items.push(...page.items);
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken && pages < MAX_PAGES);
  return { items, complete: !nextToken };
}

const dueHeading: Partial<Record<Stage, string>> = {
  received: 'Reply by',
  accepted: 'Reply by',
  scheduled: 'Meeting day',
  held: 'Note due',
  drafting: 'Note due',
  in_review: 'Note due',
  approved: 'Publishes',
};

function dueCell(request: RequestSummary, today: string): Child {
  const overdue = isOverdue(request, today);
  return h(
    'td',
    { class: 'table__cell' },
    closedStages.includes(request.stage) ? longDate(request.receivedAt) : longDate(request.dueAt),
    overdue && [' ', tag('Overdue', 'red')],
    request.dueForRecordHeld && [' ', tag('Meeting ended: record it as held', 'yellow')],
  );
}

function stageTable(stage: Stage, requests: RequestSummary[], today: string): HTMLElement {
  const closed = closedStages.includes(stage);
  return h(
    'table',
    { class: 'table' },
    h(
      'caption',
      { class: 'visually-hidden' },
      `${stageNames[stage]}: ${plural(requests.length, 'request')}`,
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'table__header' }, 'Reference'),
        h('th', { scope: 'col', class: 'table__header' }, 'Organisation and subject'),
        h('th', { scope: 'col', class: 'table__header' }, 'Assigned to'),
        h(
          'th',
          { scope: 'col', class: 'table__header' },
          closed ? 'Received' : (dueHeading[stage] ?? 'Due'),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      requests.map((request) =>
        h(
          'tr',
          { class: isOverdue(request, today) ? 'table__row table__row--overdue' : 'table__row' },
          h(
            'td',
            { class: 'table__cell table__cell--nowrap' },
            h('a', { href: `/requests/${encodeURIComponent(request.id)}` }, request.reference),
          ),
          h(
            'td',
            { class: 'table__cell' },
            h(
              'span',
              { class: 'table__organisation' },
              request.organisation ?? request.sender.address ?? request.sender.name,
            ),
            h('span', { class: 'table__subject' }, request.subject || '(no subject)'),
          ),
          h(
            'td',
            { class: 'table__cell' },
            request.assignee ?? h('span', { class: 'secondary-text' }, 'Nobody'),
          ),
          dueCell(request, today),
        ),
      ),
    ),
  );
}

function stageSection(stage: Stage, requests: RequestSummary[], today: string): HTMLElement {
  const id = `stage-${stage}`;
  const overdue = requests.filter((request) => isOverdue(request, today)).length;
  return h(
    'section',
    { class: 'stage', 'aria-labelledby': `${id}-heading`, id },
    h(
      'h2',
      { class: 'heading-m', id: `${id}-heading` },
      stageNames[stage],
      ' ',
      h(
        'span',
        { class: 'count' },
        String(requests.length),
        hidden(requests.length === 1 ? ' request' : ' requests'),
      ),
    ),
    overdue > 0 &&
      h(
        'p',
        { class: 'body stage__overdue' },
        tag('Overdue', 'red'),
        ` ${plural(overdue, 'request')} overdue in this stage`,
      ),
    requests.length
      ? h('div', { class: 'table-wrapper' }, stageTable(stage, requests, today))
      : h('p', { class: 'body secondary-text' }, 'No requests at this stage.'),
  );
}

export const inboxView: View = async ({ query, member }) => {
  const filters = new URLSearchParams();
  for (const key of ['q', 'stage', 'assignee', 'overdue'] as const) {
    const value = query.get(key)?.trim();
    if (value) filters.set(key, value);
  }
  // Counted by hand: URLSearchParams.size is newer than the browsers the build targets.
  const filtered = [...filters.keys()].length > 0;
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary);
  const search = errors.add(
    textInput({
      label: 'Search',
      path: 'q',
      hint: 'A reference, organisation or subject',
      value: filters.get('q') ?? '',
      type: 'search',
    }),
  );
  const stage = errors.add(
    select({
      label: 'Stage',
      path: 'stage',
      value: filters.get('stage') ?? '',
      choices: [
        { value: '', text: 'All stages' },
        ...stageOrder.map((value) => ({ value, text: stageNames[value] })),
      ],
    }),
  );
  const assignee = errors.add(
    textInput({
      label: 'Assigned to',
      path: 'assignee',
      hint: 'An email address. Leave blank for anyone.',
      value: filters.get('assignee') ?? '',
      type: 'email',
      autocomplete: 'email',
      spellcheck: false,
    }),
  );
  const overdueOnly = errors.add(
    checkbox({
      label: 'Overdue only',
      path: 'overdue',
      checked: filters.get('overdue') === 'true',
    }),
  );
  const filterForm = form(
    undefined,
    () => {
      const next = new URLSearchParams();
      if (search.control.value.trim()) next.set('q', search.control.value.trim());
      if (stage.control.value) next.set('stage', stage.control.value);
      if (assignee.control.value.trim()) next.set('assignee', assignee.control.value.trim());
      if (overdueOnly.control.checked) next.set('overdue', 'true');
      navigate(next.toString() ? `/?${next}` : '/');
    },
    h('div', { class: 'filters' }, search.group, stage.group, assignee.group, overdueOnly.group),
    h(
      'div',
      { class: 'button-group' },
      button('Apply filters'),
      filtered ? h('a', { class: 'link', href: '/' }, 'Clear filters') : null,
      filters.get('assignee') !== member.email && member.email
        ? h(
            'a',
            { class: 'link', href: `/?assignee=${encodeURIComponent(member.email)}` },
            'Show requests assigned to me',
          )
        : null,
    ),
  );

  let results: Child;
  let failure: unknown;
  try {
    const { complete, items } = await loadRequests(filters);
    const today = officeToday();
    const byStage = new Map<Stage, RequestSummary[]>();
    for (const request of items)
      byStage.set(request.stage, [...(byStage.get(request.stage) ?? []), request]);
    const shownStages = (
      filters.get('stage') ? [filters.get('stage') as Stage] : stageOrder
    ).filter((value) => !filters.has('overdue') || !closedStages.includes(value));
    const open = shownStages.filter((value) => !closedStages.includes(value));
    const closed = shownStages.filter((value) => closedStages.includes(value));
    const overdue = items.filter((request) => isOverdue(request, today)).length;
    const closedCount = closed.reduce(
      (total, value) => total + (byStage.get(value)?.length ?? 0),
      0,
    );
    results = [
      h(
        'p',
        { class: 'body results-count', role: 'status' },
        `${plural(items.length, 'request')}${filtered ? ' match these filters' : ''}`,
        overdue ? [', ', h('strong', {}, `${overdue} overdue`)] : '',
        '.',
      ),
      !complete &&
        notice(
          `Showing the first ${items.length} requests. Narrow the list with the filters to see the rest.`,
          'warning',
        ),
      shownStages.length > 1 &&
        h(
          'nav',
          { class: 'stage-nav', 'aria-label': 'Stages' },
          h(
            'ul',
            { class: 'stage-nav__list' },
            shownStages.map((value) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: `#stage-${value}` },
                  `${stageNames[value]} (${byStage.get(value)?.length ?? 0})`,
                ),
              ),
            ),
          ),
        ),
      open.map((value) => stageSection(value, byStage.get(value) ?? [], today)),
      closed.length > 0 &&
        h(
          'details',
          { class: 'details', open: filtered || undefined },
          h('summary', { class: 'details__summary' }, `Closed requests (${closedCount})`),
          h(
            'div',
            { class: 'details__text' },
            closed.map((value) => stageSection(value, byStage.get(value) ?? [], today)),
          ),
        ),
    ];
  } catch (error) {
    if (!(error instanceof ApiProblem) || error.status === 401) throw error;
    failure = error;
    results = h('p', { class: 'body' }, 'No requests are shown until the filters are corrected.');
  }

  return {
    title: 'Inbox',
    content: [
      summary,
      heading('Inbox'),
      buttonLink('/requests/new', 'New request'),
      filterForm,
      h('div', { class: 'results' }, results),
    ],
    shown: () => {
      if (failure) errors.problem(failure);
    },
  };
};
