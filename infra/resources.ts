import { readConfig } from '../shared/config.ts';

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
