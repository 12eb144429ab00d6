import type { ConfigKey } from '../shared/config.ts';
import type { RouteGroup } from '../shared/staff/api.ts';
import { closedStages } from '../shared/workflow/stages.ts';

/**
 * The one list of postroom's functions, their triggers and the configuration each reads.
 * The CDK stack turns it into Lambda functions and event sources; the local cloud
 * (infra/local/) turns it into an SMTP listener and a stream poller that call the same
 * handlers with the same event shapes. Adding a function here adds it to both.
 */
export type Trigger =
  /** An EventBridge schedule on AWS; a timer locally, every `localEveryMinutes`. */
  | { kind: 'schedule'; expression: string; localEveryMinutes: number }
  /**
   * One group of the staff API's routes (declared with their schemas in
   * shared/staff/api.ts, which the stack and the local server read), behind the JWT
   * authorizer; locally, the API stand-in on port 3000. The routes are not listed here:
   * this module is in every function's bundle, and the route schemas belong only in the
   * API's.
   */
  | { kind: 'http-api'; routes: RouteGroup }
  /**
   * SES stores raw MIME in the inbound bucket; S3 ObjectCreated reaches the function via
   * SQS, at most `maxConcurrency` deliveries at once, dead-lettered after maxReceiveCount.
   */
  | { kind: 'inbound-mail'; batchSize: number; maxReceiveCount: number; maxConcurrency: number }
  /** The dead-letter queue of another function's inbound-mail trigger (SQS on AWS too). */
  | { kind: 'dead-letters'; of: 'intakeMail'; batchSize: number; maxReceiveCount: number }
  /**
   * The table stream, filtered as below: audit-event inserts, messages filed, and for
   * retention held-mail discards.
   */
  | {
      kind: 'table-stream';
      batchSize: number;
      retryAttempts: number;
      /**
       * Batches of one shard handled at once, records of one partition key (one request)
       * staying in order: Lambda's ParallelizationFactor (1 to 10), and the local poller's
       * lanes.
       */
      parallelization: number;
      /** Lambda FilterCriteria patterns; the local poller applies the same ones. */
      filters: ReadonlyArray<Record<string, unknown>>;
    }
  /**
   * SES bounce and complaint events for the office's configuration set, through SNS.
   * Nothing emulates them locally: tests deliver the SNS event to the handler.
   */
  | { kind: 'sending-feedback' };

/** The buckets a function can be given, by the variable that names them. */
export type BucketVariable = 'INBOUND_BUCKET' | 'DOCUMENTS_BUCKET' | 'PUBLIC_BUCKET';

/**
 * What a function may do in each bucket it names: `read`; `write`, which adds putting
 * objects and tags but never deleting (raw mail and documents are the office's record);
 * or `readWrite`, which can also delete.
 */
export type BucketAccess = 'read' | 'write' | 'readWrite';

export interface FunctionDeclaration {
  /** Path from the repository root to the module exporting `handler`. */
  entry: string;
  description: string;
  trigger: Trigger;
  env: readonly ConfigKey[];
  /** Access to the buckets named in `env`; a bucket left out here is read-only. */
  buckets?: Partial<Record<BucketVariable, BucketAccess>>;
  /**
   * Deleting allowed under these key prefixes only, for a function whose bucket access is
   * `write` (never deleting the office's record) but which owns a folder of its own.
   */
  deletesUnder?: Partial<Record<BucketVariable, readonly string[]>>;
  memoryMb: number;
  timeoutSeconds: number;
  /**
   * Long CPU-bound work (PDF parsing, NLP). On AWS every function has instances of its
   * own anyway; locally, where the functions share one process, such a function runs in
   * worker threads of its own (as the staff API's do), so it never stalls the event loop
   * that SMTP intake, the stream pollers and the mail clients' timers run on.
   */
  cpuBound?: boolean;
  /** Log messages that raise an alarm on AWS (a CloudWatch metric filter on the `message`). */
  logAlarms?: ReadonlyArray<{ id: string; message: string; description: string }>;
}

/*
 * No spreads in what follows: esbuild cannot tell a spread has no side effects, so a
 * declaration built with one stays in every function's bundle, used or not. Patterns are
 * shared by reference, settings through a call marked pure.
 */

