/**
 * Path routing with the History API. Both servers answer any unknown path with index.html
 * (CloudFront's error response, the local API server's fallback), so every page has a
 * real, bookmarkable address. Links inside the app are ordinary <a href> elements.
 */
export interface Location {
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

/** A message for the next page: a confirmation, or something the person must know. */
export type Flash = string | { text: string; important: true };
type Listener = (location: Location, flash: Flash | undefined) => void;

interface Route {
  pattern: RegExp;
  keys: string[];
  name: string;
}

const routes: Route[] = [];
let listener: Listener = () => undefined;
let pendingFlash: Flash | undefined;

/** '/requests/:id/note' -> a pattern with named parameters. */
export function route(name: string, path: string): void {
  const keys: string[] = [];
  const source = path.replace(/:(\w+)/g, (_, key: string) => {
    keys.push(key);
    return '([^/]+)';
  });
  routes.push({ name, keys, pattern: new RegExp(`^${source}/?$`) });
}

export function match(pathname: string): { name: string; params: Record<string, string> } {
  for (const candidate of routes) {
    const found = pathname.match(candidate.pattern);
    if (found) {
      const params: Record<string, string> = {};
      try {
        candidate.keys.forEach((key, index) => {
          params[key] = decodeURIComponent(found[index + 1] ?? '');
        });
      } catch {
        // A mistyped address such as /requests/%ZZ names nothing: say so, don't crash.
        return { name: 'not-found', params: {} };
      }
      return { name: candidate.name, params };
    }
  }
  return { name: 'not-found', params: {} };
}

function current(): Location {
  const { pathname, search } = window.location;
  return { path: pathname, params: {}, query: new URLSearchParams(search) };
}

let shownPath = '';

function emit(): void {
  shownPath = window.location.pathname + window.location.search;
  const flash = pendingFlash;
  pendingFlash = undefined;
  listener(current(), flash);
}

/** Goes to a page of the app. `flash` is a confirmation shown (and announced) there. */
export function navigate(path: string, options: { replace?: boolean; flash?: Flash } = {}) {
  pendingFlash = options.flash;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  emit();
}

/** Shows the current page again, with fresh data. */
export function reload(flash?: string): void {
  pendingFlash = flash;
  emit();
}

export function start(onChange: Listener): void {
  listener = onChange;
  window.addEventListener('popstate', () => {
    // A jump to a #fragment on the same page is not a new page.
    if (window.location.pathname + window.location.search === shownPath) return;
    emit();
  });
  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    const samePage =
      url.pathname === window.location.pathname && url.search === window.location.search;
    if (url.hash && samePage) {
      // In-page links (the skip link, the error summary, the stage list) move focus, not
      // just the scroll position, and leave the address alone.
      const target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
      if (target) {
        event.preventDefault();
        target.closest('details')?.setAttribute('open', '');
        if (!target.matches('input, select, textarea, button, a[href], iframe, summary'))
          target.setAttribute('tabindex', '-1');
        target.focus();
        target.scrollIntoView({ block: 'start' });
      }
      return;
    }
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  emit();
}
