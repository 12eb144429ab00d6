/**
 * npm run bench:publish [-- --quick] — one more publication into a site that already
 * holds 10, 200 and 2,000 published meetings, all in the year of the one published (2026,
 * spread over its months and so over every part of the year's archive), the sizes taking
 * turns run by run. The meeting published is the design's worked example at a real length
 * (bench/lib/worked-example-note.ts). For each size: the time, the objects written, and
 * the bytes written — the meeting's own (its pages, its cleared PDF, its summary) and the
 * listings' (index, year archive part, feed, their state). Targets: time and bytes at
 * 2,000 / at 10 ≤ 1.3, and the listings' bytes at 2,000 / at 200 ≤ 1.3, which shows they
 * stop growing once full. --quick: 10, 100 and 200 meetings, 2 runs.
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
import { listedMeeting, approvedRequest as seeded } from '../tests/support/approved-request.ts';
import { pdfWithText } from '../tests/support/pdf.ts';
import { benchOptions, figure, reportFigures } from './lib/figures.ts';
import { attendees, letter, note } from './lib/worked-example-note.ts';

const options = benchOptions();
const RUNS = options.quick ? 2 : 5;
const SIZES = options.quick ? [10, 100, 200] : [10, 200, 2000];
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
  const { rebuildSite } = await import('../shared/publication/site.ts');
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
  /** Of `bytes`, those of the meeting's own objects; the rest are the listings'. */
  let own = 0;
  const sizeOf = (body: string | Uint8Array) =>
    typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const ports = {
    ...base,
    writePublic: async (key: string, body: string, contentType: string) => {
      written += 1;
      bytes += sizeOf(body);
      if (key.startsWith('meetings/')) own += sizeOf(body);
      await base.writePublic(key, body, contentType);
    },
    async copyToPublic(documentKey: string, publicKey: string, contentType: string) {
      written += 1;
      const size = (await storedSize({ bucket: names.DOCUMENTS_BUCKET, key: documentKey })) ?? 0;
      bytes += size;
      own += size;
      await base.copyToPublic(documentKey, publicKey, contentType);
    },
    // The listings' state is written with every publication too; its bytes count.
    async writeState(name: string, value: unknown) {
      written += 1;
      bytes += sizeOf(JSON.stringify(value));
      if (name.startsWith('meetings/')) own += sizeOf(JSON.stringify(value));
      await base.writeState(name, value);
    },
  };

  // Seeded as if the registers were assembled an hour before the publication measured, so
  // it leaves them to the sweep, as a publication on a working site does.
  const seededAt = new Date('2026-12-31T11:00:00Z');
  // Lines of the letter as a word processor would set them, about 80 characters each.
  const letterPdf = pdfWithText([
    letter.split('\n').flatMap((line) => line.match(/.{1,80}(\s|$)/g) ?? ['']),
  ]);
  let serial = 0;
  async function approvedRequest(): Promise<string> {
    serial += 1;
    const { request, items, objects } = seeded(serial, {
      title: 'Meeting with LumenCam Ltd about cameras and public safety',
      body: note,
      letter,
      attendees,
      organisation: 'LumenCam Ltd',
      // The letter came as a PDF too, and staff cleared it to be published beside the note.
      attachmentName: 'letter-30-january-2026.pdf',
      attachment: { body: letterPdf, contentType: 'application/pdf' },
      publishAt: '2026-03-01T00:00:00.000Z',
    });
    for (const { key, body } of objects)
      await writeObject({ bucket: names.DOCUMENTS_BUCKET, key }, body, 'text/plain');
    for (const Item of items)
      await dynamo.send(new PutCommand({ TableName: names.TABLE_NAME, Item }));
    return request.id;
  }

  // One unmeasured publication first, so neither size pays for JIT or connection set-up.
  const seedSite = (size: number) =>
    rebuildSite(
      base,
      site,
      Array.from({ length: size }, (_, n) => listedMeeting(n)),
      seededAt,
    );
  await seedSite(1);
  await publish(await approvedRequest(), ports, site, rules, new Date('2026-12-31T12:00:00Z'));

  // The sizes take turns, run by run, so neither is measured on a warmer or busier machine.
  interface Measured {
    size: number;
    ms: number[];
    objects: number;
    bytes: number;
    own: number;
  }
  const measured: Measured[] = SIZES.map((size) => ({
    size,
    ms: [],
    objects: 0,
    bytes: 0,
    own: 0,
  }));
  for (let run = 0; run < RUNS; run += 1) {
    for (const into of measured) {
      await seedSite(into.size);
      const id = await approvedRequest();
      written = 0;
      bytes = 0;
      own = 0;
      const start = performance.now();
      const outcome = await publish(id, ports, site, rules, new Date('2026-12-31T12:00:00Z'));
      into.ms.push(performance.now() - start);
      if (!outcome.published) throw new Error(`not published: ${outcome.reason}`);
      into.objects = written;
      into.bytes = bytes;
      into.own = own;
    }
  }
  const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? 0;
  for (const size of measured)
    console.log(
      `site of ${String(size.size).padStart(4)} meetings: one more publication took ${median(size.ms).toFixed(1)} ms (median of ${RUNS}), wrote ${size.objects} objects and ${size.bytes.toLocaleString('en-GB')} bytes: ${size.own.toLocaleString('en-GB')} the meeting's own, ${(size.bytes - size.own).toLocaleString('en-GB')} the listings'`,
    );
  const [small, middle, large] = measured as [Measured, Measured, Measured];
  const label = `${large.size.toLocaleString('en-GB')} / ${small.size}`;
  reportFigures(
    [
      figure('publish', `time, ${label} meetings`, median(large.ms) / median(small.ms), '×', {
        max: 1.3,
      }),
      figure('publish', `bytes written, ${label} meetings`, large.bytes / small.bytes, '×', {
        max: 1.3,
      }),
      figure('publish', `objects written, ${label} meetings`, large.objects / small.objects, '×', {
        max: 1.3,
      }),
      figure(
        'publish',
        `listings' bytes, ${large.size.toLocaleString('en-GB')} / ${middle.size} meetings`,
        (large.bytes - large.own) / (middle.bytes - middle.own),
        '×',
        { max: 1.3 },
      ),
    ],
    options,
  );
} finally {
  await emulators.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
