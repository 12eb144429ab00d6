import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/processes.ts';
import { startPublicSite } from '../../infra/local/public-site.ts';
import { localToken } from '../../infra/local/users.ts';
import { env, fixture, records, s3Client, staff, startPostroom } from '../support/postroom.ts';
import { httpRequest, rawExchange } from '../support/raw-http.ts';

/**
 * The requests that each took down every local service, and their neighbours: each is
 * answered with a 4xx, and the servers are still there afterwards.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let site: Awaited<ReturnType<typeof startPublicSite>>;
let requestId = '';
let token = '';
const publicBucket = () => process.env.PUBLIC_BUCKET ?? '';
const secret = 'a document that is not public';

const api = (path: string, init?: RequestInit) =>
  fetch(`http://127.0.0.1:${postroom.apiPort}${path}`, init);
const page = (path: string, init?: RequestInit) =>
  fetch(`http://127.0.0.1:${site.port}${path}`, init);

async function stillUp() {
  expect((await api('/api/health')).status).toBe(200);
  expect((await page('/')).status).toBe(200);
}

/** A staff UI build of its own, so the tests never depend on web/dist being built. */
const staffUiPage = '<!doctype html><title>staff UI</title>';
function staffUiDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'postroom-ui-'));
  writeFileSync(join(dir, 'index.html'), staffUiPage);
  writeFileSync(join(dir, 'app.js'), 'export {};');
  return dir;
}

beforeAll(async () => {
  postroom = await startPostroom({ staffUiDir: staffUiDir() });
  site = await startPublicSite(await freePort(), publicBucket());
  await postroom.deliver(fixture('01-letter-pdf.eml'), 'vp.publicaffairs@lumencam.example');
  requestId = (await records.requestsInStage('received'))[0]?.id ?? '';
  token = await localToken(staff.caseworker);
  await s3Client.send(
    new PutObjectCommand({ Bucket: publicBucket(), Key: 'index.html', Body: '<h1>Meetings</h1>' }),
  );
  // Something in another bucket that no public address may reach.
  await s3Client.send(
    new PutObjectCommand({ Bucket: env().documents, Key: 'secret.txt', Body: secret }),
  );
});
afterAll(async () => {
  await site.stop();
  await postroom.close();
});

describe('the requests that took every local service down', () => {
  it('answers each with a 4xx and stays up', async () => {
    for (const [label, answer] of [
      ['site bad encoding', await page('/%E0%A4%A')],

      ['api bad encoding', await api('/%E0%A4%A')],

      ['api bad encoding in /api', await api(`/api/requests/%E0%A4%A`)],
    ] as const) {
      expect(answer.status, label).toBeGreaterThanOrEqual(400);
      expect(answer.status, label).toBeLessThan(500);
    }
    // An empty segment is a path like any other: the home page, and the staff UI.
    expect((await rawExchange(site.port, httpRequest('GET', '//'))).status).toBe(200);
    expect((await rawExchange(postroom.apiPort, httpRequest('GET', '//'))).status).toBe(200);
    await stillUp();
  });
});

describe('the public site', () => {
  it('serves only keys of the public bucket, however the path tries to climb out', async () => {
    const bucket = env().documents;
    for (const path of [
      `/../${bucket}/secret.txt`,
      `/..%2F${bucket}%2Fsecret.txt`,
      `/%2e%2e/${bucket}/secret.txt`,
      `/%2E%2E%2F${bucket}%2Fsecret.txt`,
      `/x/..%2F..%2F${bucket}/secret.txt`,
      `/..\\${bucket}\\secret.txt`,
      `/%5C..%5C${bucket}%5Csecret.txt`,
      `/index.html%00.txt`,
      `/%00`,
      `/./../${bucket}/secret.txt`,
      `//${bucket}/secret.txt`,
      // Encoded twice: decoded once it is still a name, not a way out.
      `/%252e%252e%252f${bucket}%252fsecret.txt`,
      `/..%255c${bucket}%255csecret.txt`,
    ]) {
      const answer = await rawExchange(site.port, httpRequest('GET', path));
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
      expect(answer.body.toString(), path).not.toContain(secret);
    }
    await stillUp();
  });

  it('answers HEAD as GET without a body, and any other method with 405', async () => {
    const get = await page('/');
    const head = await rawExchange(site.port, httpRequest('HEAD', '/'));
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(get.headers.get('content-length'));
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.body.byteLength).toBe(0);
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND']) {
      const answer = await rawExchange(site.port, httpRequest(method, '/', [], 'x'));
      expect(answer.status, method).toBe(405);
      expect(answer.headers.allow, method).toBe('GET, HEAD');
    }
  });

  it('answers a key too long to exist with the not-found page, without asking S3', async () => {
    for (const path of [`/${'a'.repeat(2000)}`, `/${'€'.repeat(100)}/x`, `/${'b'.repeat(300)}`]) {
      expect((await page(path)).status, path.slice(0, 20)).toBe(404);
    }
  });
});

