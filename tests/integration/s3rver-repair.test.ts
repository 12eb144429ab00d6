import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startS3Emulator } from '../../infra/local/emulators.ts';
import { freePort } from '../../infra/local/processes.ts';
import { setAsideCutOffUploads } from '../../infra/local/s3rver-repair.ts';

/**
 * What a SIGKILL leaves in s3rver's folder mid-upload, and the repair on the next start:
 * half-written objects move aside, complete ones stay, and the bucket lists again.
 */
const dir = mkdtempSync(join(tmpdir(), 'postroom-s3rver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const s3Dir = join(dir, 's3');
const inbound = join(s3Dir, 'inbound-bucket', 'inbound');
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function object(
  key: string,
  body: string,
  parts: { md5?: string; metadata?: string | null },
): void {
  writeFileSync(join(inbound, `${key}._S3rver_object`), body);
  writeFileSync(join(inbound, `${key}._S3rver_object.md5`), parts.md5 ?? md5(body));
  if (parts.metadata !== null)
    writeFileSync(
      join(inbound, `${key}._S3rver_metadata.json`),
      parts.metadata ?? '{"content-type":"message/rfc822"}',
    );
}

async function list(port: number): Promise<string[]> {
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  });
  try {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: 'inbound-bucket', Prefix: 'inbound/' }),
    );
    return (page.Contents ?? []).map((entry) => entry.Key ?? '');
  } finally {
    client.destroy();
  }
}

describe('s3rver after a kill', () => {
  it('moves aside uploads the kill cut off, so the bucket lists again', async () => {
    mkdirSync(inbound, { recursive: true });
    const since = Date.now() - 60_000;
    object('whole', 'From: a@example.org\r\n\r\nhello', {});
    object('empty-metadata', 'From: b@example.org\r\n\r\nhello', { metadata: '' });
    object('no-metadata', 'From: c@example.org\r\n\r\nhello', { metadata: null });
    object('bytes-cut-short', 'From: d@exa', { md5: md5('From: d@example.org\r\n\r\nhello') });
    // Written before the killed run started: not this kill's doing, left as it is.
    object('older', 'From: e@example.org\r\n\r\nhello', {});
    for (const suffix of ['_S3rver_object', '_S3rver_object.md5', '_S3rver_metadata.json'])
      utimesSync(
        join(inbound, `older.${suffix}`),
        new Date(since - 60_000),
        new Date(since - 60_000),
      );

    const port = await freePort();
    let emulator = await startS3Emulator(port, s3Dir);
    await expect(list(port)).rejects.toThrow();
    await emulator.stop();

    const aside = join(dir, 'aside');
    expect(setAsideCutOffUploads(s3Dir, aside, since).sort()).toEqual(
      ['bytes-cut-short', 'empty-metadata', 'no-metadata'].map(
        (key) => `inbound-bucket/inbound/${key}`,
      ),
    );
    expect(
      existsSync(join(aside, 'inbound-bucket', 'inbound', 'empty-metadata._S3rver_object')),
    ).toBe(true);

    emulator = await startS3Emulator(port, s3Dir);
    try {
      expect((await list(port)).sort()).toEqual(['inbound/older', 'inbound/whole']);
    } finally {
      await emulator.stop();
    }
  });
});
