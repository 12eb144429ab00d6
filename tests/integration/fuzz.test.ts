import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/processes.ts';
import { startPublicSite } from '../../infra/local/public-site.ts';
import { localToken } from '../../infra/local/users.ts';
import { httpRoutes } from '../../shared/staff/api.ts';
import { actions } from '../../shared/workflow/transitions.ts';
import {
  env,
  fixture,
  records,
  s3Client,
  staff,
  staffClient,
  startPostroom,
} from '../support/postroom.ts';
import { httpRequest, type RawAnswer, rawExchange } from '../support/raw-http.ts';

/**
 * Generated requests against every declared route of the local API and against the
 * public site: paths with percent-garbage, `//`, `..`, long and unicode segments; any
 * method; empty, odd and huge headers; random bytes, huge and deeply nested JSON; with
 * and without a valid token. Not one answer may be a 5xx, every API error is in the
 * API's shape, and every server still answers afterwards. Sent over raw sockets, so
 * what no HTTP client would send still reaches the servers as written.
 *
 * Bounded in time: about 15 seconds in all by default, and no property generates for
 * longer than FUZZ_SECONDS (15); FUZZ_RUNS and FUZZ_SECONDS make a longer local hunt.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 400);
const timeLimit = Number(process.env.FUZZ_SECONDS ?? 15) * 1000;
const settings = {
  numRuns: runs,
  interruptAfterTimeLimit: timeLimit,
  markInterruptAsFailure: false,
};

let postroom: Awaited<ReturnType<typeof startPostroom>>;
let site: Awaited<ReturnType<typeof startPublicSite>>;
const real = { requestId: '', reference: '', messageKey: '', heldId: '' };
const tokens: string[] = [];
const secret = 'fuzz: a document that is not public';

const routes = httpRoutes;

beforeAll(async () => {
  const ui = mkdtempSync(join(tmpdir(), 'postroom-ui-'));
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>staff UI</title>');
  postroom = await startPostroom({ staffUiDir: ui });
  site = await startPublicSite(await freePort(), process.env.PUBLIC_BUCKET ?? '');
  await postroom.deliver(fixture('01-letter-pdf.eml'), 'vp.publicaffairs@lumencam.example');
  await postroom.deliver(fixture('18-missing-from.eml'));
  const request = (await records.requestsInStage('received'))[0];
  real.requestId = request?.id ?? '';
  real.reference = request?.reference ?? '';
  real.messageKey = (await records.messages(real.requestId))[0]?.key ?? '';
  real.heldId = (await records.heldMail())[0]?.id ?? '';
  for (const email of [staff.caseworker, staff.approver, staff.admin])
    tokens.push(await localToken(email));
  tokens.push(await localToken(staff.caseworker, '-1h'));
  await s3Client.send(
    new PutObjectCommand({
      Bucket: process.env.PUBLIC_BUCKET ?? '',
      Key: 'index.html',
      Body: '<h1>Meetings</h1>',
    }),
  );
  await s3Client.send(
    new PutObjectCommand({ Bucket: env().documents, Key: 'secret.txt', Body: secret }),
  );
}, 120_000);
afterAll(async () => {
  await site?.stop();
  await postroom?.close();
});

// ---- the pieces requests are made of -------------------------------------------------

/** Characters that may stand in a request line as they are. */
const safe = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{0,8}$/);
const percentGarbage = fc
  .array(
    fc.oneof(
      fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%C0%AF', '%00', '%2F', '%5C', '%2e%2e', '%FF'),
      fc.constantFrom('%u0041', '%%', '%0D%0A', '%2e', '%EF%BF%BF', '%F0%9F%92', '%25'),
      safe,
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''));
const unicode = fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return 'x';
  }
});
/** A path segment: real ids, ids of the right shape, and everything they are not. */
const segment = fc.oneof(
  fc.constantFrom('..', '.', '', '%2e%2e', 'toString', '__proto__', 'constructor', 'index.html'),
  fc.constant(null).map(() => real.requestId),
  fc.constant(null).map(() => real.reference),
  fc.constant(null).map(() => real.messageKey),
  fc.constant(null).map(() => real.heldId),
  fc.stringMatching(/^[0-9a-f]{20}$/),
  fc.stringMatching(/^m[0-9a-f]{16}$/),
  percentGarbage,
  unicode,
  safe,
  fc.integer({ min: 21, max: 6000 }).map((length) => 'a'.repeat(length)),
);
const suffix = fc.constantFrom('', '/', '//', '/..', '/extra', '/%2e%2e/x', '/./');
const forgedToken = fc
  .oneof(
    fc.jsonValue(),
    fc.record({
      stage: fc.oneof(fc.integer({ min: -2, max: 20 }), fc.double(), fc.string()),
      key: fc.dictionary(fc.constantFrom('PK', 'SK', 'GSI1PK', 'GSI1SK', 'x'), fc.jsonValue()),
    }),
  )
  .map((cursor) => Buffer.from(JSON.stringify(cursor) ?? 'null').toString('base64url'));
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('stage', 'assignee', 'overdue', 'q', 'limit', 'nextToken', 'from', 'to'),
        safe,
      ),
      fc.oneof(safe, percentGarbage, unicode, forgedToken, fc.integer().map(String)),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

