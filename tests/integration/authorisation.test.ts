import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, signLocalToken } from '../../infra/local/users.ts';
import { httpRoutes, type RouteContract, staffApi } from '../../shared/staff/api.ts';
import { roles } from '../../shared/workflow/transitions.ts';
import { plainLetter } from '../support/letters.ts';
import {
  documentClient,
  env,
  records,
  s3Client,
  sentMail,
  startPostroom,
} from '../support/postroom.ts';

/**
 * Every declared route, called with every kind of token a stranger or a colleague might
 * hold: the matrix is generated from shared/staff/api.ts, so a new route is in it the
 * moment it is declared. Each refusal is the exact status, and a refused write leaves no
 * item, no object and no mail behind.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let requestId = '';
let messageKey = '';

const person = (groups: unknown) => ({
  sub: 'local-matrix',
  email: 'matrix@office.example',
  name: 'Matrix Tester',
  'cognito:groups': groups,
});

/** Each kind of caller, with the token it sends (undefined: none). */
const callers: Record<string, () => Promise<string | undefined>> = {
  anonymous: async () => undefined,
  'forged signature': () =>
    new SignJWT(person(['admin']))
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('local-matrix')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a key someone guessed, not the local one')),
  'alg none': async () =>
    new UnsecuredJWT(person(['admin']))
      .setSubject('local-matrix')
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime('1h')
      .encode(),
  expired: () => signLocalToken(person(['admin']), { expiredAt: new Date(Date.now() - 60_000) }),
  'no expiry': () => signLocalToken(person(['admin']), { lifetime: null }),
  'wrong issuer': () => signLocalToken(person(['admin']), { issuer: 'https://elsewhere.example' }),
  'wrong audience': () => signLocalToken(person(['admin']), { audience: 'another-client' }),
  // Cognito's access token carries no email: who acted would be unknown, so who may
  // approve (separation of duties) could not be told.
  'no email': () =>
    signLocalToken({ sub: 'local-matrix', 'cognito:groups': ['approver', 'admin'] }),
  'access token': () => signLocalToken({ ...person(['admin']), token_use: 'access' }),
  'no group': () => signLocalToken(person([])),
  // Group names may hold commas; only spaces separate API Gateway's string form.
  'a group named with a comma': () => signLocalToken(person('[interns,admin]')),
  'not a staff group': () => signLocalToken(person(['publisher', 'system'])),
  ...Object.fromEntries(
    roles.map((role) => [`role ${role}`, () => signLocalToken(person([role]))]),
  ),
  // API Gateway hands a list claim on as one string: "[approver caseworker]".
  ...Object.fromEntries(
    roles.map((role) => [
      `role ${role}, as API Gateway's string`,
      () => signLocalToken(person(`[${role}]`)),
    ]),
  ),
};

const unauthenticated = [
  'anonymous',
  'forged signature',
  'alg none',
  'expired',
  'no expiry',
  'wrong issuer',
  'wrong audience',
  'no email',
  'access token',
];

/** The status each caller must get on a route (undefined: allowed, so not 401 or 403). */
function expected(route: RouteContract, caller: string): number | undefined {
  if (route.public) return undefined;
  if (unauthenticated.includes(caller)) return 401;
  const role = roles.find((candidate) => caller.startsWith(`role ${candidate}`));
  if (!role) return 403;
  return route.roles.includes(role) ? undefined : 403;
}

/** A concrete path for the route: a real request and message where it names them. */
const pathOf = (route: RouteContract) =>
  route.path
    .replace('{id}', requestId)
    .replace('{key}', messageKey)
    .replace('{notification}', 'n0000000000000000');

async function everything() {
  const items = await documentClient.send(new ScanCommand({ TableName: env().table }));
  const objects = await Promise.all(
    [env().documents, process.env.PUBLIC_BUCKET ?? '', env().inbound].map(
      async (bucket) =>
        (await s3Client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map(
          (object) => `${bucket}/${object.Key}@${object.ETag}`,
        ) ?? [],
    ),
  );
  return {
    items: (items.Items ?? []).map((item) => JSON.stringify(item)).sort(),
    objects: objects.flat().sort(),
    mail: (await sentMail.all()).length,
  };
}

beforeAll(async () => {
  postroom = await startPostroom();
  await postroom.deliver(
    plainLetter({ from: 'Helen Marsh <helen@lumencam.example>', subject: 'A meeting, please' }),
    'helen@lumencam.example',
  );
  const [request] = await records.requestsInStage('received');
  requestId = request?.id ?? '';
  messageKey = (await records.messages(requestId))[0]?.key ?? '';
});
afterAll(async () => {
  await postroom.close();
});

const routes = Object.entries(staffApi as Record<string, RouteContract>);

describe('the authorisation matrix', () => {
  it('covers every route the API serves, and every private one admits some staff role', () => {
    expect(routes.map(([, route]) => `${route.method} ${route.path}`).sort()).toEqual(
      httpRoutes.map((route) => `${route.method} ${route.path}`).sort(),
    );
    for (const [name, route] of routes) {
      if (!route.public) expect(route.roles.length, name).toBeGreaterThan(0);
    }
  });

  it.each(routes)('%s answers each caller as its declaration says', async (_name, route) => {
    const before = await everything();
    const writes = route.method !== 'GET';
    for (const [caller, token] of Object.entries(callers)) {
      const bearer = await token();
      const response = await fetch(`http://127.0.0.1:${postroom.apiPort}${pathOf(route)}`, {
        method: route.method,
        headers: {
          'content-type': 'application/json',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        // A plausible body: a comment at version 0 (stale: whoever may write gets 409).
        body: writes
          ? JSON.stringify({ action: 'comment', expectedVersion: 0, text: 'x' })
          : undefined,
      });
      const body = (await response.json()) as { error?: { code: string; message: string } };
      const want = expected(route, caller);
      if (want === undefined) {
        expect([401, 403], `${caller}: ${JSON.stringify(body)}`).not.toContain(response.status);
      } else {
        expect(response.status, `${caller}: ${JSON.stringify(body)}`).toBe(want);
        expect(body.error?.code).toBe(want === 401 ? 'unauthenticated' : 'forbidden');
        // A refusal says nothing of the request: no version, no stage.
        expect(JSON.stringify(body)).not.toMatch(/currentVersion|"stage"/);
      }
    }
    if (writes) {
      // Only the allowed callers' stale or unknown bodies got past the check, and they
      // too are refused before anything is written.
      await postroom.settle();
      expect(await everything()).toEqual(before);
    }
  });
});
