/**
 * The staff API client. Every answer that is not 2xx becomes an ApiProblem carrying the
 * API's one error shape, { error: { code, message, fields?, currentVersion?, allowed? } }.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class ApiProblem extends Error {
  override name = 'ApiProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
    readonly currentVersion?: number,
  ) {
    super(message);
  }
}

interface Connection {
  apiUrl: string;
  token(): string | undefined;
  /** Called on 401: the session is over and the person must sign in again. */
  signedOut(): void;
}

let connection: Connection = {
  apiUrl: '/',
  token: () => undefined,
  signedOut: () => undefined,
};

export function connect(to: Connection): void {
  connection = to;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return parseJson(await send(method, path, body, 'application/json')) as T;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** A file the API answers with (a CSV return), as text; failures as api() gives them. */
export const getFile = (path: string, type: 'text/csv') => send('GET', path, undefined, type);

/** One call: the answer's text when 2xx, else an ApiProblem from the API's error shape. */
async function send(method: string, path: string, body: unknown, accept: string): Promise<string> {
  const token = connection.token();
  const headers: Record<string, string> = { accept };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${connection.apiUrl.replace(/\/$/, '')}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiProblem(
      0,
      'network',
      'The server could not be reached. Check your connection and try again; nothing was saved.',
    );
  }
  const text = await response.text();
  if (response.ok) return text;
  const error = (parseJson(text) as { error?: Record<string, unknown> } | undefined)?.error ?? {};
  const problem = new ApiProblem(
    response.status,
    String(error.code ?? 'error'),
    String(error.message ?? `The server answered ${response.status}.`),
    Array.isArray(error.fields) ? (error.fields as FieldError[]) : [],
    typeof error.currentVersion === 'number' ? error.currentVersion : undefined,
  );
  if (response.status === 401) connection.signedOut();
  throw problem;
}

export const get = <T>(path: string) => api<T>('GET', path);