const standardMethod = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');
const anyMethod = fc.oneof(
  standardMethod,
  fc.constantFrom('get', 'post', 'FOO', 'M-SEARCH', 'PROPFIND', 'BREW', 'CONNECT', 'TRACE', ''),
  fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,12}$/),
);

const authorization = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 0, max: 3 }).map((index) => `Bearer ${tokens[index]}`),
  fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic eDp5', 'bearer x.y.z'),
  fc.string({ maxLength: 200 }).map((junk) => `Bearer ${junk.replace(/[\r\n]/g, '')}`),
);
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
const headerName = fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/);
const wellFormedHeaders = fc.array(
  fc.oneof(
    fc.tuple(fc.constant('Content-Type'), fc.oneof(headerValue, fc.constant('application/json'))),
    fc.tuple(fc.constantFrom('Accept', 'Cookie', 'X-Forwarded-For', 'Origin'), headerValue),
    fc.tuple(headerName, headerValue),
  ),
  { maxLength: 5 },
);

const actionName = fc.oneof(
  fc.constantFrom(...actions),
  fc.constantFrom('toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'),
  fc.string({ maxLength: 20 }),
);
const attendee = fc.record(
  {
    name: fc.string({ unit: 'grapheme', maxLength: 220 }),
    role: fc.string({ maxLength: 220 }),
    organisation: fc.string({ maxLength: 10 }),
    email: fc.oneof(fc.emailAddress(), fc.string()),
    host: fc.oneof(fc.boolean(), fc.string()),
  },
  { requiredKeys: [] },
);
const fields = fc.record(
  {
    expectedVersion: fc.oneof(fc.integer({ min: -1, max: 12 }), fc.double(), fc.string()),
    title: fc.string({ unit: 'grapheme', maxLength: 320 }),
    body: fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 500 }),
      fc.integer({ min: 59_990, max: 60_010 }).map((length) => '€'.repeat(length)),
    ),
    reason: fc.string(),
    text: fc.string(),
    comment: fc.string(),
    assignee: fc.oneof(fc.emailAddress(), fc.string()),
    requestId: segment,
    sender: fc.oneof(fc.emailAddress(), fc.string()),
    start: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    ),
    end: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    ),
    location: fc.string(),
    attendees: fc.array(attendee, { maxLength: 105 }),
    patterns: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
    texts: fc.array(fc.string(), { maxLength: 3 }),
    reinstated: fc.array(fc.record({ id: fc.string(), reason: fc.string() }), { maxLength: 3 }),
    publishAt: fc.string(),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(actionName, fields)
      .map(([action, values]) => JSON.stringify({ action, ...values })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 150_000 })
      .map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 200_000 })
      .map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  },
  {
    // Either side of the 6 MB limit.
    weight: 1,
    arbitrary: fc.constantFrom(5.9, 6.1).map((mb) =>
      JSON.stringify({
        action: 'comment',
        expectedVersion: 1,
        text: 'x'.repeat(mb * 1024 * 1024),
      }),
    ),
  },
);