const auditEventInsert = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { type: { S: ['event'] } } },
} as const;

/** Only new audit events, never request, message or claim items. */
export const auditEventInserts = [auditEventInsert] as const;

/**
 * Requests entering or leaving a closed stage, and held mail being discarded: raw mail
 * retention starts or stops.
 */
export const closingsAndReopenings = [
  {
    eventName: ['INSERT'],
    dynamodb: { NewImage: { type: { S: ['event'] }, to: { S: closedStages } } },
  },
  {
    eventName: ['INSERT'],
    dynamodb: { NewImage: { type: { S: ['event'] }, from: { S: closedStages } } },
  },
  {
    eventName: ['MODIFY'],
    dynamodb: { NewImage: { type: { S: ['held'] }, status: { S: ['discarded'] } } },
  },
];

/** What the staff API functions read: they share one context (shared/aws/wiring.ts). */
const staffApiSettings = [
  'TABLE_NAME',
  'DOCUMENTS_BUCKET',
  'INBOUND_BUCKET',
  'REPLY_WORKING_DAYS',
  'MAX_MESSAGE_BYTES',
  'MAX_MIME_PARTS',
  'MAX_MIME_DEPTH',
  'OFFICE_TIMEZONE',
  'OFFICE_NAME',
  'SITE_BASE_URL',
  'NOTE_WORKING_DAYS',
  'SEPARATE_APPROVAL',
  'BANK_HOLIDAYS_FILE',
] as const satisfies readonly ConfigKey[];

/** The staff API's settings and a function's own (call it marked pure; see above). */
const staffApiSettingsAnd = <const K extends ConfigKey>(...own: K[]) =>
  [...staffApiSettings, ...own] as const;

/** Received messages filed on a request: their attachments' text is to be read. */
export const messagesFiled = [
  {
    eventName: ['INSERT'],
    dynamodb: { NewImage: { type: { S: ['message'] }, direction: { S: ['inbound'] } } },
  },
] as const;

/**
 * What changes a request's catalogue entry: a new audit event (every change to a request
 * appends one), its disposal, which takes the entry out, and its attachments' text being
 * read (after the letter was filed), which search indexes.
 */
export const catalogueChanges = [
  auditEventInsert,
  { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['disposal'] } } } },
  { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['textRead'] } } } },
] as const;

/** Only approvals and takedowns: publication has nothing to do with any other event. */
export const approvals = [
  {
    eventName: ['INSERT'],
    dynamodb: { NewImage: { type: { S: ['event'] }, action: { S: ['approve', 'takedown'] } } },
  },
] as const;

/*
 * One declaration per function, each its own export, gathered into `functions` below.
 * A handler imports the module as a namespace (`import * as functions`) and reads only
 * `functions.<its name>`, so its bundle keeps its own declaration and no other (one
 * object holding them all went whole into every bundle: 5 KB, and more with each new
 * function).
 */

export const intakeMail = {
  entry: 'functions/intake-mail.ts',
  description: 'Files raw mail stored by SES as a request, a reply, or held mail',
  // Five at once: new accounts may have a concurrency quota of 10, and a flood of mail
  // must leave room for the staff API and notifications (README, "Intake under load").
  trigger: { kind: 'inbound-mail', batchSize: 1, maxReceiveCount: 5, maxConcurrency: 5 },
  env: [
    'TABLE_NAME',
    'DOCUMENTS_BUCKET',
    'OFFICE_TIMEZONE',
    'REPLY_WORKING_DAYS',
    'MAX_MESSAGE_BYTES',
    'MAX_MIME_PARTS',
    'MAX_MIME_DEPTH',
    'BANK_HOLIDAYS_FILE',
  ],
  buckets: { DOCUMENTS_BUCKET: 'write' },
  // A 40 MB message parses into several copies of itself (raw, decoded parts, uploads).
  memoryMb: 1536,
  timeoutSeconds: 120,
} as const satisfies FunctionDeclaration;

