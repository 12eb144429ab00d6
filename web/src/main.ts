import { ApiProblem, connect } from './api.ts';
import {
  currentSession,
  forgetSession,
  loadConfig,
  rememberReturn,
  SESSION_MARGIN_MS,
  type StaffUiConfig,
  signOut,
} from './auth.ts';
import { type Child, focusOn, h, replace } from './dom.ts';
import { findDraft, keepDraft, putDraftBack, readControls, type ShownForm } from './drafts.ts';
import { clockTime, roleNames, useOfficeTimeZone } from './format.ts';
import { heading, type Page, type PageContext, type View } from './page.ts';
import { type Flash, type Location, match, navigate, reload, route, start } from './router.ts';
import { actionView } from './views/action.ts';
import { heldItemView, heldMailView } from './views/held-mail.ts';
import { inboxView } from './views/inbox.ts';
import { newRequestView } from './views/new-request.ts';
import { noteView } from './views/note.ts';
import { redactionsView } from './views/redactions.ts';
import { reportsView } from './views/reports.ts';
import { requestView } from './views/request.ts';
import { returnsView } from './views/returns.ts';
import { scheduleView } from './views/schedule.ts';
import { organisationView, searchForm, searchView, senderView } from './views/search.ts';
import { callbackView, signInView } from './views/sign-in.ts';
import { templateEditView, templatesView } from './views/templates.ts';

/**
 * The staff UI: one page at a time, each a function from its address to a title and
 * content. On every page change focus moves to the page's heading, so a screen reader
 * starts there and the keyboard continues from there.
 */
route('sign-in', '/sign-in');
route('callback', '/callback');
route('inbox', '/');
route('held-mail', '/held-mail');
route('held-item', '/held-mail/:id');
route('new-request', '/requests/new');
route('request', '/requests/:id');
route('schedule', '/requests/:id/schedule');
route('reschedule', '/requests/:id/reschedule');
route('note', '/requests/:id/note');
route('redactions', '/requests/:id/redactions');
route('action', '/requests/:id/:action');
route('templates', '/templates');
route('new-template', '/templates/new');
route('edit-template', '/templates/:id/edit');
route('returns', '/returns');
route('reports', '/reports');
route('search', '/search');
route('sender', '/senders/:sender');
route('organisation', '/organisations/:organisation');

const views: Record<string, View> = {
  inbox: inboxView,
  'held-mail': heldMailView,
  'held-item': heldItemView,
  request: requestView,
  schedule: scheduleView,
  reschedule: scheduleView,
  note: noteView,
  redactions: redactionsView,
  action: actionView,
  'new-request': newRequestView,
  templates: templatesView,
  'new-template': templateEditView,
  'edit-template': templateEditView,
  returns: returnsView,
  reports: reportsView,
  search: searchView,
  sender: senderView,
  organisation: organisationView,
};
const publicViews: Record<string, View> = { 'sign-in': signInView, callback: callbackView };

const announcer = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
function announce(text: string): void {
  announcer.textContent = '';
  // A change after a beat is announced even when the text is the same as last time.
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 100);
}

const flash = h('div', { class: 'flash-host' });
// Above every page: the warning that the session is about to end.
const sessionNotice = h('div', { class: 'session-notice', role: 'status' });
const view = h('div', { class: 'view' });
const main = h('main', { class: 'main', id: 'main', tabindex: '-1' }, sessionNotice, flash, view);
const account = h('div', { class: 'header__account' });
const nav = h('nav', { class: 'header__nav', 'aria-label': 'Main' });

function layout(): HTMLElement {
  return h(
    'div',
    { class: 'page' },
    h('a', { class: 'skip-link', href: '#main' }, 'Skip to main content'),
    h(
      'header',
      { class: 'header' },
      h(
        'div',
        { class: 'width-container header__inner' },
        h(
          'a',
          { class: 'header__service', href: '/' },
          'postroom',
          h('span', { class: 'header__tagline' }, ' staff'),
        ),
        nav,
        account,
      ),
    ),
    h('div', { class: 'width-container' }, main),
    h(
      'footer',
      { class: 'footer' },
      h(
        'div',
        { class: 'width-container' },
        h('p', {}, 'postroom: requests for meetings, from the letter to the published note.'),
      ),
    ),
    announcer,
  );
}

function renderHeader(config: StaffUiConfig, path: string): void {
  const session = currentSession();
  if (!session) {
    replace(nav);
    replace(account);
    return;
  }
  const item = (href: string, text: string, active: boolean) =>
    h('li', {}, h('a', { href, 'aria-current': active ? 'page' : undefined }, text));
  replace(
    nav,
    h(
      'ul',
      { class: 'header__links' },
      item(
        '/',
        'Inbox',
        path === '/' || (path.startsWith('/requests') && path !== '/requests/new'),
      ),
      item('/requests/new', 'New request', path === '/requests/new'),
      item('/held-mail', 'Held mail', path.startsWith('/held-mail')),
      item('/templates', 'Templates', path.startsWith('/templates')),
      item('/returns', 'Returns', path.startsWith('/returns')),
      item('/reports', 'Reports', path.startsWith('/reports')),
    ),
    searchForm('header-search', 'Find any request, in every stage', '', true),
  );
  replace(
    account,
    h(
      'p',
      { class: 'header__who' },
      'Signed in as ',
      h('strong', {}, session.member.name),
      ` (${roleNames(session.member.roles)})`,
    ),
    h(
      'button',
      {
        class: 'header__sign-out',
        type: 'button',
        onclick: () => {
          signOut(config);
          if (config.mode === 'local') navigate('/sign-in', { flash: 'You have signed out.' });
        },
      },
      'Sign out',
    ),
  );
}

