/**
 * The only links postroom puts in mail are to its own public site. A link is built from
 * the configured origin (SITE_BASE_URL) and checked again where the mail is composed, so
 * a value that reached an event some other way (an old event, a bad setting) is left out
 * rather than sent: `javascript:`, another host, or plain http anywhere but this machine.
 */

/** https, or plain http to this machine (the local site); nothing else goes in mail. */
export function isMailableOrigin(address: string): boolean {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return url.hostname.length > 0;
  return url.protocol === 'http:' && url.hostname === '127.0.0.1';
}

export const MAILABLE_ORIGIN_RULE =
  'must be an https: address (or http://127.0.0.1 for the local site), with no user name or password';

/** The link as given when it is on the configured public site; otherwise undefined. */
export function linkOnSite(address: string, siteBaseUrl: string): string | undefined {
  if (!isMailableOrigin(address) || !isMailableOrigin(siteBaseUrl)) return undefined;
  const url = new URL(address);
  const site = new URL(siteBaseUrl);
  // Compared after parsing, so `https://site.example@evil.example/` or a `..` that leaves
  // the site's path cannot pass a string prefix test.
  if (url.origin !== site.origin || !url.pathname.startsWith(site.pathname)) return undefined;
  return url.href;
}