/** Sends one request; chunked when asked, with Content-Length otherwise. */
function send(
  port: number,
  method: string,
  target: string,
  headers: Array<[string, string]>,
  payload: string | Buffer | undefined,
  chunked: boolean,
): Promise<RawAnswer> {
  if (payload === undefined || !chunked)
    return rawExchange(port, httpRequest(method, target, headers, payload));
  const bytes = Buffer.from(payload);
  return rawExchange(
    port,
    Buffer.concat([
      httpRequest(method, target, [...headers, ['Transfer-Encoding', 'chunked']]),
      Buffer.from(`${bytes.byteLength.toString(16)}\r\n`),
      bytes,
      Buffer.from('\r\n0\r\n\r\n'),
    ]),
  );
}

const describeAnswer = (answer: RawAnswer) =>
  `${answer.status ?? 'no answer'} ${answer.body.subarray(0, 300).toString()}`;

/** Not a 5xx, and an answer at all: a closed socket with nothing said is a crash. */
function expectNoServerError(answer: RawAnswer, request: string) {
  expect(answer.timedOut, `${request}: no answer in time`).toBe(false);
  expect(answer.status, `${request}: ${describeAnswer(answer)}`).toBeDefined();
  expect(answer.status, `${request}: ${describeAnswer(answer)}`).toBeLessThan(500);
}