export const intakeDeadLetters = {
  entry: 'functions/intake-dead-letters.ts',
  description: 'Puts mail intake gave up on into held mail, as could not be filed',
  trigger: { kind: 'dead-letters', of: 'intakeMail', batchSize: 10, maxReceiveCount: 5 },
  env: ['TABLE_NAME', 'OFFICE_TIMEZONE'],
  memoryMb: 256,
  timeoutSeconds: 30,
} as const satisfies FunctionDeclaration;

export const notify = {
  entry: 'functions/notify.ts',
  description: 'Sends the mail each audit event calls for, once per (event, recipient)',
  // Mail for different requests goes out side by side, so a flood of new letters cannot
  // hold up the mail of a request being worked on; one request's mail stays in order.
  trigger: {
    kind: 'table-stream',
    batchSize: 10,
    retryAttempts: 5,
    parallelization: 4,
    filters: auditEventInserts,
  },
  env: [
    'TABLE_NAME',
    'DOCUMENTS_BUCKET',
    'OFFICE_NAME',
    'OFFICE_ADDRESS',
    'OFFICE_TIMEZONE',
    'STAFF_ALERT_ADDRESS',
    'APPROVER_ADDRESSES',
    'ACK_LIMIT_PER_HOUR',
    'ACK_OFFICE_LIMIT_PER_HOUR',
    'STAFF_ALERTS_PER_HOUR',
    // The published note's link is checked against it before it goes in mail.
    'SITE_BASE_URL',
    'SES_CONFIGURATION_SET',
  ],
  buckets: { DOCUMENTS_BUCKET: 'write' },
  memoryMb: 512,
  timeoutSeconds: 60,
  logAlarms: [
    {
      id: 'AcknowledgementCapHit',
      // What shared/notify/send-notifications.ts logs (OFFICE_CAP_HIT; a test holds them equal).
      message: 'acknowledgement suppressed by the office-wide hourly cap',
      description:
        'The office-wide hourly cap on acknowledgements was reached: a flood of letters, perhaps from forged senders',
    },
  ],
} as const satisfies FunctionDeclaration;

export const extractText = {
  entry: 'functions/extract-text.ts',
  description:
    "Reads each received attachment's text (PDF text layers, text files) once, for review and search",
  // Its own function, because pdf.js is 1.6 MB: intake and the staff API stay small, and
  // a slow PDF holds up nothing but other PDFs. Two lanes, so one request's large PDF
  // does not hold up every other request's.
  trigger: {
    kind: 'table-stream',
    batchSize: 5,
    retryAttempts: 5,
    parallelization: 2,
    filters: messagesFiled,
  },
  // The table: it records that a message's text was read, for the catalogue to index.
  env: ['TABLE_NAME', 'DOCUMENTS_BUCKET'],
  buckets: { DOCUMENTS_BUCKET: 'write' },
  // A 40 MB PDF parses into several times its size.
  memoryMb: 1536,
  timeoutSeconds: 300,
  cpuBound: true,
} as const satisfies FunctionDeclaration;

export const staffApi = {
  entry: 'functions/staff-api.ts',
  description: 'The staff API: lists, reads and moves requests through the workflow',
  trigger: { kind: 'http-api', routes: 'casework' },
  // Who a request may be assigned to: the user pool's staff, or locally the seeded users.
  env: /* @__PURE__ */ staffApiSettingsAnd('USER_POOL_ID', 'STAFF_USERS'),
  buckets: { DOCUMENTS_BUCKET: 'write' },
  memoryMb: 512,
  timeoutSeconds: 15,
} as const satisfies FunctionDeclaration;

export const staffCorrespondence = {
  entry: 'functions/staff-correspondence.ts',
  description:
    'The staff API: replies to requesters on the thread, attachment uploads, reply templates, and requests opened by hand',
  trigger: { kind: 'http-api', routes: 'correspondence' },
  // Replies come from the office's address.
  env: /* @__PURE__ */ staffApiSettingsAnd('OFFICE_ADDRESS'),
  // Files uploads and keeps each reply's exact copy; presigns uploads to uploads/.
  buckets: { DOCUMENTS_BUCKET: 'readWrite' },
  memoryMb: 512,
  timeoutSeconds: 15,
} as const satisfies FunctionDeclaration;

