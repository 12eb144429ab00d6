/**
 * npm run bench:publish — one more publication into a site that already holds 10, then
 * 2,000, published meetings. Prints the time and the number of S3 objects written for
 * the one publication at each size, and the ratio between the sizes (target: at most 1.3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  emulatorEnvironment,
  provision,
  resourceNames,
  startEmulators,
} from '../infra/local/cloud.ts';
import { freePort } from '../infra/local/processes.ts';
import type { PublishedMeeting } from '../shared/publication/render.ts';
import { approvedRequest as seeded } from '../tests/support/approved-request.ts';

const RUNS = 5;
const dataDir = mkdtempSync(join(tmpdir(), 'postroom-bench-publish-'));
const emulatorPorts = { dynamodb: await freePort(), s3: await freePort(), ses: await freePort() };
console.log('starting the emulators…');
const emulators = await startEmulators(emulatorPorts, { dataDir, persist: false });
try {
  const names = resourceNames('benchpub');
  Object.assign(process.env, emulatorEnvironment(emulatorPorts), names, { LOG_LEVEL: 'warn' });
  await provision(names);
  const { dynamo } = await import('../shared/aws/clients.ts');
  const { writeObject } = await import('../shared/aws/documents.ts');
  const wiring = await import('../shared/aws/wiring.ts');
  const { readConfig } = await import('../shared/config.ts');
  const { functions } = await import('../infra/functions.ts');
  const { publish } = await import('../shared/publication/publish.ts');
  // Built as the publish function builds them, from its declared settings.
  const {
    ports: base,
    site,
    rules,
  } = wiring.publish(
    readConfig(functions.publish.env, {
      ...process.env,
      SITE_BASE_URL: 'https://meetings.office.example/',
    }),
  );
  let written = 0;
  const ports = {
    ...base,
    writePublic: async (key: string, body: string, contentType: string) => {
      written += 1;
      await base.writePublic(key, body, contentType);
    },
  };

  // Summaries as earlier publications left them in the manifest (already public text).
  const summary = (n: number) =>
    ({
      reference: `REQ-2025-${String(n).padStart(5, '0')}`,
      title: `Meeting ${n}`,
      start: `2025-${String(1 + (n % 12)).padStart(2, '0')}-10T10:00:00.000Z`,
      end: `2025-${String(1 + (n % 12)).padStart(2, '0')}-10T11:00:00.000Z`,
      location: 'Edinburgh',
      organisations: [`Organisation ${n % 300}`],
      attendees: [
        {
          name: `Person ${n}`,
          role: 'Director',
          organisation: `Organisation ${n % 300}`,
          host: true,
          invitedGuest: false,
        },
      ],
      purposeSummary: `Purpose of meeting ${n}.`,
      noteMarkdown: '',
      letterText: '',
      letterDate: '2025-01-01T00:00:00.000Z',
      attachments: [],
      publishedAt: '2025-12-01T00:00:00.000Z',
      corrections: [],
    }) as unknown as PublishedMeeting;

  let serial = 0;
  async function approvedRequest(): Promise<string> {
    serial += 1;
    const { request, items, objects } = seeded(serial, {
      title: 'Meeting with Org Ltd',
      body: '## Purpose\n\nTo discuss cameras.[^1]\n\n[^1]: Letter.',
      publishAt: '2026-03-01T00:00:00.000Z',
    });
    for (const { key, body } of objects)
      await writeObject({ bucket: names.DOCUMENTS_BUCKET, key }, body, 'text/plain');
    for (const Item of items)
      await dynamo.send(new PutCommand({ TableName: names.TABLE_NAME, Item }));
    return request.id;
  }

  // One unmeasured publication first, so neither size pays for JIT or connection set-up.
  await base.writeManifest([summary(0)]);
  await publish(await approvedRequest(), ports, site, rules, new Date('2026-03-02T00:00:00Z'));

  const results: Array<{ size: number; ms: number; objects: number }> = [];
  for (const size of [10, 2000]) {
    const ms: number[] = [];
    let objects = 0;
    for (let run = 0; run < RUNS; run += 1) {
      await base.writeManifest(Array.from({ length: size }, (_, n) => summary(n)));
      const id = await approvedRequest();
      written = 0;
      const start = performance.now();
      const outcome = await publish(id, ports, site, rules, new Date('2026-03-02T00:00:00Z'));
      ms.push(performance.now() - start);
      if (!outcome.published) throw new Error(`not published: ${outcome.reason}`);
      objects = written;
    }
    const median = [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? 0;
    results.push({ size, ms: median, objects });
    console.log(
      `site of ${String(size).padStart(4)} meetings: one more publication took ${median.toFixed(1)} ms (median of ${RUNS}) and wrote ${objects} public objects`,
    );
  }
  const [small, large] = results as unknown as [
    { ms: number; objects: number },
    { ms: number; objects: number },
  ];
  console.log(
    `ratio 2,000 / 10: time ${(large.ms / small.ms).toFixed(2)}, objects ${(large.objects / small.objects).toFixed(2)} (target: at most 1.3)`,
  );
} finally {
  await emulators.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
