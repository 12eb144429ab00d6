import type { StaffUiConfig } from '../../infra/staff-ui.ts';
import type { StaffMember } from './types.ts';

/**
 * Signing in. Locally: pick a seeded user, POST /local/token. On AWS: Cognito's hosted
 * page, authorization code with PKCE (S256); the ID token is the bearer token, since it
 * carries email, name and cognito:groups. Tokens live in sessionStorage only, so closing
 * the tab signs out.
 */
export type { StaffUiConfig };

interface Session {
  token: string;
  expiresAt: number;
  member: StaffMember;
}

const SESSION = 'postroom.session';
const PKCE = 'postroom.pkce';
const RETURN_TO = 'postroom.returnTo';

export async function loadConfig(): Promise<StaffUiConfig> {
  const response = await fetch('/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const config = (await response.json()) as StaffUiConfig;
  // Without it every date would be on some other clock; better to say so than to guess.
  if (typeof config.timeZone !== 'string' || !config.timeZone)
    throw new Error('config.json names no timeZone');
  return config;
}

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

const base64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** Reads who the token is for. The API checks the signature; the UI only displays. */
function sessionFrom(token: string): Session {
  const claims = JSON.parse(base64UrlDecode(token.split('.')[1] ?? '')) as Record<string, unknown>;
  const raw = claims['cognito:groups'];
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : '';
  return {
    token,
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + 3_600_000,
    member: {
      email,
      name: typeof claims.name === 'string' ? claims.name : email,
      roles: Array.isArray(raw) ? raw.map(String) : [],
    },
  };
}

/** A minute's margin, so a request does not leave with a token about to lapse. */
export const SESSION_MARGIN_MS = 60_000;

export function currentSession(): Session | undefined {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null') as Session | null;
    if (session && session.expiresAt > Date.now() + SESSION_MARGIN_MS) return session;
  } catch {
    // A damaged entry is the same as none.
  }
  sessionStorage.removeItem(SESSION);
  return undefined;
}

function keep(token: string): Session {
  const session = sessionFrom(token);
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  return session;
}

export function forgetSession(): void {
  sessionStorage.removeItem(SESSION);
}

/** Where to go after signing in: the page the person was on when asked to sign in. */
export function rememberReturn(path: string): void {
  if (!path.startsWith('/sign-in') && !path.startsWith('/callback'))
    sessionStorage.setItem(RETURN_TO, path);
}

export function takeReturn(): string {
  const path = sessionStorage.getItem(RETURN_TO) ?? '/';
  sessionStorage.removeItem(RETURN_TO);
  return path.startsWith('/') && !path.startsWith('//') ? path : '/';
}

const apiBase = (config: StaffUiConfig) => config.apiUrl.replace(/\/$/, '');

export async function localUsers(
  config: StaffUiConfig,
): Promise<Array<{ email: string; name: string; groups: string[] }>> {
  const response = await fetch(`${apiBase(config)}/local/users`);
  if (!response.ok) throw new Error(`GET /local/users answered ${response.status}`);
  return (
    (await response.json()) as { users: Array<{ email: string; name: string; groups: string[] }> }
  ).users;
}

export async function signInLocally(config: StaffUiConfig, email: string): Promise<Session> {
  const response = await fetch(`${apiBase(config)}/local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  const body = (await response.json()) as { token?: string; error?: { message?: string } };
  if (!response.ok || !body.token)
    throw new Error(body.error?.message ?? `sign-in answered ${response.status}`);
  return keep(body.token);
}

type CognitoConfig = Extract<StaffUiConfig, { mode: 'cognito' }>;

export async function startCognitoSignIn(config: CognitoConfig): Promise<void> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid email profile',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  });
  // URLSearchParams writes spaces as +, which is what the hosted page expects for scope.
  location.assign(`${config.signInUrl.replace(/\/$/, '')}/oauth2/authorize?${query}`);
}

/** The /callback page: checks the state, trades the code for tokens, keeps the ID token. */
export async function finishCognitoSignIn(
  config: CognitoConfig,
  query: URLSearchParams,
): Promise<Session> {
  const saved = JSON.parse(sessionStorage.getItem(PKCE) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PKCE);
  const failure = query.get('error_description') ?? query.get('error');
  if (failure) throw new Error(`The sign-in page said: ${failure}`);
  const code = query.get('code');
  if (!saved || !code || query.get('state') !== saved.state)
    throw new Error('This sign-in link is not the one this tab started, or it was used already.');
  const response = await fetch(`${config.signInUrl.replace(/\/$/, '')}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: config.redirectUri,
      code_verifier: saved.verifier,
    }),
  });
  const tokens = (await response.json()) as { id_token?: string; error?: string };
  if (!response.ok || !tokens.id_token)
    throw new Error(`The sign-in service refused the code (${tokens.error ?? response.status}).`);
  return keep(tokens.id_token);
}

/** Ends the session here and, on AWS, at Cognito too. */
export function signOut(config: StaffUiConfig): void {
  forgetSession();
  if (config.mode === 'cognito') {
    const query = new URLSearchParams({
      client_id: config.clientId,
      logout_uri: `${location.origin}/`,
    });
    location.assign(`${config.signInUrl.replace(/\/$/, '')}/logout?${query}`);
  }
}