export const staffNotes = {
  entry: 'functions/staff-notes.ts',
  description: 'The staff API: meeting notes, redaction review and the publication preview',
  trigger: { kind: 'http-api', routes: 'notes' },
  env: staffApiSettings,
  buckets: { DOCUMENTS_BUCKET: 'write' },
  // Redaction review and the preview read the whole letter: about 0.2 s per MB of text on
  // one full vCPU (npm run bench:redaction), which Lambda gives at 1,769 MB. A 40 MB
  // letter then fits within API Gateway's 30 s; billed by the millisecond, the memory
  // costs only while a review runs.
  memoryMb: 1769,
  timeoutSeconds: 29,
} as const satisfies FunctionDeclaration;

export const staffHeldMail = {
  entry: 'functions/staff-held-mail.ts',
  description:
    'The staff API: held mail, attached to a request, opened as one, discarded or run through intake again',
  trigger: { kind: 'http-api', routes: 'heldMail' },
  env: staffApiSettings,
  buckets: { DOCUMENTS_BUCKET: 'write' },
  memoryMb: 512,
  timeoutSeconds: 15,
} as const satisfies FunctionDeclaration;

export const staffRecords = {
  entry: 'functions/staff-records.ts',
  description:
    'The staff API: records read across many requests: the quarterly return of meetings, the management report, search, and the requests of each sender and organisation',
  trigger: { kind: 'http-api', routes: 'records' },
  // OFFICE_HOLDER: the return's first column, unless a meeting names someone else.
  env: /* @__PURE__ */ staffApiSettingsAnd('OFFICE_HOLDER'),
  // Reads every letter of a quarter's meetings, and the catalogue; writes nothing.
  buckets: { DOCUMENTS_BUCKET: 'read' },
  // The report facts are loaded whole, the search index's objects as queries need
  // them, and both kept warm: memory is also CPU for a cold load.
  memoryMb: 1024,
  timeoutSeconds: 29,
} as const satisfies FunctionDeclaration;

export const catalogue = {
  entry: 'functions/catalogue.ts',
  description:
    'Keeps the catalogue staff report and search from: each changed request made again from its item and audit trail',
  // One writer: every batch reads, changes and writes back the one catalogue (under a
  // lease too, for a rebuild run beside it). Batches are large because a batch costs one
  // read and one write of the catalogue however many requests it changes.
  trigger: {
    kind: 'table-stream',
    batchSize: 100,
    retryAttempts: 10,
    parallelization: 1,
    filters: catalogueChanges,
  },
  env: ['TABLE_NAME', 'DOCUMENTS_BUCKET'],
  buckets: { DOCUMENTS_BUCKET: 'write' },
  // A disposed request's indexed text is deleted with it; nothing else of the bucket's.
  deletesUnder: { DOCUMENTS_BUCKET: ['catalogue/texts/'] },
  memoryMb: 1024,
  timeoutSeconds: 120,
} as const satisfies FunctionDeclaration;

export const publish = {
  entry: 'functions/publish.ts',
  description: 'Publishes an approved note with its letter to the public site',
  // One at a time: every publication rewrites the shared index, feed and registers.
  trigger: {
    kind: 'table-stream',
    batchSize: 1,
    retryAttempts: 5,
    parallelization: 1,
    filters: approvals,
  },
  env: [
    'TABLE_NAME',
    'DOCUMENTS_BUCKET',
    'PUBLIC_BUCKET',
    'PUBLIC_DISTRIBUTION_ID',
    'SITE_BASE_URL',
    'OFFICE_NAME',
    'OFFICE_TIMEZONE',
    // Recording publication is a workflow action, decided by the office's rules.
    'NOTE_WORKING_DAYS',
    'REPLY_WORKING_DAYS',
    'SEPARATE_APPROVAL',
    'BANK_HOLIDAYS_FILE',
    // A correction or takedown rewrites its quarter's return, once that is out.
    'OFFICE_HOLDER',
  ],
  // A takedown deletes public pages.
  buckets: { DOCUMENTS_BUCKET: 'write', PUBLIC_BUCKET: 'readWrite' },
  memoryMb: 512,
  timeoutSeconds: 60,
} as const satisfies FunctionDeclaration;

