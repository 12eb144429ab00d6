/**
 * npm run bench:publish [-- --quick] — one more publication into a site that already
 * holds 10, then 2,000, published meetings, all in the year of the one published (2026,
 * spread over its months), so every listing it rewrites holds them. Prints, for the one
 * publication at each size, its time, the public objects it wrote and the bytes it wrote
 * (public pages, copied attachments and the site manifest), and the ratio between the
 * sizes. Targets: time ratio ≤ 1.3 and bytes ratio ≤ 1.3. --quick: 10 and 200, 2 runs.
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
import { benchOptions, figure, reportFigures } from './lib/figures.ts';

const options = benchOptions();
const RUNS = options.quick ? 2 : 5;
const SIZES = options.quick ? [10, 200] : [10, 2000];
const dataDir = mkdtempSync(join(tmpdir(), 'postroom-bench-publish-'));
const emulatorPorts = { dynamodb: await freePort(), s3: await freePort(), ses: await freePort() };
console.log('starting the emulators…');
const emulators = await startEmulators(emulatorPorts, { dataDir, persist: false });
try {
  const names = resourceNames('benchpub');
  Object.assign(process.env, emulatorEnvironment(emulatorPorts), names, { LOG_LEVEL: 'warn' });
  await provision(names);
  const { dynamo } = await import('../shared/aws/clients.ts');
  const { storedSize, writeObject } = await import('../shared/aws/documents.ts');
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
  let bytes = 0;
  const sizeOf = (body: string | Uint8Array) =>
    typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const ports = {
    ...base,
    writePublic: async (key: string, body: string, contentType: string) => {
      written += 1;
      bytes += sizeOf(body);
      await base.writePublic(key, body, contentType);
    },
    async copyToPublic(documentKey: string, publicKey: string, contentType: string) {
      written += 1;
      bytes += (await storedSize({ bucket: names.DOCUMENTS_BUCKET, key: documentKey })) ?? 0;
      await base.copyToPublic(documentKey, publicKey, contentType);
    },
    // The manifest is written with every publication too; its bytes count.
    async writeManifest(meetings: PublishedMeeting[]) {
      bytes += sizeOf(JSON.stringify(meetings));
      await base.writeManifest(meetings);
    },
  };

  // Summaries as earlier publications left them in the manifest (already public text):
  // in 2026, the year of the meeting published, on every month and day of it, so the
  // year's listings hold them all and the new meeting lands among them, not on top.
  const summary = (n: number) => {
    const day = `2026-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
    return {
      reference: `REQ-2026-${String(10_000 + n).padStart(5, '0')}`,
      title: `Meeting ${n}`,
      start: `${day}T10:00:00.000Z`,
      end: `${day}T11:00:00.000Z`,
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
      publishedAt: `${day}T12:00:00.000Z`,
      corrections: [],
    } as unknown as PublishedMeeting;
  };

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

  const results: Array<{ size: number; ms: number; objects: number; bytes: number }> = [];
  for (const size of SIZES) {
    const ms: number[] = [];
    let objects = 0;
    let bytesWritten = 0;
    for (let run = 0; run < RUNS; run += 1) {
      await base.writeManifest(Array.from({ length: size }, (_, n) => summary(n)));
      const id = await approvedRequest();
      written = 0;
      bytes = 0;
      const start = performance.now();
      const outcome = await publish(id, ports, site, rules, new Date('2026-03-02T00:00:00Z'));
      ms.push(performance.now() - start);
      if (!outcome.published) throw new Error(`not published: ${outcome.reason}`);
      objects = written;
      bytesWritten = bytes;
    }
    const median = [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? 0;
    results.push({ size, ms: median, objects, bytes: bytesWritten });
    console.log(
      `site of ${String(size).padStart(4)} meetings: one more publication took ${median.toFixed(1)} ms (median of ${RUNS}), wrote ${objects} objects and ${bytesWritten.toLocaleString('en-GB')} bytes`,
    );
  }
  const [small, large] = results as unknown as [
    { size: number; ms: number; objects: number; bytes: number },
    { size: number; ms: number; objects: number; bytes: number },
  ];
  const label = `${large.size.toLocaleString('en-GB')} / ${small.size}`;
  reportFigures(
    [
      figure('publish', `time, ${label} meetings`, large.ms / small.ms, '×', { max: 1.3 }),
      figure('publish', `bytes written, ${label} meetings`, large.bytes / small.bytes, '×', {
        max: 1.3,
      }),
      figure('publish', `objects written, ${label} meetings`, large.objects / small.objects, '×', {
        max: 1.3,
      }),
    ],
    options,
  );
} finally {
  await emulators.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
