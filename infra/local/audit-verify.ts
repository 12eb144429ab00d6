import { pointAtStack } from './stack-environment.ts';

/**
 * `npm run audit:verify`: checks every audit chain in a table (every request's and every
 * held message's) and, where the public bucket is known, every chain against the digests
 * the sweep published there. Prints each broken chain with why, and exits 1 if any is
 * broken (2 if it could not check at all).
 *
 * Locally it reads the emulators a running `npm run dev` started (the same ports and
 * overrides: --dynamodb-port, --s3-port or POSTROOM_DYNAMODB_PORT, POSTROOM_S3_PORT). With
 * TABLE_NAME in the environment it reads that table wherever the environment points,
 * which on AWS means: credentials and AWS_REGION as usual, TABLE_NAME and PUBLIC_BUCKET
 * (the stack's table and public bucket; without PUBLIC_BUCKET digests are not checked).
 */
const { local, dynamodbPort } = pointAtStack(['PUBLIC_BUCKET']);
const table = String(process.env.TABLE_NAME);
const publicBucket = process.env.PUBLIC_BUCKET || undefined;

// Imported once the environment names the endpoints: the SDK clients read it when created.
const { checkAuditRecords } = await import('../../shared/aws/audit-chains.ts');

let check: Awaited<ReturnType<typeof checkAuditRecords>>;
try {
  check = await checkAuditRecords({ table, publicBucket });
} catch (error) {
  const message = (error as Error).message;
  console.error(
    local && /ECONNREFUSED|connect/i.test(`${message} ${(error as { code?: string }).code}`)
      ? `audit:verify: nothing answers at 127.0.0.1:${dynamodbPort}; start postroom with "npm run dev" first, or set TABLE_NAME (and PUBLIC_BUCKET) to check a table on AWS`
      : `audit:verify: could not read table ${table}: ${message}`,
  );
  process.exit(2);
}

const { reports, digestDates, digestProblems } = check;
const name = (report: (typeof reports)[number]) =>
  `${report.kind} ${report.id}${report.label ? ` (${report.label})` : ''}`;
const broken = reports.filter((report) => !report.verification.intact);
const unanchored = reports.filter(
  (report) => report.verification.intact && report.verification.reason,
);
const count = (kind: string) => reports.filter((report) => report.kind === kind).length;

console.log(`audit:verify: table ${table}${local ? ' (local emulators)' : ''}`);
console.log(
  `checked ${count('request')} request chains and ${count('held mail')} held-mail chains against ${
    publicBucket
      ? `${digestDates.length} published digests${digestDates.length ? ` (${[...new Set([digestDates[0], digestDates.at(-1)])].join(' to ')})` : ''}`
      : 'no digests (set PUBLIC_BUCKET to check them)'
  }`,
);
for (const report of broken) {
  const { brokenAt, reason } = report.verification;
  console.log(`BROKEN ${name(report)} at event ${brokenAt}: ${reason}`);
}
for (const { key, problem } of digestProblems) console.log(`BROKEN digest ${key}: ${problem}`);
for (const report of unanchored)
  console.log(`note: ${name(report)}: ${report.verification.reason}`);
const failures = broken.length + digestProblems.length;
console.log(
  failures === 0
    ? `every chain holds (${reports.length})`
    : `${broken.length} of ${reports.length} chains broken${digestProblems.length ? `, ${digestProblems.length} digests unreadable` : ''}`,
);
process.exitCode = failures === 0 ? 0 : 1;