describe('the staff API and UI server', () => {
  it('answers 413 past the body limit, declared or streamed, without reading it all', async () => {
    const declared = await rawExchange(
      postroom.apiPort,
      httpRequest('POST', `/api/requests/${requestId}/actions`, [
        ['Authorization', `Bearer ${token}`],
        ['Content-Length', String(7 * 1024 * 1024)],
      ]),
    );
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body.toString())).toMatchObject({ error: { code: 'too_large' } });

    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const chunked = Buffer.concat([
      httpRequest('PUT', `/api/requests/${requestId}/note`, [
        ['Authorization', `Bearer ${token}`],
        ['Transfer-Encoding', 'chunked'],
      ]),
      ...Array.from({ length: 7 }, () =>
        Buffer.concat([
          Buffer.from(`${chunk.byteLength.toString(16)}\r\n`),
          chunk,
          Buffer.from('\r\n'),
        ]),
      ),
      Buffer.from('0\r\n\r\n'),
    ]);
    expect((await rawExchange(postroom.apiPort, chunked)).status).toBe(413);
    await stillUp();
  });

  it('answers 400 for a sign-in body that is not JSON or names no seeded user', async () => {
    for (const body of [
      '{"email":',
      'null',
      '[]',
      '{"email":5}',
      '{"email":"nobody@x"}',
      '\u0000',
    ]) {
      const answer = await api('/local/token', { method: 'POST', body });
      expect(answer.status, body).toBe(400);
      expect(await answer.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    expect((await api('/local/token', { method: 'GET' })).status).toBe(405);
    const good = await api('/local/token', {
      method: 'POST',
      body: JSON.stringify({ email: staff.caseworker }),
    });
    expect(good.status).toBe(200);
  });

  it('answers odd methods, empty and huge headers, and broken request lines with a 4xx', async () => {
    const cases: Array<[string, Buffer]> = [
      ['lower-case method', httpRequest('get', '/api/health')],
      ['unknown method', httpRequest('FROB', '/api/health')],
      ['WebDAV method on the UI', httpRequest('PROPFIND', '/')],
      ['empty header value', httpRequest('GET', '/api/requests', [['Authorization', '']])],
      ['huge header', httpRequest('GET', '/api/health', [['X-Big', 'a'.repeat(40_000)]])],
      ['no path', Buffer.from('GET\r\n\r\n')],
      ['asterisk', httpRequest('OPTIONS', '*')],
      ['bytes', Buffer.from([0xff, 0x00, 0x13, 0x0d, 0x0a, 0x0d, 0x0a])],
      ['absolute form', httpRequest('GET', 'http://elsewhere.example/%E0%A4%A')],
    ];
    for (const [label, bytes] of cases) {
      const answer = await rawExchange(postroom.apiPort, bytes);
      expect(answer.status, label).toBeGreaterThanOrEqual(400);
      expect(answer.status, label).toBeLessThan(500);
      // Even what Node's parser refuses says why, in the API's error shape.
      expect(JSON.parse(answer.body.toString()), label).toMatchObject({
        error: { code: expect.any(String), message: expect.any(String) },
      });
    }
    await stillUp();
  });

  it('answers a wrong method on a known path with 405 and the allowed ones, in the error shape', async () => {
    const wrong = await api(`/api/requests/${requestId}`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(await wrong.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
    const unknown = await api('/api/nothing-here', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves the staff UI only from its own folder', async () => {
    for (const path of ['/..%2F..%2Fpackage.json', '/a%00b', '/%5C..%5Cpackage.json']) {
      const answer = await rawExchange(postroom.apiPort, httpRequest('GET', path));
      expect(answer.status, path).toBe(400);
    }
    // Dot segments resolve as a browser resolves them, inside the folder: the app's page.
    for (const path of ['/%2e%2e/%2e%2e/package.json', '/../../package.json']) {
      const answer = await rawExchange(postroom.apiPort, httpRequest('GET', path));
      expect(answer.status, path).toBe(200);
      expect(answer.body.toString(), path).toBe(staffUiPage);
    }
    expect((await api('/app.js')).status).toBe(200);
  });
});

describe('SMTP intake', () => {
  /** Speaks SMTP line by line; resolves with everything the server said. */
  function smtp(lines: string[], hangUpEarly = false): Promise<string> {
    return new Promise((resolve) => {
      let said = '';
      const socket = connect(postroom.smtp.port, '127.0.0.1');
      let next = 0;
      socket.on('data', (chunk) => {
        said += chunk.toString();
        if (next < lines.length) socket.write(`${lines[next++]}\r\n`);
        // Mid-message, with the envelope open: a reset, as a dropped connection sends.
        if (next === lines.length && hangUpEarly) setTimeout(() => socket.resetAndDestroy(), 50);
        else if (next === lines.length) socket.end();
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(said));
    });
  }

  it('stays up when clients drop in the middle of a message, again and again', async () => {
    for (let time = 0; time < 3; time += 1) {
      await smtp(
        [
          'EHLO fuzz',
          'MAIL FROM:<a@b.example>',
          'RCPT TO:<commissioner@office.example>',
          'DATA',
          'Subject: half',
        ],
        true,
      );
    }
    const banner = await smtp(['EHLO fuzz', `NOOP ${'x'.repeat(20_000)}`, 'QUIT']);
    expect(banner).toMatch(/^220 /);
    expect(banner).toMatch(/\n[45]\d\d /);
    expect(await smtp(['QUIT'])).toMatch(/^220 .*\r\n221 /s);
    await stillUp();
  });
});