function problemPage(error: unknown): Page {
  // An address whose id cannot be one (a 400 on path.id) names nothing either.
  const notFound =
    error instanceof ApiProblem &&
    (error.status === 404 ||
      (error.status === 400 && error.fields.some((field) => field.path.startsWith('path.'))));
  return {
    title: notFound ? 'Not found' : 'Sorry, there is a problem',
    content: [
      heading(notFound ? 'Not found' : 'Sorry, there is a problem'),
      h('p', { class: 'body' }, error instanceof Error ? error.message : String(error)),
      h(
        'p',
        { class: 'body' },
        notFound
          ? h('a', { href: '/' }, 'Go to the inbox')
          : h(
              'button',
              { class: 'button button--secondary', type: 'button', onclick: () => reload() },
              'Try again',
            ),
      ),
    ],
  };
}

let shown = 0;
let pagesShown = 0;
/**
 * The page's form as it was shown, and to whom: what a kept draft is compared with, and
 * who owns it (their session may be gone by the time a 401 says so).
 */
let shownForm: ShownForm | undefined;

/** A confirmation (green, "Success:") or something to know (black, "Important:"). */
function showFlash(message: Flash, more?: Child): void {
  const important = typeof message !== 'string';
  const text = typeof message === 'string' ? message : message.text;
  replace(
    flash,
    h(
      'div',
      {
        class: important
          ? 'notification notification--important'
          : 'notification notification--success',
      },
      h('p', { class: 'notification__heading' }, text),
      more,
    ),
  );
  announce(text);
}

async function show(config: StaffUiConfig, location: Location, message: Flash | undefined) {
  shown += 1;
  const ticket = shown;
  const { name, params } = match(location.path);
  const session = currentSession();
  const isPublic = name in publicViews;
  if (!isPublic && !session) {
    rememberReturn(location.path + window.location.search);
    navigate('/sign-in', { replace: true });
    return;
  }
  renderHeader(config, location.path);
  shownForm = undefined;
  const draft =
    isPublic || !session
      ? undefined
      : findDraft(location.path + window.location.search, session.member.email);
  const chosen = publicViews[name] ?? views[name];
  view.setAttribute('aria-busy', 'true');
  replace(view, h('p', { class: 'body loading' }, 'Loading…'));
  replace(flash);
  const context: PageContext = {
    params,
    query: location.query,
    config,
    member: session?.member ?? { email: '', name: '', roles: [] },
    announce,
    draft,
  };
  let page: Page;
  try {
    page = chosen
      ? await chosen(context)
      : {
          title: 'Page not found',
          content: [
            heading('Page not found'),
            h('p', { class: 'body' }, h('a', { href: '/' }, 'Go to the inbox')),
          ],
        };
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 401) return;
    page = problemPage(error);
    page.failed = true;
  }
  if (ticket !== shown) return; // the person moved on while this page loaded
  view.removeAttribute('aria-busy');
  replace(view, ...page.content);
  document.title = `${page.title} – postroom`;
  if (session)
    shownForm = {
      path: location.path + window.location.search,
      owner: session.member.email,
      version: page.version,
      values: readControls(view),
    };
  // A page that failed to load keeps the draft for the next try.
  const restored = draft && !page.failed ? putDraftBack(draft, view, page.version) : undefined;
  if (restored) showFlash(restored.message, restored.more);
  else if (message) showFlash(message);
  // A fresh load leaves focus at the top, so the skip link comes first; a move within
  // the app puts focus on the new page's heading, as a page load would for a reader.
  if (pagesShown > 0 || message) focusOn(view.querySelector('h1'));
  pagesShown += 1;
  page.shown?.();
}

async function boot(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  replace(root, layout());
  let config: StaffUiConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    replace(
      view,
      ...problemPage(
        new Error(
          `The app could not read its settings (${(error as Error).message}). Reload the page to try again.`,
        ),
      ).content,
    );
    return;
  }
  useOfficeTimeZone(config.timeZone);
  connect({
    apiUrl: config.apiUrl,
    token: () => currentSession()?.token,
    signedOut: () => {
      const kept = shownForm ? keepDraft(shownForm, view) : false;
      forgetSession();
      rememberReturn(window.location.pathname + window.location.search);
      navigate('/sign-in', {
        replace: true,
        flash: {
          text: kept
            ? 'Your session has ended, so your change was not saved. What you had typed is kept: sign in again and it will be put back.'
            : 'Your session has ended. Sign in again to carry on.',
          important: true,
        },
      });
    },
  });
  warnBeforeSessionEnds();
  start((location, message) => void show(config, location, message));
}

/**
 * Five minutes before the session ends, a line above the page says when, so nobody is
 * surprised in the middle of a note. Checked every half minute: timers sleep with the tab.
 */
function warnBeforeSessionEnds(): void {
  let said = '';
  let warned = false;
  const check = () => {
    const session = currentSession();
    // The app stops using a token a minute before it lapses (auth.ts), so that is the end.
    const ends = session ? session.expiresAt - SESSION_MARGIN_MS : 0;
    let text = '';
    if (session && ends - Date.now() < 5 * 60_000) {
      warned = true;
      text = `Your session ends at ${clockTime(new Date(ends).toISOString())}. Save what you are doing; you will then be asked to sign in again.`;
    } else if (!session && warned) {
      text =
        'Your session has ended. Saving will ask you to sign in again, and what you typed will be kept.';
    } else if (session) {
      warned = false;
    }
    if (text === said) return;
    said = text;
    replace(sessionNotice, text && h('p', { class: 'inset inset--warning' }, text));
  };
  check();
  window.setInterval(check, 30_000);
}

void boot();
