import { localToken } from './users.ts';

// biome-ignore lint/suspicious/noExplicitAny: callers read API answers of many shapes
export type Json = Record<string, any>;

/** Calls the local staff API as one of the seeded users (or anonymously). */
export function staffClient(apiPort: number) {
  const tokens = new Map<string, string>();
  return async function call(
    as: string | undefined,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (as) {
      if (!tokens.has(as)) tokens.set(as, await localToken(as));
      headers.authorization = `Bearer ${tokens.get(as)}`;
    }
    const response = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
}

export type StaffClient = ReturnType<typeof staffClient>;

/** Performs an action at the request's current version, as someone who just read it would. */
export async function act(
  api: StaffClient,
  as: string,
  requestId: string,
  action: string,
  fields: Record<string, unknown> = {},
) {
  const current = await api(as, 'GET', `/api/requests/${requestId}`);
  return api(as, 'POST', `/api/requests/${requestId}/actions`, {
    action,
    expectedVersion: current.body.version,
    ...fields,
  });
}