async function serversStillAnswer() {
  const health = await fetch(`http://127.0.0.1:${postroom.apiPort}/api/health`);
  expect(health.status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${site.port}/`)).status).toBe(200);
  const banner = await new Promise<string>((resolve) => {
    const socket = connect(postroom.smtp.port, '127.0.0.1');
    socket.once('data', (chunk) => {
      socket.end('QUIT\r\n');
      resolve(chunk.toString());
    });
    socket.on('error', () => resolve(''));
  });
  expect(banner).toMatch(/^220 /);
}

// ---- the properties -----------------------------------------------------------------

describe('fuzzing the local servers', () => {
  it('every declared API route answers every well-formed request without a 5xx, in the error shape', async () => {
    expect(routes.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        segment,
        segment,
        suffix,
        query,
        fc.oneof(fc.constant(null), standardMethod),
        authorization,
        wellFormedHeaders,
        body,
        fc.boolean(),
        async (route, id, key, tail, search, method, auth, headers, payload, chunked) => {
          const path = `${route.path.replace('{id}', id).replace('{key}', key)}${tail}${search}`;
          const verb = method ?? route.method;
          const all: Array<[string, string]> = [
            ...headers,
            ...(auth === undefined ? [] : [['Authorization', auth] as [string, string]]),
          ];
          const answer = await send(postroom.apiPort, verb, path, all, payload, chunked);
          const request = `${verb} ${path.slice(0, 200)}`;
          expectNoServerError(answer, request);
          // Every answer from the API, refusals included, is JSON in the one shape.
          // Where the request lands once dot segments resolve, as the server resolves them.
          const pathname = new URL(`http://local${path}`).pathname;
          if (verb !== 'HEAD' && pathname.startsWith('/api/') && answer.body.byteLength) {
            const parsed = JSON.parse(answer.body.toString()) as {
              error?: { code?: unknown; message?: unknown };
            };
            if ((answer.status ?? 0) >= 400) {
              expect(typeof parsed.error?.code, request).toBe('string');
              expect(typeof parsed.error?.message, request).toBe('string');
            }
          }
        },
      ),
      settings,
    );
    await serversStillAnswer();
  });

  it('odd methods, huge headers and broken request lines are refused with a 4xx, never a crash', async () => {
    const target = fc.oneof(
      fc.tuple(segment, segment, suffix).map(([a, b, tail]) => `/api/requests/${a}/${b}${tail}`),
      fc.tuple(segment, suffix).map(([a, tail]) => `/${a}${tail}`),
      fc.constantFrom(
        '*',
        '//',
        '/%E0%A4%A',
        'http://elsewhere.example/%ZZ',
        '',
        '/\u0000',
        '/a b',
      ),
      fc.string({ unit: 'grapheme', maxLength: 40 }).map((text) => `/${text}`),
    );
    const headers = fc.array(
      fc.oneof(
        fc.tuple(headerName, headerValue),
        fc.tuple(
          headerName,
          fc.integer({ min: 1, max: 40_000 }).map((n) => 'h'.repeat(n)),
        ),
        fc.tuple(fc.constantFrom('Content-Length', 'Transfer-Encoding', 'Host'), headerValue),
        fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 40 })),
      ),
      { maxLength: 4 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('api', 'site'),
        anyMethod,
        target,
        authorization,
        headers,
        body,
        async (server, method, path, auth, extra, payload) => {
          const port = server === 'api' ? postroom.apiPort : site.port;
          const all: Array<[string, string]> = [
            // No header may carry a line break: that would be two requests, not one.
            ...extra.map(([name, value]): [string, string] => [
              name.replace(/[\r\n]/g, ''),
              value.replace(/[\r\n]/g, ''),
            ]),
            ...(auth === undefined ? [] : [['Authorization', auth] as [string, string]]),
          ];
          const answer = await rawExchange(
            port,
            httpRequest(method, path.replace(/[\r\n]/g, ''), all, payload),
            8_000,
          );
          // A request Node could not even frame (a Content-Length that disagrees, say) may
          // be left waiting for the rest; what matters is that nothing was a 5xx.
          if (!answer.timedOut)
            expectNoServerError(answer, `${server} ${method} ${path.slice(0, 100)}`);
        },
      ),
      { ...settings, numRuns: Math.ceil(runs / 2) },
    );
    await serversStillAnswer();
  });

  it('random bytes in place of a request are refused, and the servers stay up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('api', 'site'),
        fc.uint8Array({ minLength: 1, maxLength: 4000 }),
        async (server, bytes) => {
          const port = server === 'api' ? postroom.apiPort : site.port;
          const answer = await rawExchange(
            port,
            Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]),
            8_000,
          );
          if (!answer.timedOut) expectNoServerError(answer, `${server} ${bytes.length} bytes`);
        },
      ),
      { ...settings, numRuns: Math.ceil(runs / 4) },
    );
    await serversStillAnswer();
  });

  it('the public site answers any path without a 5xx and never serves another bucket', async () => {
    const bucket = env().documents;
    const climb = fc.constantFrom(
      `..%2F${bucket}%2Fsecret.txt`,
      `../${bucket}/secret.txt`,
      `%2e%2e/${bucket}/secret.txt`,
      `..\\${bucket}\\secret.txt`,
      `%5C..%5C${bucket}%5Csecret.txt`,
      `${bucket}/secret.txt`,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(segment, climb), { minLength: 0, maxLength: 5 }),
        suffix,
        fc.oneof(standardMethod, anyMethod),
        wellFormedHeaders,
        async (segments, tail, method, headers) => {
          const path = `/${segments.join('/')}${tail}`;
          const answer = await rawExchange(site.port, httpRequest(method, path, headers));
          expectNoServerError(answer, `${method} ${path.slice(0, 200)}`);
          expect(answer.body.toString(), path).not.toContain(secret);
        },
      ),
      settings,
    );
    await serversStillAnswer();
  });

  it('the staff API still works for real afterwards', async () => {
    const api = staffClient(postroom.apiPort);
    const listed = await api(staff.caseworker, 'GET', '/api/requests');
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
  });
});
