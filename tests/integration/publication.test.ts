import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/processes.ts';
import { startPublicSite } from '../../infra/local/public-site.ts';
import {
  act,
  fixture,
  records,
  s3Client,
  sentMail,
  staff,
  staffClient,
  startPostroom,
  walkToHeld,
} from '../support/postroom.ts';

/**
 * Approval publishes, unaided: within the stream's next poll the note, the letter, the
 * index, feed and register are in the public bucket, and no redacted string is anywhere.
 */
let postroom: Awaited<ReturnType<typeof startPostroom>>;
let api: ReturnType<typeof staffClient>;
let id = '';
const publicBucket = () => process.env.PUBLIC_BUCKET ?? '';

async function publicObjects(): Promise<Map<string, string>> {
  const listed = await s3Client.send(new ListObjectsV2Command({ Bucket: publicBucket() }));
  const objects = new Map<string, string>();
  for (const object of listed.Contents ?? []) {
    const body = await s3Client.send(
      new GetObjectCommand({ Bucket: publicBucket(), Key: object.Key }),
    );
    objects.set(object.Key ?? '', (await body.Body?.transformToString()) ?? '');
  }
  return objects;
}

beforeAll(async () => {
  postroom = await startPostroom();
  api = staffClient(postroom.apiPort);
  await postroom.deliver(fixture('01-letter-pdf.eml'), 'vp.publicaffairs@lumencam.example');
  id = (await records.requestsInStage('received'))[0]?.id ?? '';
  await walkToHeld(api, id, {
    start: '2026-02-24T14:00:00Z',
    end: '2026-02-24T15:20:00Z',
    location: 'Central Edinburgh',
    attendees: [
      {
        name: 'Helen Marsh',
        role: 'VP Public Affairs',
        organisation: 'LumenCam Ltd',
        email: 'vp.publicaffairs@lumencam.example',
        host: true,
      },
      { name: 'Sophie Grant', role: 'Account Director', organisation: 'Northlight Communications' },
      {
        name: 'The Commissioner',
        role: 'Commissioner',
        organisation: 'The Commissioner’s Office',
        invitedGuest: true,
      },
    ],
  });
  await api(staff.caseworker, 'PUT', `/api/requests/${id}/note`, {
    expectedVersion: 0,
    title: 'Meeting with LumenCam Ltd about cameras and public safety',
    body: '## Purpose\n\nLumenCam asked to meet about public safety.[^1] Contact: vp.publicaffairs@lumencam.example\n\n## Points of discussion\n\n### Retention\n\n- Footage\n\n<script>alert(1)</script>\n\n## Conclusion\n\nAgreed to write.\n\n[^1]: Letter of 30 January.',
  });
  await act(api, staff.caseworker, id, 'submit_note');
  await sentMail.clear();
  await act(api, staff.approver, id, 'approve');
  await postroom.settle();
});
afterAll(async () => {
  await postroom.close();
});

