import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  HttpMethods,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { retentionTag } from '../../shared/retention/raw-mail.ts';
import {
  type BucketDefinition,
  buckets,
  type Retention,
  staffUploads,
  table as tableDefinition,
} from '../resources.ts';
import type { AppFunction } from './app-function.ts';

export interface StorageProps {
  retention: Retention;
}

/**
 * postroom's data: the table and buckets of infra/resources.ts, the staff UI's files and
 * the bucket every access log goes to. Defaults it sets:
 * - the table: on-demand, point-in-time recovery, the declared stream, TTL and indexes,
 *   deletion protection, retained if the stack goes;
 * - every bucket: public access blocked, S3-managed encryption, TLS enforced;
 * - the data buckets and the staff UI's: ACLs disabled, access logs under `s3/<suffix>/`,
 *   multipart uploads abandoned for a week aborted;
 * - the data buckets: versioned as declared, superseded versions kept
 *   `noncurrentVersionDays`, retained; raw mail of a closed request expires `rawMailDays`
 *   after its closing (the tag of shared/retention/raw-mail.ts); staff uploads waiting
 *   in the documents bucket expire after `staffUploads.expireDays` (a request files its
 *   own copy); nothing else expires, open mail least of all;
 * - the documents bucket: PUTs from the staff UI's origin (`allowUploadsFrom`), for the
 *   presigned upload URLs, and no other cross-origin call;
 * - the staff UI's bucket: rebuilt from web/ on every deploy, so emptied and removed with
 *   the stack;
 * - the access-log bucket: ACLs kept (CloudFront's standard logs are still written with an
 *   ACL grant; never public ones), logs kept `logDays`, retained.
 *
 * Its resources are the stack's own children: their logical IDs predate this class, and a
 * changed one would replace the table or a bucket (tests/infra/stack.test.ts pins them).
 */
export class Storage {
  readonly table: TableV2;
  readonly accessLogs: Bucket;
  readonly inbound: Bucket;
  readonly documents: Bucket;
  readonly publicSite: Bucket;
  readonly staffUiFiles: Bucket;

  constructor(scope: Stack, props: StorageProps) {
    const { retention } = props;
    this.table = new TableV2(scope, tableDefinition.id, {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      dynamoStream: StreamViewType[tableDefinition.stream],
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      globalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.accessLogs = new Bucket(scope, 'AccessLogs', {
      ...bucketDefaults,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(retention.logDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const supersededVersions: LifecycleRule = {
      id: 'superseded-versions',
      noncurrentVersionExpiration: Duration.days(retention.noncurrentVersionDays),
      expiredObjectDeleteMarker: true,
    };
    const lifecycle: Record<keyof typeof buckets, LifecycleRule[]> = {
      // Raw mail of closed requests goes after the retention period, counted from the
      // closing (shared/retention/raw-mail.ts marks and restamps it); open mail stays.
      inbound: [
        {
          id: 'closed-requests-raw-mail',
          tagFilters: { [retentionTag.key]: retentionTag.closed },
          expiration: Duration.days(retention.rawMailDays),
        },
        supersededVersions,
        abandonedUploads,
      ],
      documents: [
        {
          id: 'staff-uploads',
          prefix: staffUploads.prefix,
          expiration: Duration.days(staffUploads.expireDays),
          noncurrentVersionExpiration: Duration.days(staffUploads.expireDays),
        },
        supersededVersions,
        abandonedUploads,
      ],
      // The public record stays published until staff take it down.
      public: [abandonedUploads],
    };
    const bucket = (name: keyof typeof buckets, definition: BucketDefinition) =>
      new Bucket(scope, definition.id, {
        ...bucketDefaults,
        versioned: definition.versioned,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: lifecycle[name],
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `s3/${definition.suffix}/`,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.inbound = bucket('inbound', buckets.inbound);
    this.documents = bucket('documents', buckets.documents);
    this.publicSite = bucket('public', buckets.public);
    this.staffUiFiles = new Bucket(scope, 'StaffUiBucket', {
      ...bucketDefaults,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 's3/staff-ui/',
      lifecycleRules: [abandonedUploads],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
  }

  /**
   * Lets the staff UI at `uiUrl` PUT files to the presigned upload URLs of the documents
   * bucket: only PUT, only from that origin, only the Content-Type header.
   */
  allowUploadsFrom(uiUrl: string): void {
    this[staffUploads.bucket].addCorsRule({
      allowedOrigins: [uiUrl.replace(/\/$/, '')],
      allowedMethods: staffUploads.cors.methods.map((method) => HttpMethods[method]),
      allowedHeaders: [...staffUploads.cors.headers],
      maxAge: staffUploads.cors.maxAgeSeconds,
    });
  }

  /**
   * Where the staff UI's browser sends uploads (its Content-Security-Policy): S3's regional
   * endpoints, where presigned URLs point. Not the bucket's own name: the bucket's CORS
   * names the UI's distribution, whose headers policy would then name the bucket, a cycle
   * CloudFormation refuses; the API's origin is given the same way (StaffAccess.origins).
   * The URL is the capability: only the API, to signed-in staff, gives one out.
   */
  static uploadOrigins(scope: Stack): string[] {
    return [`https://*.s3.${scope.region}.amazonaws.com`];
  }

  /**
   * Gives a function the table, and each bucket its declaration names, with the variable
   * that names it (AppFunction grants and sets the two together).
   */
  bindTo(app: AppFunction): void {
    app.bindTable(this.table);
    app.bindBucket(this.inbound, buckets.inbound.env);
    app.bindBucket(this.documents, buckets.documents.env);
    app.bindBucket(this.publicSite, buckets.public.env);
  }
}

const bucketDefaults: BucketProps = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  encryption: BucketEncryption.S3_MANAGED,
  enforceSSL: true,
};

const abandonedUploads: LifecycleRule = {
  id: 'abandoned-uploads',
  abortIncompleteMultipartUploadAfter: Duration.days(7),
};
