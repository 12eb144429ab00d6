/**
 * npm run bench:bundles — builds every function in infra/functions.ts as deployed, through
 * AppFunction itself (so with CDK's own esbuild command), and prints each bundle's size and
 * its cold import time: the median of 10 fresh Node processes, timing the import alone,
 * with the function's own environment (its declared configuration, as the stack sets it).
 * Targets: index.mjs (without its .map) at most 800,000 bytes, the AWS SDK included
 * (extractText, which alone carries pdf.js and NLP, 2,600,000 and 700 ms: see ALLOWED);
 * the import at most 250 ms. Exits non-zero if a target is missed or a bundle fails to load.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { type CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { AppFunction, bundling, onDemandModules } from '../infra/constructs/app-function.ts';
import { type FunctionDeclaration, functions } from '../infra/functions.ts';
import type { ConfigKey } from '../shared/config.ts';
import { benchOptions, figure, reportFigures } from './lib/figures.ts';

const MAX_BYTES = 800_000;
/**
 * The one function allowed more: text extraction carries pdf.js (1,626,000 bytes) and
 * compromise (NLP, about 360,000) so that no other function has to; the S3 client, zod and
 * middy make up the rest. It runs in the background when a letter is filed, never on a
 * request anyone waits for, so its cold start delays only the next letter's text.
 */
const ALLOWED: Record<string, { bytes: number; importMs: number }> = {
  extractText: { bytes: 2_600_000, importMs: 700 },
};
const limitOf = (name: string) => ALLOWED[name]?.bytes ?? MAX_BYTES;
const importLimitOf = (name: string) => ALLOWED[name]?.importMs ?? MAX_IMPORT_MS;
const MAX_IMPORT_MS = 250;
const options = benchOptions();
// --quick: sizes are the same (they are deterministic); the import is timed fewer times.
const RUNS = options.quick ? 2 : 10;

/**
 * What the stack would set for each variable, for the functions that declare it. Left out
 * where the stack leaves it unset, or the schema's default is what AWS gets. A required
 * variable missing here shows as a ConfigError from the import, naming it.
 */
const plausible: Partial<Record<ConfigKey, string>> = {
  TABLE_NAME: 'Postroom-Table-1A2B3C4D5E6F',
  INBOUND_BUCKET: 'postroom-inbound-1a2b3c4d5e6f',
  DOCUMENTS_BUCKET: 'postroom-documents-1a2b3c4d5e6f',
  PUBLIC_BUCKET: 'postroom-public-1a2b3c4d5e6f',
  OFFICE_NAME: 'The Commissioner’s Office',
  SITE_BASE_URL: 'https://meetings.office.example/',
  OFFICE_ADDRESS: 'meetings@office.example',
  STAFF_ALERT_ADDRESS: 'staff@office.example',
  APPROVER_ADDRESSES: 'approver@office.example',
  SES_CONFIGURATION_SET: 'postroom-sending',
};

/** Variables the Lambda runtime sets, as far as a module could read them at import. */
const lambdaRuntime = {
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  LAMBDA_TASK_ROOT: '/var/task',
  TZ: ':UTC',
};

/** Runs in each fresh process: imports the bundle and reports how long the import took. */
const importOnce = `
const started = performance.now();
const bundle = await import(process.argv[1]);
const ms = performance.now() - started;
if (typeof bundle.handler !== 'function') throw new Error('the bundle exports no handler');
// What a bundle loads on demand sits beside it (AppFunction's commandHooks): it must load
// from there, as the handler would import it, and work. Untimed: a cold start does not
// load it.
for (const specifier of process.argv.slice(2)) {
  const module = await import(specifier);
  if (specifier === 're2js' && !module.RE2JS.compile('AB-[0-9]{5}').matcher('ref AB-12345').find())
    throw new Error('re2js beside the bundle does not match');
  if (specifier === 'libphonenumber-js/min' && module.findPhoneNumbersInText('call 0131 496 0123', { defaultCountry: 'GB' }).length !== 1)
    throw new Error('libphonenumber beside the bundle finds no number');
}
console.log(JSON.stringify({ ms }));
`;

interface Measured {
  name: string;
  bytes: number;
  importMs: number | null;
  failure?: string;
}

const projectRoot = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const outdir = mkdtempSync(join(tmpdir(), 'postroom-bench-bundles-'));
process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));
const declarations = Object.entries(functions) as Array<[string, FunctionDeclaration]>;

console.log(`bundling ${declarations.length} functions through AppFunction…`);
const stack = new Stack(new App({ outdir }), 'Bench');
const built = declarations.map(([name, declaration]) => {
  const app = new AppFunction(stack, name, declaration, { projectRoot, logDays: 365 });
  for (const key of declaration.env) {
    const value = plausible[key];
    if (value !== undefined) app.setEnv(key, value);
  }
  const resolved = stack.resolve((app.fn.node.defaultChild as CfnFunction).environment) as {
    variables?: Record<string, string>;
  };
  const asset = app.fn.node.findChild('Code') as Asset;
  return { name, declaration, bundle: join(outdir, asset.assetPath, 'index.mjs'), resolved };
});

/** What a bundle imports on demand, as it names them (`libphonenumber-js/min`). */
const specifiers = onDemandModules.map(({ name, subpath }) => `${name}${subpath.slice(1)}`);
const loadedOnDemand = (bundle: string) => {
  const code = readFileSync(bundle, 'utf8');
  return specifiers.filter((specifier) => code.includes(`import("${specifier}")`));
};

