import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ConfigKey } from '../../shared/config.ts';
import type { BucketAccess, BucketVariable, FunctionDeclaration } from '../functions.ts';

/**
 * Packages a function imports only when it needs them (`await import(...)`), so a cold start
 * does not compile them: they stay out of the bundle and sit beside it, each minified into
 * node_modules/ (commandHooks below). `subpath` is the one import the code makes.
 */
export const onDemandModules = [
  // Staff redaction patterns (shared/publication/redaction.ts): few requests have any.
  { name: 're2js', subpath: '.', entry: 'build/index.js' },
  // Phone numbers (shared/publication/detectors.ts): 141 KB with its metadata, needed only
  // when something is redacted, which most calls of the functions carrying it never do.
  { name: 'libphonenumber-js', subpath: './min', entry: 'min/index.js' },
] as const;

/**
 * How every function is bundled. Exported so `npm run bench:bundles` can show which
 * packages fill a bundle; it measures the bundles AppFunction itself builds.
 */
export const bundling: BundlingOptions = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  // Maps of positions only: a logged stack still names the source file and line (the
  // logger reads the map when it logs an error, shared/log.ts), and the map is a third of
  // the size. Not --enable-source-maps: Node then parses the whole map as it loads the
  // bundle, ~40 ms of every cold start (npm run bench:bundles), for errors few have.
  sourcesContent: false,
  bundleAwsSDK: true,
  // Lambda hands every function its role's credentials in the environment, which the SDK's
  // default chain reads first; the rest of the chain (SSO, profiles, web identity, instance
  // metadata, and the STS and SSO clients they use) is loaded lazily and never on Lambda,
  // so it stays out of the bundles (~110 KB each). Were it ever reached, the import would
  // fail with a clear "Cannot find package" error, not run with other credentials.
  externalModules: [
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/credential-provider-http',
    '@aws-sdk/credential-provider-login',
    '@aws-sdk/nested-clients',
    '@aws-sdk/token-providers',
    '@smithy/credential-provider-imds',
    ...onDemandModules.map((module) => module.name),
  ],
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    // Each module loaded on demand, minified into node_modules/ beside index.mjs, where the
    // bundle's `import()` of it finds it.
    afterBundling: (inputDir: string, outputDir: string) =>
      onDemandModules.flatMap(({ name, entry, subpath }) => {
        const file = `${subpath.slice(2) || 'index'}.js`;
        const exports = JSON.stringify({
          name,
          type: 'module',
          exports: { [subpath]: `./${file}` },
        });
        return [
          `"${inputDir}/node_modules/.bin/esbuild" "${inputDir}/node_modules/${name}/${entry}" --bundle --minify --format=esm --platform=node --target=node24 --log-level=warning --outfile="${outputDir}/node_modules/${name}/${file}"`,
          `echo '${exports}' > "${outputDir}/node_modules/${name}/package.json"`,
        ];
      }),
  },
  target: 'node24',
  // Some dependencies are CommonJS and call require(); ESM bundles need it defined.
  banner: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);",
  // ES module builds first: the AWS SDK's clients then tree-shake to the commands a
  // function sends (esbuild's Node default, main first, takes their CommonJS builds whole).
  mainFields: ['module', 'main'],
  esbuildArgs: {
    // Non-ASCII characters as UTF-8 rather than \u escapes, which take two or three times
    // the room; the HTML entity tables are full of them. Passed here because CDK accepts
    // `charset: Charset.UTF8` and never gives it to esbuild (aws/aws-cdk#32649).
    '--charset': 'utf8',
    // sanitize-html loads postcss only to filter style attributes, and sanitiseLetterHtml
    // (shared/mail/sanitise.ts) allows none, so postcss is never called. This stub keeps it
    // and its source-map library (~90 KB) out. Allowing style attributes there would need
    // the real postcss: with the stub, sanitize-html would silently drop every one.
    //
    // htmlparser2 (which sanitize-html parses with) loads domutils only for exports it keeps
    // for backwards compatibility (DomUtils, getFeed); sanitize-html uses its Parser alone,
    // and nothing else bundled uses htmlparser2. domutils brings dom-serializer and a second
    // copy of the HTML entity tables (~79 KB, in intakeMail and staffHeldMail). Were anything
    // to call into DomUtils, it would fail at once (getFeed throws, saying so; the rest are
    // missing) rather than parse differently.
    '--alias': [
      'postcss=data:text/javascript,export function parse(){throw new Error("postcss is stubbed out: see infra/constructs/app-function.ts")}',
      'domutils=data:text/javascript,export function getFeed(){throw new Error("domutils is stubbed out: see infra/constructs/app-function.ts")}',
    ],
  },
};

/**
 * A grant on every index of a table, or every object of a bucket: cdk-nag asks why the
 * wildcard, and infra/nag.ts answers for each.
 */
