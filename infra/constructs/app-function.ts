import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ConfigKey } from '../../shared/config.ts';
import type { FunctionDeclaration } from '../functions.ts';

/**
 * Every postroom Lambda function. Defaults it sets:
 * - Node.js 24 on arm64;
 * - an ESM bundle, minified, with source maps (and NODE_OPTIONS to use them);
 * - the AWS SDK bundled, so the tested version ships rather than the runtime's;
 * - a log group kept for a year, retained if the stack goes;
 * - memory and timeout from the function's declaration in infra/functions.ts.
 */
export class AppFunction extends Construct {
  readonly fn: NodejsFunction;
  private readonly declared: ReadonlySet<ConfigKey>;

  constructor(scope: Construct, id: string, declaration: FunctionDeclaration, projectRoot: string) {
    super(scope, id);
    this.declared = new Set(declaration.env);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${projectRoot}/${declaration.entry}`,
      projectRoot,
      depsLockFilePath: `${projectRoot}/package-lock.json`,
      description: declaration.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: declaration.memoryMb,
      timeout: Duration.seconds(declaration.timeoutSeconds),
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        bundleAwsSDK: true,
        target: 'node24',
        // Some dependencies are CommonJS and call require(); ESM bundles need it defined.
        banner: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);",
      },
    });
  }

  /** Sets a configuration value the function declared it reads; anything else is a mistake. */
  setEnv(key: ConfigKey, value: string): void {
    if (!this.declared.has(key)) return;
    this.fn.addEnvironment(key, value);
  }

  /** Grants table access and sets TABLE_NAME together, so the two cannot disagree. */
  bindTable(table: ITableV2, access: 'read' | 'readWrite' = 'readWrite'): void {
    if (access === 'read') table.grantReadData(this.fn);
    else table.grantReadWriteData(this.fn);
    this.setEnv('TABLE_NAME', table.tableName);
  }

  /** Grants bucket access and sets the bucket's variable together. */
  bindBucket(bucket: IBucket, env: ConfigKey, access: 'read' | 'readWrite'): void {
    if (!this.declared.has(env)) return;
    if (access === 'read') bucket.grantRead(this.fn);
    else bucket.grantReadWrite(this.fn);
    this.setEnv(env, bucket.bucketName);
  }
}
