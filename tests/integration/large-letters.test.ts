import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localToken } from '../../infra/local/users.ts';
import { plainLetter } from '../support/letters.ts';
import { records, staff, staffClient, startPostroom } from '../support/postroom.ts';

/**
 * A letter of several megabytes of text: its review runs in an instance of the notes
 * function of its own, so the rest of the API answers meanwhile; and its preview, which
 * carries the letter twice, is compressed to fit what Lambda can return, or refused with a
 * 413 that says why, never a bare 502.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
let id = '';

const paragraph =
  'We write about the consultation on retention periods and access to footage, and ask to meet. ' +
  'Contact our office manager on 0131 496 0123 or at office.manager@org.example.\r\n';

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  await postroom.deliver(
    plainLetter({
      from: 'Helen Marsh <helen@lumencam.example>',
      subject: 'A very long letter',
      body: paragraph.repeat(Math.ceil((6 * 1024 * 1024) / paragraph.length)),
    }),
    'helen@lumencam.example',
  );
  id = (await records.requestsInStage('received'))[0]?.id ?? '';
  // Both API functions started (a first call pays for loading the handler, as on Lambda).
  await api(undefined, 'GET', '/api/health');
  await api(staff.caseworker, 'GET', `/api/requests/${id}/note`);
});
afterAll(async () => {
  await postroom.close();
});

/** A GET without Accept-Encoding, as a client that cannot decompress sends it. */
async function rawGet(path: string, as: string) {
  const token = await localToken(as);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: '127.0.0.1',
          port: postroom.apiPort,
          path,
          headers: { authorization: `Bearer ${token}` },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    },
  );
}

describe('a letter of several megabytes', () => {
  it('is reviewed while the rest of the API keeps answering', async () => {
    // Health checks, one after another, for as long as the review runs. Were the review's
    // detection run on the API's own thread, none could be answered while it ran: the
    // longest wait between two answers would be most of the review's time.
    let reviewing = true;
    const started = performance.now();
    const review = api(staff.caseworker, 'GET', `/api/requests/${id}/redactions`).finally(() => {
      reviewing = false;
    });
    const answeredAt: number[] = [];
    while (reviewing) {
      expect((await api(undefined, 'GET', '/api/health')).status).toBe(200);
      answeredAt.push(performance.now());
    }
    const took = performance.now() - started;
    const reviewed = await review;
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.findings.length).toBeGreaterThan(0);
    const gaps = answeredAt.map((at, index) => at - (answeredAt[index - 1] ?? started));
    expect(Math.max(...gaps)).toBeLessThan(took / 4);
    // And a list of requests, from the other API function, answers as usual.
    expect((await api(staff.caseworker, 'GET', '/api/requests?stage=received')).status).toBe(200);
  });

  it('previews compressed to fit in 6 MB, or says why it cannot', async () => {
    const preview = await api(staff.caseworker, 'GET', `/api/requests/${id}/publication-preview`);
    expect(preview.status).toBe(200);
    // The letter page and the public copy both carry the letter: over 6 MB as JSON.
    expect(Buffer.byteLength(JSON.stringify(preview.body))).toBeGreaterThan(6 * 1024 * 1024);
    expect(preview.body.letter).not.toContain('office.manager@org.example');

    const uncompressed = await rawGet(`/api/requests/${id}/publication-preview`, staff.caseworker);
    expect(uncompressed.status).toBe(413);
    expect(JSON.parse(uncompressed.body).error).toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(
        /more than the API can return \(6 MB\).*Accept-Encoding: gzip/,
      ),
    });
  });
});
