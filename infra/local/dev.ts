import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  defaultPorts,
  emulatorEnvironment,
  LOCAL_REGION,
  provision,
  resourceNames,
  startEmulators,
} from './cloud.ts';
import { processRegistry } from './processes.ts';
import { localToken, seededStaffSetting, seededUsers } from './users.ts';

/**
 * `npm run dev`: the whole of postroom on this machine. Emulators for DynamoDB, S3 and
 * SES, SMTP intake, and the stream poller, all running the real handlers.
 */
const { values: flags } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    demo: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: process.env.POSTROOM_DATA_DIR ?? '.local' },
    'smtp-port': {
      type: 'string',
      default: process.env.POSTROOM_SMTP_PORT ?? String(defaultPorts.smtp),
    },
    'site-port': {
      type: 'string',
      default: process.env.POSTROOM_SITE_PORT ?? String(defaultPorts.site),
    },
    'api-port': {
      type: 'string',
      default: process.env.POSTROOM_API_PORT ?? String(defaultPorts.api),
    },
    'ses-port': {
      type: 'string',
      default: process.env.POSTROOM_SES_PORT ?? String(defaultPorts.ses),
    },
    'dynamodb-port': {
      type: 'string',
      default: process.env.POSTROOM_DYNAMODB_PORT ?? String(defaultPorts.dynamodb),
    },
    's3-port': { type: 'string', default: process.env.POSTROOM_S3_PORT ?? String(defaultPorts.s3) },
  },
});

const port = (name: keyof typeof flags) => {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(
      `--${name} must be a port number from 1 to 65535, not ${JSON.stringify(flags[name])}`,
    );
    process.exit(2);
  }
  return value;
};

const ports = {
  smtp: port('smtp-port'),
  api: port('api-port'),
  site: port('site-port'),
  ses: port('ses-port'),
  dynamodb: port('dynamodb-port'),
  s3: port('s3-port'),
};
const dataDir = resolve(String(flags['data-dir']));
const step = (message: string) => console.log(`  … ${message}`);

if (flags.fresh) {
  // Stop anything a killed run left running from this folder before forgetting it.
  await processRegistry(join(dataDir, 'processes.json'))
    .claim(step)
    .catch((error: Error) => {
      console.error(`\n${error.message}`);
      process.exit(1);
    });
  step(`--fresh: removing ${dataDir}`);
  rmSync(dataDir, { recursive: true, force: true });
}
mkdirSync(dataDir, { recursive: true });

console.log('postroom: starting the local cloud');
// The staff UI is built on every start, so it always matches the code (it takes a second).
step('bundling the staff UI into web/dist');
const { buildWeb } = await import('../../web/build.ts');
await buildWeb({ log: (line) => line.startsWith('first load') && step(`staff UI: ${line}`) }).catch(
  (error: Error) => {
    console.error(`\nthe staff UI did not build: ${error.message}`);
    process.exit(1);
  },
);
const emulators = await startEmulators(ports, { dataDir, persist: true, onProgress: step }).catch(
  (error: Error) => {
    console.error(`\n${error.message}`);
    process.exit(1);
  },
);

const names = resourceNames('postroom');
Object.assign(process.env, emulatorEnvironment(ports), names, {
  OFFICE_NAME: process.env.OFFICE_NAME ?? 'The Commissioner’s Office (local)',
  OFFICE_ADDRESS: process.env.OFFICE_ADDRESS ?? 'commissioner@office.example',
  STAFF_ALERT_ADDRESS: process.env.STAFF_ALERT_ADDRESS ?? 'staff@office.example',
  SITE_BASE_URL: `http://127.0.0.1:${ports.site}/`,
  STAFF_USERS: seededStaffSetting(),
});
step('creating the table and buckets');
await provision(names);
step('starting SMTP intake and the stream poller');
const { startLocalRuntime } = await import('./runtime.ts');
const { startPublicSite } = await import('./public-site.ts');
const site = await startPublicSite(ports.site, names.PUBLIC_BUCKET);
const runtime = await startLocalRuntime({
  smtpPort: ports.smtp,
  apiPort: ports.api,
  region: LOCAL_REGION,
  stateDir: dataDir,
});

// Bearer tokens for one seeded user per role, for curl and scripts (README, "A local token").
const tokensFile = join(dataDir, 'tokens.json');
const tokens: Record<string, string> = {};
for (const role of ['caseworker', 'approver', 'admin'] as const) {
  const user = seededUsers.find((candidate) =>
    (candidate.groups as readonly string[]).includes(role),
  );
  if (user) tokens[role] = await localToken(user.email);
}
writeFileSync(tokensFile, `${JSON.stringify(tokens, null, 2)}\n`);

if (flags.demo) {
  const marker = join(dataDir, 'demo-seeded');
  if (existsSync(marker)) {
    step('--demo: this data directory already has the demo requests (--fresh starts again)');
  } else {
    const { seedDemo } = await import('./demo.ts');
    await seedDemo({
      apiPort: ports.api,
      smtpPort: ports.smtp,
      officeAddress: String(process.env.OFFICE_ADDRESS),
      settle: runtime.settle,
      progress: step,
    });
    writeFileSync(marker, `${new Date().toISOString()}\n`);
  }
}

console.log(`
postroom is running locally. Data persists in ${dataDir} (start with --fresh to empty it).

  Staff UI           http://127.0.0.1:${ports.api}/   sign in as any staff user below
  Public site        http://127.0.0.1:${ports.site}/
  Staff API          http://127.0.0.1:${ports.api}/api   (OpenAPI: http://127.0.0.1:${ports.api}/api/openapi.json)
  SMTP intake        smtp://127.0.0.1:${ports.smtp}    send a letter: npm run ingest -- tests/fixtures/mail/01-letter-pdf.eml${ports.smtp === defaultPorts.smtp ? '' : ` --port ${ports.smtp}`}
  Mail viewer (SES)  http://127.0.0.1:${ports.ses}/   sent mail as JSON: http://127.0.0.1:${ports.ses}/store
  DynamoDB Local     http://127.0.0.1:${ports.dynamodb}   table ${names.TABLE_NAME}
  S3 emulator        http://127.0.0.1:${ports.s3}   buckets ${names.INBOUND_BUCKET}, ${names.DOCUMENTS_BUCKET}, ${names.PUBLIC_BUCKET}

  Staff users        ${seededUsers.map((user) => `${user.email} (${user.groups.join(', ')})`).join('\n                     ')}
  Bearer tokens      ${tokensFile}

  Office address ${process.env.OFFICE_ADDRESS}; staff alerts go to ${process.env.STAFF_ALERT_ADDRESS}.
  Press Ctrl-C to stop everything.
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\npostroom: ${signal}, stopping`);
  await runtime.stop().catch(() => undefined);
  await site.stop().catch(() => undefined);
  await emulators.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