describe('automatic publication', () => {
  it('publishes the note page, the letter, the index, the feed and the register', async () => {
    const objects = await publicObjects();
    const year = '2026';
    const reference = (await records.request(id))?.reference.toLowerCase() ?? '';
    expect([...objects.keys()].sort()).toEqual(
      [
        `meetings/${year}/${reference}/index.html`,
        `meetings/${year}/${reference}/letter.html`,
        '404.html',
        'feed.xml',
        'index.html',
        'register.csv',
        'register.json',
        `registers/${year}.csv`,
        `registers/${year}.json`,
        `years/${year}/index.html`,
        `search/${year}-1.json`,
        'search/index.html',
        'search/index.json',
        'search/search.js',
      ].sort(),
    );
    const page = objects.get(`meetings/${year}/${reference}/index.html`) ?? '';
    expect(page).toContain('<h1>Meeting with LumenCam Ltd about cameras and public safety</h1>');
    expect(page).toContain(
      '<td>Helen Marsh</td><td>VP Public Affairs</td><td>LumenCam Ltd</td><td>host</td>',
    );
    expect(page).toContain('class="footnotes"');
    expect(page).not.toContain('<script>');
    expect(objects.get('index.html')).toContain(`meetings/${year}/${reference}/`);
    expect(JSON.parse(objects.get('register.json') ?? '{}').meetings).toHaveLength(1);
  });

  it('lets caches keep a public object five minutes, so a change shows soon everywhere', async () => {
    const listed = await s3Client.send(new ListObjectsV2Command({ Bucket: publicBucket() }));
    expect(listed.Contents?.length).toBeGreaterThan(5);
    for (const object of listed.Contents ?? []) {
      const head = await s3Client.send(
        new HeadObjectCommand({ Bucket: publicBucket(), Key: object.Key }),
      );
      expect(head.CacheControl, object.Key).toBe('public, max-age=300');
    }
  });

  it('never publishes a redacted string, anywhere in the public bucket', async () => {
    for (const [key, body] of await publicObjects()) {
      expect(body, key).not.toContain('vp.publicaffairs@lumencam.example');
      expect(body, key).not.toContain('7946 0321');
    }
  });

  it('moves the request to published and tells the requester where to find it', async () => {
    const request = await records.request(id);
    expect(request?.stage).toBe('published');
    const events = await records.events(id);
    expect(events.at(-1)).toMatchObject({
      action: 'publish',
      actor: 'system:publish',
      from: 'approved',
      to: 'published',
    });
    const told = (await sentMail.to('vp.publicaffairs@lumencam.example')).map(
      (mail) => mail.subject,
    );
    expect(told.some((subject) => subject.endsWith('The note of our meeting is published'))).toBe(
      true,
    );
  });

  it('serves the site over HTTP as the public would see it', async () => {
    const port = await freePort();
    const site = await startPublicSite(port, publicBucket());
    try {
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('Meetings with outside organisations');
      const missing = await fetch(`http://127.0.0.1:${port}/meetings/2099/nothing/`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const body = await missing.text();
      expect(body).toContain('<h1>Page not found</h1>');
      // Served at the wrong address, so its way back is absolute.
      expect(body).toContain(
        `<a href="${process.env.SITE_BASE_URL}">See all published meetings</a>`,
      );
    } finally {
      await site.stop();
    }
  });

  it('holds an embargoed note until the sweep finds it due', async () => {
    await postroom.deliver(fixture('02-docx-charity.eml'));
    const embargoed = (await records.requestsInStage('received'))[0]?.id ?? '';
    for (const [action, fields] of [
      ['accept', {}],
      [
        'schedule',
        {
          start: '2026-03-01T10:00:00Z',
          end: '2026-03-01T11:00:00Z',
          location: 'Online',
          attendees: [
            { name: 'Grace Whitfield', role: 'Director', organisation: 'Riverside Youth Trust' },
          ],
        },
      ],
      ['record_held', {}],
      [
        'save_draft',
        { title: 'Meeting with Riverside Youth Trust', body: '## Purpose\n\nYouth services.' },
      ],
      ['submit_note', {}],
    ] as const) {
      expect((await act(api, staff.caseworker, embargoed, action, fields)).status).toBe(200);
    }
    // Clear the DOCX for publication; nothing else attached may go out.
    const detail = await api(staff.caseworker, 'GET', `/api/requests/${embargoed}`);
    const docx = detail.body.messages.find((m: { direction: string }) => m.direction === 'inbound')
      .documents.attachments[0];
    const cleared = await api(staff.caseworker, 'PUT', `/api/requests/${embargoed}/redactions`, {
      expectedVersion: detail.body.version,
      clearedAttachments: [docx.key],
      // Its text cannot be read for personal data, so publishing it needs a reason.
      clearingReasons: [{ key: docx.key, reason: 'Checked by hand: the published brochure' }],
    });
    expect(cleared.status).toBe(200);
    const publishAt = new Date(Date.now() + 1500).toISOString();
    expect((await act(api, staff.approver, embargoed, 'approve', { publishAt })).status).toBe(200);
    await postroom.settle();
    expect((await records.request(embargoed))?.stage).toBe('approved');
    // No one, admin included, can mark it published, or get round the embargo so.
    const eventsBefore = (await records.events(embargoed)).length;
    const mailBefore = (await sentMail.all()).length;
    const claimed = await act(api, staff.admin, embargoed, 'publish', {
      pageUrl: 'javascript:alert(document.domain)//',
      noteVersion: 1,
    });
    expect(claimed.status).toBe(400);
    expect(claimed.body.error.message).toMatch(/unknown action.*publish is done by postroom/);
    await postroom.settle();
    expect((await records.request(embargoed))?.stage).toBe('approved');
    expect(await records.events(embargoed)).toHaveLength(eventsBefore);
    expect(await sentMail.all()).toHaveLength(mailBefore);
    expect(
      [...(await publicObjects()).keys()].some(
        (key) => key.includes('riverside') || key.includes('2026-0002'),
      ),
    ).toBe(false);

    await new Promise((resolve) => setTimeout(resolve, 1600));
    const report = (await postroom.runScheduled('sweep')) as { published: string[] };
    expect(report.published).toHaveLength(1);
    await postroom.settle();
    expect((await records.request(embargoed))?.stage).toBe('published');
    // The open-data registers follow once a day, as the sweep assembles them; the pages,
    // the index and the feed show the meeting at once.
    const registered = async () =>
      JSON.parse((await publicObjects()).get('register.json') ?? '{}').meetings.length;
    expect(await registered()).toBe(1);
    expect((await publicObjects()).get('feed.xml')).toContain('Riverside Youth Trust');
    await postroom.runScheduled('sweep', new Date(Date.now() + 60_000));
    expect(await registered()).toBe(1);
    const dayLater = (await postroom.runScheduled(
      'sweep',
      new Date(Date.now() + 25 * 60 * 60 * 1000),
    )) as { registersAssembled: boolean };
    expect(dayLater.registersAssembled).toBe(true);
    expect(await registered()).toBe(2);
    const objects = await publicObjects();
    expect(JSON.parse(objects.get('registers/2026.json') ?? '{}').meetings).toHaveLength(2);
    const attachmentKey = [...objects.keys()].find((key) => key.includes('/attachments/'));
    expect(attachmentKey).toMatch(/\/attachments\/[^/]+\.docx$/);
    const reference = (await records.request(embargoed))?.reference.toLowerCase() ?? '';
    const page = [...objects.entries()].find(([key]) =>
      key.endsWith(`${reference}/index.html`),
    )?.[1];
    expect(page).toContain(`href="attachments/${attachmentKey?.split('/').pop()}"`);
  });

  it('changes nothing when the approval is replayed', async () => {
    const before = await publicObjects();
    const { handler } = await import('../../functions/publish.ts');
    const { marshall } = await import('@aws-sdk/util-dynamodb');
    const { lambdaContext } = await import('../../infra/local/lambda-context.ts');
    const approval = (await records.events(id)).find((event) => event.action === 'approve');
    await handler(
      {
        Records: [
          {
            eventName: 'INSERT',
            dynamodb: { SequenceNumber: '1', NewImage: marshall(approval) as never },
          },
        ],
      },
      lambdaContext('publish', 60),
    );
    expect(await publicObjects()).toEqual(before);
    expect((await records.events(id)).filter((event) => event.action === 'publish')).toHaveLength(
      1,
    );
  });

  it('republishes a correction at the same address with a dated notice', async () => {
    const reference = (await records.request(id))?.reference.toLowerCase() ?? '';
    const key = `meetings/2026/${reference}/index.html`;
    const firstPublished = (await records.request(id))?.stage;
    expect(firstPublished).toBe('published');
    // The admin writes the correction; the approver, who did not, approves it.
    expect(
      (await act(api, staff.admin, id, 'correct', { note: 'A job title was wrong.' })).body.stage,
    ).toBe('drafting');
    const note = await api(staff.caseworker, 'GET', `/api/requests/${id}/note`);
    await api(staff.caseworker, 'PUT', `/api/requests/${id}/note`, {
      expectedVersion: note.body.version,
      title: note.body.title,
      body: `${note.body.body}\n\nCorrected text.`,
    });
    await act(api, staff.caseworker, id, 'submit_note');
    await act(api, staff.approver, id, 'approve');
    await postroom.settle();
    const page = (await publicObjects()).get(key) ?? '';
    expect(page).toMatch(
      /<strong>Corrected on \d{1,2} \w+ \d{4}:<\/strong> A job title was wrong\./,
    );
    expect(page).toContain('Corrected text.');
    expect((await records.request(id))?.stage).toBe('published');
  });

  it('takes a meeting down: its pages go, the register forgets it, the audit trail stays', async () => {
    const reference = (await records.request(id))?.reference ?? '';
    const refused = await act(api, staff.approver, id, 'takedown', {
      reason: 'Published in error',
    });
    expect(refused.status).toBe(403);
    expect(
      (await act(api, staff.admin, id, 'takedown', { reason: 'Published in error' })).body.stage,
    ).toBe('withdrawn');
    await postroom.settle();
    const objects = await publicObjects();
    expect(objects.has(`meetings/2026/${reference.toLowerCase()}/index.html`)).toBe(false);
    const register = JSON.parse(objects.get('register.json') ?? '{}');
    expect(register.meetings.map((m: { reference: string }) => m.reference)).not.toContain(
      reference,
    );
    expect(objects.get('index.html')).not.toContain(reference.toLowerCase());
    const actions = (await records.events(id)).map((event) => event.action);
    expect(actions.slice(-2)).toEqual(['publish', 'takedown']);
    // The takedown is an event of the request's chain like any other, and the chain holds.
    const trail = await api(staff.approver, 'GET', `/api/requests/${id}/audit`);
    expect(trail.body.verification).toMatchObject({ intact: true, count: actions.length });
    expect(trail.body.events.at(-1)).toMatchObject({
      action: 'takedown',
      actor: staff.admin,
      from: 'published',
      to: 'withdrawn',
      details: { reason: 'Published in error' },
    });
  });
});
