import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  PutBucketCorsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/**
 * Creates the table and buckets in the local emulators from the same declaration the CDK
 * stack reads (infra/resources.ts). Used only by local mode and the tests; on AWS the
 * stack owns these resources.
 */
export interface TableShape {
  partitionKey: string;
  sortKey: string;
  indexes: ReadonlyArray<{ name: string; partitionKey: string; sortKey: string }>;
  stream: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'KEYS_ONLY';
  timeToLiveAttribute: string;
}

export async function ensureTable(name: string, shape: TableShape): Promise<void> {
  const client = new DynamoDBClient({});
  const attributes = new Set([
    shape.partitionKey,
    shape.sortKey,
    ...shape.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((attribute) => ({
          AttributeName: attribute,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: shape.partitionKey, KeyType: 'HASH' },
          { AttributeName: shape.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: shape.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: shape.stream },
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: shape.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  client.destroy();
}

export async function tableStreamArn(name: string): Promise<string> {
  const client = new DynamoDBClient({});
  const described = await client.send(new DescribeTableCommand({ TableName: name }));
  client.destroy();
  const arn = described.Table?.LatestStreamArn;
  if (!arn) throw new Error(`table ${name} has no stream`);
  return arn;
}

export async function ensureBucket(name: string, versioned: boolean): Promise<void> {
  const client = new S3Client({});
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    const code = (error as Error).name;
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
  }
  if (versioned) {
    await client
      .send(
        new PutBucketVersioningCommand({
          Bucket: name,
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      )
      .catch(() => {
        // s3rver does not implement versioning; AWS buckets get it from the stack.
      });
  }
  client.destroy();
}

/**
 * Lets a browser on `origins` make the cross-origin requests `cors` allows in the bucket
 * (the staff UI's uploads): the emulator's CORS, as the stack sets the bucket's.
 */
export async function allowBrowserRequests(
  name: string,
  origins: readonly string[],
  cors: { methods: readonly string[]; headers: readonly string[]; maxAgeSeconds: number },
): Promise<void> {
  const client = new S3Client({});
  await client.send(
    new PutBucketCorsCommand({
      Bucket: name,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: [...origins],
            AllowedMethods: [...cors.methods],
            AllowedHeaders: [...cors.headers],
            MaxAgeSeconds: cors.maxAgeSeconds,
          },
        ],
      },
    }),
  );
  client.destroy();
}
