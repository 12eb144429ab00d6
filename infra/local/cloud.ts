import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buckets, staffUploads, table } from '../resources.ts';
import { startDynamoDbLocal, startS3Emulator, startSesEmulator } from './emulators.ts';
import { processRegistry, type RunningProcess } from './processes.ts';
import { allowBrowserRequests, ensureBucket, ensureTable } from './provision.ts';
import { setAsideCutOffUploads } from './s3rver-repair.ts';

export interface CloudPorts {
  dynamodb: number;
  s3: number;
  ses: number;
}

export const defaultPorts = {
  api: 3000,
  site: 3001,
  smtp: 2525,
  ses: 8005,
  dynamodb: 8000,
  s3: 4569,
};

export const LOCAL_REGION = 'eu-west-1';

/**
 * The environment that points the unchanged AWS SDK at the emulators. s3rver accepts only
 * the key S3RVER and DynamoDB Local only letters and digits, so one key serves all three.
 */
export function emulatorEnvironment(ports: CloudPorts): Record<string, string> {
  const dynamodb = `http://127.0.0.1:${ports.dynamodb}`;
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodb,
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${ports.s3}`,
    AWS_ENDPOINT_URL_SES: `http://127.0.0.1:${ports.ses}`,
    // s3rver stores aws-chunked bodies verbatim unless checksums are only sent when required.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
  };
}

/**
 * Starts the three emulators; with `persist`, state survives restarts. The processes are
 * listed in `<data dir>/processes.json`, so a start after a runner was killed stops any it
 * left holding the ports (see processRegistry).
 */
export async function startEmulators(
  ports: CloudPorts,
  options: { dataDir: string; persist: boolean; onProgress?: (step: string) => void },
): Promise<{ processes: RunningProcess[]; stop(): Promise<void> }> {
  const progress = options.onProgress ?? (() => undefined);
  const dynamoDir = join(options.dataDir, 'dynamodb');
  const s3Dir = join(options.dataDir, 's3');
  mkdirSync(dynamoDir, { recursive: true });
  mkdirSync(s3Dir, { recursive: true });
  const registry = processRegistry(join(options.dataDir, 'processes.json'));
  const previous = await registry.claim(progress);
  if (previous.killed) {
    // s3rver is not crash-safe: take out what the kill left half-written (see s3rver-repair).
    const aside = join(options.dataDir, 's3-cut-off');
    const cutOff = setAsideCutOffUploads(s3Dir, aside, previous.startedAt);
    if (cutOff.length > 0)
      progress(
        `the last run was killed mid-upload: moved ${cutOff.length} incomplete S3 object(s) to ${aside} (${cutOff.slice(0, 3).join(', ')}${cutOff.length > 3 ? ', …' : ''})`,
      );
  }
  const started: RunningProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map((process) => process.stop()));
    registry.release();
  };
  try {
    progress(`starting DynamoDB Local on ${ports.dynamodb}`);
    const dynamo = startDynamoDbLocal(
      ports.dynamodb,
      options.persist ? dynamoDir : undefined,
      registry,
    );
    progress(`starting the S3 emulator on ${ports.s3}`);
    const s3 = startS3Emulator(ports.s3, s3Dir, registry);
    progress(`starting the SES emulator on ${ports.ses}`);
    const ses = startSesEmulator(ports.ses, registry);
    for (const running of await Promise.allSettled([dynamo, s3, ses])) {
      if (running.status === 'fulfilled') started.push(running.value);
    }
    for (const running of await Promise.allSettled([dynamo, s3, ses])) {
      if (running.status === 'rejected') throw running.reason;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { processes: started, stop };
}

export interface ResourceNames {
  TABLE_NAME: string;
  INBOUND_BUCKET: string;
  DOCUMENTS_BUCKET: string;
  PUBLIC_BUCKET: string;
}

export function resourceNames(prefix: string): ResourceNames {
  return {
    TABLE_NAME: prefix,
    INBOUND_BUCKET: `${prefix}-${buckets.inbound.suffix}`,
    DOCUMENTS_BUCKET: `${prefix}-${buckets.documents.suffix}`,
    PUBLIC_BUCKET: `${prefix}-${buckets.public.suffix}`,
  };
}

/** Creates the table and buckets from the declarations the CDK stack uses. */
export async function provision(names: ResourceNames): Promise<void> {
  await ensureTable(names.TABLE_NAME, table);
  for (const bucket of Object.values(buckets))
    await ensureBucket(names[bucket.env], bucket.versioned);
  // The staff UI is served on loopback, on whichever port it was given.
  await allowBrowserRequests(
    names[buckets[staffUploads.bucket].env],
    ['http://127.0.0.1:*', 'http://localhost:*'],
    staffUploads.cors,
  );
}