console.log(`timing ${RUNS} cold imports of each with node ${process.version}…`);
/** One cold import of a bundle in a fresh process: its time, or why it failed. */
const importOnceOf = ({ bundle, resolved }: (typeof built)[number]) => {
  const env = { PATH: process.env.PATH ?? '', ...lambdaRuntime, ...resolved.variables };
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      importOnce,
      pathToFileURL(bundle).href,
      ...loadedOnDemand(bundle),
    ],
    // From the bundle's folder, as Lambda's /var/task: a bare import resolves there.
    { env, encoding: 'utf8', cwd: dirname(bundle) },
  );
  return child.status === 0
    ? { ms: (JSON.parse(child.stdout) as { ms: number }).ms }
    : { failure: child.stderr.trim() || `exited with ${child.status ?? child.signal}` };
};
const times = built.map((): number[] => []);
const failures = built.map((): string | undefined => undefined);
// One import of each first, untimed, so that no bundle pays for reading Node's own binary
// and libraries from disk. Then the runs take turns, every bundle once per round, so a slow
// spell of the machine falls on all of them alike rather than on whichever was being timed.
for (const function_ of built) importOnceOf(function_);
for (let run = 0; run < RUNS; run += 1)
  built.forEach((function_, index) => {
    if (failures[index]) return;
    const once = importOnceOf(function_);
    if ('failure' in once) failures[index] = once.failure;
    else times[index]?.push(once.ms);
  });
const results: Measured[] = built.map(({ name, bundle }, index) => {
  const bytes = statSync(bundle).size;
  const failure = failures[index];
  if (failure) return { name, bytes, importMs: null, failure };
  const sorted = [...(times[index] ?? [])].sort((a, b) => a - b);
  const middle = RUNS / 2;
  const importMs = ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { name, bytes, importMs };
});

const sizeMet = (row: Measured) => row.bytes <= limitOf(row.name);
const importMet = (row: Measured) =>
  row.importMs !== null && row.importMs <= importLimitOf(row.name);
const mark = (met: boolean) => (met ? 'yes' : 'NO');
const table = [
  [
    'function',
    'bytes',
    `≤ ${MAX_BYTES.toLocaleString('en-GB')}`,
    'import ms',
    `≤ ${MAX_IMPORT_MS}`,
  ],
  ...results.map((row) => [
    row.name,
    row.bytes.toLocaleString('en-GB'),
    `${mark(sizeMet(row))}${limitOf(row.name) === MAX_BYTES ? '' : ` (≤ ${limitOf(row.name).toLocaleString('en-GB')})`}`,
    row.importMs === null ? 'failed' : row.importMs.toFixed(1),
    `${mark(importMet(row))}${importLimitOf(row.name) === MAX_IMPORT_MS ? '' : ` (≤ ${importLimitOf(row.name)})`}`,
  ]),
];
const widths = table[0]?.map((_, column) =>
  Math.max(...table.map((row) => row[column]?.length ?? 0)),
);
console.log();
for (const row of table) {
  console.log(
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths?.[column] ?? 0) : cell.padStart(widths?.[column] ?? 0),
      )
      .join('  '),
  );
}

for (const row of results.filter((result) => result.failure)) {
  console.log(`\n${row.name} failed to load:\n${row.failure}`);
}

// For a bundle over the size limit, what fills it: the same bundling with a metafile.
const oversized = built.filter((_, index) => results[index] && !sizeMet(results[index]));
for (const { name, declaration } of oversized) {
  const why = new NodejsFunction(stack, `${name}Why`, {
    entry: `${projectRoot}/${declaration.entry}`,
    projectRoot,
    depsLockFilePath: `${projectRoot}/package-lock.json`,
    runtime: Runtime.NODEJS_24_X,
    bundling: { ...bundling, metafile: true },
  });
  const asset = why.node.findChild('Code') as Asset;
  const metafile = JSON.parse(
    readFileSync(join(outdir, asset.assetPath, 'index.meta.json'), 'utf8'),
  ) as {
    outputs: Record<
      string,
      { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }
    >;
  };
  const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint);
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const owner =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ??
      input.split('/').slice(0, 2).join('/');
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + bytesInOutput);
  }
  const largest = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(
    `\n${name} is over ${limitOf(name).toLocaleString('en-GB')} bytes; its largest parts:`,
  );
  for (const [owner, bytes] of largest)
    console.log(`  ${bytes.toLocaleString('en-GB').padStart(9)}  ${owner}`);
}

const missed = results.filter((row) => !sizeMet(row) || !importMet(row));
console.log(
  missed.length === 0
    ? '\nevery bundle meets both targets'
    : `\n${missed.length} of ${results.length} bundles miss a target: ${missed.map((row) => row.name).join(', ')}`,
);
reportFigures(
  results.flatMap((row) => [
    // Sizes are the same however quick the run: gated always (CI runs --quick).
    figure(
      'bundles',
      `${row.name}: bundle`,
      row.bytes,
      'bytes',
      { max: limitOf(row.name) },
      { exact: true },
    ),
    figure('bundles', `${row.name}: cold import`, row.importMs ?? Number.POSITIVE_INFINITY, 'ms', {
      max: importLimitOf(row.name),
    }),
  ]),
  options,
);
// A bundle that does not load fails even a quick run.
if (results.some((row) => row.importMs === null)) process.exitCode = 1;