export type WildcardGrant =
  | { table: ITableV2 }
  | { bucket: IBucket; access: BucketAccess }
  | { bucket: IBucket; deletesUnder: string };

/**
 * Every postroom Lambda function. Defaults it sets:
 * - Node.js 24 on arm64;
 * - an ESM bundle, minified, with a source map beside it that the logger reads when it
 *   logs an error (shared/log.ts), not one Node parses at every cold start;
 * - the AWS SDK bundled, so the tested version ships rather than the runtime's;
 * - a log group kept for the configured log retention, retained if the stack goes;
 * - memory and timeout from the function's declaration in infra/functions.ts.
 */
export class AppFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly wildcardGrants: WildcardGrant[] = [];
  private readonly declared: ReadonlySet<ConfigKey>;
  private readonly declaration: FunctionDeclaration;

  constructor(
    scope: Construct,
    id: string,
    declaration: FunctionDeclaration,
    options: { projectRoot: string; logDays: number },
  ) {
    super(scope, id);
    const { projectRoot } = options;
    this.declaration = declaration;
    this.declared = new Set(declaration.env);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: logRetention(options.logDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logGroup = logGroup;
    // Its own role, allowed to write to its own log group: not the managed basic-execution
    // policy, which lets a function create log groups and write to any of them.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `postroom ${id}: ${declaration.description}`,
    });
    logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      entry: `${projectRoot}/${declaration.entry}`,
      projectRoot,
      depsLockFilePath: `${projectRoot}/package-lock.json`,
      description: declaration.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: declaration.memoryMb,
      timeout: Duration.seconds(declaration.timeoutSeconds),
      logGroup,
      bundling,
    });
  }

  /** Whether the function's declaration says it reads this configuration value. */
  reads(key: ConfigKey): boolean {
    return this.declared.has(key);
  }

  /** Sets a configuration value the function declared it reads; anything else is a mistake. */
  setEnv(key: ConfigKey, value: string): void {
    if (!this.reads(key)) return;
    this.fn.addEnvironment(key, value);
  }

  /**
   * For a function that reads PUBLIC_DISTRIBUTION_ID: names the public site's distribution
   * and lets it clear that distribution's cache (takedowns and corrections), nothing more.
   */
  bindPublicSite(distribution: IDistribution): void {
    if (!this.reads('PUBLIC_DISTRIBUTION_ID')) return;
    this.setEnv('PUBLIC_DISTRIBUTION_ID', distribution.distributionId);
    distribution.grantCreateInvalidation(this.fn);
  }

  /** Grants table access and sets TABLE_NAME together, so the two cannot disagree. */
  bindTable(table: ITableV2, access: 'read' | 'readWrite' = 'readWrite'): void {
    if (access === 'read') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
    this.setEnv('TABLE_NAME', table.tableName);
    this.wildcardGrants.push({ table });
  }

  /**
   * Grants the access the declaration gives the function to this bucket (read unless it
   * says more) and sets the bucket's variable, together. A function that does not name
   * the bucket gets neither.
   */
  bindBucket(bucket: IBucket, env: BucketVariable): void {
    if (!this.reads(env)) return;
    this.grantBucket(bucket, this.declaration.buckets?.[env] ?? 'read');
    for (const prefix of this.declaration.deletesUnder?.[env] ?? []) {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:DeleteObject'],
          resources: [bucket.arnForObjects(`${prefix}*`)],
        }),
      );
      this.wildcardGrants.push({ bucket, deletesUnder: prefix });
    }
    this.setEnv(env, bucket.bucketName);
  }

  /** Access to a bucket the function learns of from its events rather than its settings. */
  grantBucket(bucket: IBucket, access: BucketAccess): void {
    // Named actions rather than grantRead's wildcards. Listing lets a missing key come
    // back as NoSuchKey, which the code expects, rather than AccessDenied.
    const objectActions = {
      read: ['s3:GetObject', 's3:GetObjectTagging'],
      write: ['s3:GetObject', 's3:GetObjectTagging', 's3:PutObject', 's3:PutObjectTagging'],
      readWrite: [
        's3:GetObject',
        's3:GetObjectTagging',
        's3:PutObject',
        's3:PutObjectTagging',
        's3:DeleteObject',
      ],
    }[access];
    this.fn.addToRolePolicy(
      new PolicyStatement({ actions: objectActions, resources: [bucket.arnForObjects('*')] }),
    );
    this.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    this.wildcardGrants.push({ bucket, access });
  }
}

/** CloudWatch keeps logs only for certain periods: the shortest that covers `days`. */
export function logRetention(days: number): RetentionDays {
  const periods = (
    Object.values(RetentionDays).filter((value) => typeof value === 'number') as number[]
  )
    .filter((period) => period > 0)
    .sort((a, b) => a - b);
  return (periods.find((period) => period >= days) ?? RetentionDays.INFINITE) as RetentionDays;
}
