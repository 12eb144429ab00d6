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

/** Calls the API with the session's token; a failure to reach it is an ApiProblem too. */
async function send(
  method: string,
  path: string,
  body: unknown,
  accept: string,
): Promise<Response> {
  const token = connection.token();
  const headers: Record<string, string> = { accept };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(`${connection.apiUrl.replace(/\/$/, '')}${path}`, {
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
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body, 'application/json');
  const text = await response.text();
  if (response.ok) return parsed<T>(text);
  throw problemOf(response, text);
}

function parsed<T>(text: string): T {
  try {
    return (text ? JSON.parse(text) : undefined) as T;
  } catch {
    return undefined as T;
  }
}

/** The API's error answer as an ApiProblem; a 401 also ends the session. */
function problemOf(response: Response, text: string): ApiProblem {
  const error = parsed<{ error?: Record<string, unknown> } | undefined>(text)?.error ?? {};
  const problem = new ApiProblem(
    response.status,
    String(error.code ?? 'error'),
    String(error.message ?? `The server answered ${response.status}.`),
    Array.isArray(error.fields) ? (error.fields as FieldError[]) : [],
    typeof error.currentVersion === 'number' ? error.currentVersion : undefined,
  );
  if (response.status === 401) connection.signedOut();
  return problem;
}

/** A file the API answers with (a CSV), and the name it says to save it under. */
export async function getFile(path: string): Promise<{ body: Blob; filename: string }> {
  const response = await send('GET', path, undefined, 'text/csv, application/json');
  if (!response.ok) throw problemOf(response, await response.text());
  const disposition = response.headers.get('content-disposition') ?? '';
  const filename = disposition.match(/filename="([^"]+)"/)?.[1] ?? 'postroom.csv';
  return { body: await response.blob(), filename };
}

export const get = <T>(path: string) => api<T>('GET', path);