export const sweep = {
  entry: 'functions/sweep.ts',
  description:
    'Daily digest of overdue replies and notes, and meetings due to be recorded as held; quarter-hourly summaries of alerts held back in a flood; daily audit digest and quarterly returns to the public site',
  // Every quarter hour, so an embargoed note goes out within 15 minutes of its time;
  // the digest goes once a day, from DIGEST_HOUR office time; the audit digest goes
  // with the first run of each office day.
  trigger: { kind: 'schedule', expression: 'rate(15 minutes)', localEveryMinutes: 1 },
  env: [
    'TABLE_NAME',
    'DOCUMENTS_BUCKET',
    'PUBLIC_BUCKET',
    'PUBLIC_DISTRIBUTION_ID',
    'SITE_BASE_URL',
    'OFFICE_NAME',
    'OFFICE_ADDRESS',
    'STAFF_ALERT_ADDRESS',
    'OFFICE_TIMEZONE',
    'DIGEST_HOUR',
    'SES_CONFIGURATION_SET',
    'NOTE_WORKING_DAYS',
    'REPLY_WORKING_DAYS',
    'SEPARATE_APPROVAL',
    'BANK_HOLIDAYS_FILE',
    // Each quarter's return of meetings, published when due.
    'OFFICE_HOLDER',
    'RETURN_WORKING_DAYS',
  ],
  buckets: { DOCUMENTS_BUCKET: 'write', PUBLIC_BUCKET: 'readWrite' },
  memoryMb: 256,
  timeoutSeconds: 60,
} as const satisfies FunctionDeclaration;

export const rawMailRetention = {
  entry: 'functions/raw-mail-retention.ts',
  description: 'Marks the raw mail of closed requests and discarded held mail for expiry',
  trigger: {
    kind: 'table-stream',
    batchSize: 10,
    retryAttempts: 5,
    parallelization: 1,
    filters: closingsAndReopenings,
  },
  env: ['TABLE_NAME', 'INBOUND_BUCKET'],
  buckets: { INBOUND_BUCKET: 'write' },
  // A self-copy of a 40 MB message happens inside S3; the function only waits for it.
  memoryMb: 256,
  timeoutSeconds: 60,
} as const satisfies FunctionDeclaration;

export const disposeRequests = {
  entry: 'functions/dispose-requests.ts',
  description:
    'Disposes of closed requests past their retention period, keeping what was published',
  // Daily: the period is counted in days. A run that finds nothing due reads only the
  // stage index; locally it runs hourly, and finds nothing unless the period is short.
  trigger: { kind: 'schedule', expression: 'rate(1 day)', localEveryMinutes: 60 },
  env: [
    'TABLE_NAME',
    'INBOUND_BUCKET',
    'DOCUMENTS_BUCKET',
    'OFFICE_TIMEZONE',
    'REQUEST_RETENTION_DAYS',
  ],
  // The only function that deletes raw mail and documents.
  buckets: { INBOUND_BUCKET: 'readWrite', DOCUMENTS_BUCKET: 'readWrite' },
  memoryMb: 256,
  // Room for a backlog; a run stops starting disposals a minute before this, and the
  // next run carries on.
  timeoutSeconds: 600,
} as const satisfies FunctionDeclaration;

export const sendingFeedback = {
  entry: 'functions/sending-feedback.ts',
  description: 'Stops mail to addresses that bounced permanently or complained',
  trigger: { kind: 'sending-feedback' },
  env: ['TABLE_NAME'],
  memoryMb: 256,
  timeoutSeconds: 30,
} as const satisfies FunctionDeclaration;

/** Every function, by name: what the stack, the local cloud and the tests walk. */
export const functions = {
  intakeMail,
  intakeDeadLetters,
  notify,
  extractText,
  staffApi,
  staffNotes,
  staffHeldMail,
  staffCorrespondence,
  staffRecords,
  catalogue,
  publish,
  sweep,
  rawMailRetention,
  disposeRequests,
  sendingFeedback,
} as const satisfies Record<string, FunctionDeclaration>;

export type FunctionName = keyof typeof functions;
