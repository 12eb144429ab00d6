import { pointAtStack } from './stack-environment.ts';

/**
 * `npm run search:rebuild`: makes the whole catalogue again (the report facts and the
 * staff search index) from every request in the table. Idempotent: run twice, it writes
 * the same entries; updates the stream makes meanwhile are kept (shared/catalogue/).
 *
 * Locally it uses the emulators a running `npm run dev` started (the same ports and
 * overrides as audit:verify). With TABLE_NAME and DOCUMENTS_BUCKET in the environment it
 * rebuilds that table's catalogue wherever the environment points, which on AWS means
 * credentials and AWS_REGION as usual, and the stack's table and documents bucket.
 */
const { local, dynamodbPort } = pointAtStack(['DOCUMENTS_BUCKET']);
const table = String(process.env.TABLE_NAME);
const documents = process.env.DOCUMENTS_BUCKET;
if (!documents) {
  console.error(
    'search:rebuild: set DOCUMENTS_BUCKET (the stack’s documents bucket) beside TABLE_NAME',
  );
  process.exit(2);
}

// Imported once the environment names the endpoints: the SDK clients read it when created.
const { cataloguePorts, everyRequestHistory } = await import('../../shared/aws/catalogue-ports.ts');
const { rebuildCatalogue } = await import('../../shared/catalogue/catalogue.ts');

const started = Date.now();
try {
  const outcome = await rebuildCatalogue(
    everyRequestHistory(table),
    cataloguePorts(table, documents),
    new Date(started),
  );
  console.log(
    `search:rebuild: table ${table}${local ? ' (local emulators)' : ''}: catalogued ${outcome.requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} catch (error) {
  const message = (error as Error).message;
  console.error(
    local && /ECONNREFUSED|connect/i.test(`${message} ${(error as { code?: string }).code}`)
      ? `search:rebuild: nothing answers at 127.0.0.1:${dynamodbPort}; start postroom with "npm run dev" first, or set TABLE_NAME and DOCUMENTS_BUCKET to rebuild on AWS`
      : `search:rebuild: ${message}`,
  );
  process.exit(2);
}
