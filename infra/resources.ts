import { readConfig } from '../shared/config.ts';
import { UPLOAD_PREFIX } from '../shared/correspondence/uploads.ts';

/**
 * The data resources, declared once. The CDK stack builds them for AWS and the local
 * cloud provisions the emulators from the same declaration, so the two cannot drift.
 */
export const table = {
  id: 'Table',
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [{ name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' }],
  stream: 'NEW_AND_OLD_IMAGES',
  timeToLiveAttribute: 'expiresAt',
  env: 'TABLE_NAME',
} as const;

export type TableDefinition = typeof table;

export interface BucketDefinition {
  id: string;
  env: 'INBOUND_BUCKET' | 'DOCUMENTS_BUCKET' | 'PUBLIC_BUCKET';
  versioned: boolean;
  /** Used for the local bucket name, `postroom-<suffix>`. */
  suffix: string;
}

export const buckets = {
  inbound: { id: 'InboundBucket', env: 'INBOUND_BUCKET', versioned: true, suffix: 'inbound' },
  documents: {
    id: 'DocumentsBucket',
    env: 'DOCUMENTS_BUCKET',
    versioned: true,
    suffix: 'documents',
  },
  public: { id: 'PublicBucket', env: 'PUBLIC_BUCKET', versioned: false, suffix: 'public' },
} as const satisfies Record<string, BucketDefinition>;

/**
 * Files staff upload go from their browser straight into the documents bucket, under
 * `prefix`, by a presigned PUT (shared/correspondence/uploads.ts): the bucket lets the
 * staff UI's origin make that PUT (CORS: on AWS the UI's address, locally loopback), and
 * removes what was left there after `expireDays`, claimed (a request filed its own copy)
 * or not. The stack and the local emulator both read this.
 */
export const staffUploads = {
  bucket: 'documents',
  prefix: UPLOAD_PREFIX,
  expireDays: 1,
  cors: { methods: ['PUT'], headers: ['content-type'], maxAgeSeconds: 3600 },
} as const satisfies { bucket: keyof typeof buckets } & Record<string, unknown>;

/** The key prefix SES's S3 action writes under (and S3 notifies intake of). */
export const INBOUND_PREFIX = 'inbound/';

/** How long things are kept, in days; each can be changed with CDK context (README). */
export interface Retention {
  /**
   * Every copy of a closed request's personal data (raw mail, documents, records), counted
   * from its closing; what was published stays (shared/retention/disposal.ts).
   */
  requestDays: number;
  /**
   * Raw mail of a closed request, counted from its closing: the inbound bucket's lifecycle
   * rule, a backstop to disposal (and the only rule for discarded held mail).
   */
  rawMailDays: number;
  /** Superseded versions of raw mail and documents. */
  noncurrentVersionDays: number;
  /** S3 and CloudFront access logs, API access logs and function logs. */
  logDays: number;
}

export const retentionDefaults: Retention = {
  // The functions' own default (shared/config.ts), so the stack and local mode agree.
  requestDays: readConfig(['REQUEST_RETENTION_DAYS'], {}).REQUEST_RETENTION_DAYS,
  rawMailDays: 730,
  noncurrentVersionDays: 90,
  logDays: 365,
};
