import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  approvals,
  auditEventInserts,
  closingsAndReopenings,
  functions,
  messagesFiled,
} from '../../infra/functions.ts';
import {
  buckets,
  INBOUND_PREFIX,
  retentionDefaults,
  staffUploads,
  table,
} from '../../infra/resources.ts';
import { PostroomStack, type PostroomStackProps } from '../../infra/stack.ts';
import { readConfig } from '../../shared/config.ts';
import { retentionTag } from '../../shared/retention/raw-mail.ts';
import { httpRoutes, routeGroups } from '../../shared/staff/api.ts';
import { pinnedNode } from '../support/lambda-node.ts';

/** The stack is built from the same declarations local mode provisions from. */
let template: Template;
const resources = (type: string) => Object.values(template.findResources(type));
/** The statements of every IAM policy attached to the role of the function so described. */
const statementsOf = (description: string) => {
  const [role] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([, role]) =>
    String(role.Properties.Description ?? '').endsWith(description),
  );
  if (!role) throw new Error(`no role for ${description}`);
  return resources('AWS::IAM::Policy')
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(role[0]))
    .flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
    );
};
const actionsOn = (statements: Array<Record<string, unknown>>, bucketId: string) =>
  statements
    .filter((statement) => JSON.stringify(statement.Resource).includes(bucketId))
    .flatMap((statement) => [statement.Action].flat() as string[]);

const baseProps: PostroomStackProps = {
  projectRoot: fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, ''),
  officeName: 'Test Office',
  officeAddress: 'office@test.example',
  staffAlertAddress: 'staff@test.example',
  approverAddresses: ['amir@test.example', 'ann@test.example'],
  recipients: ['office@test.example'],
  alarmEmail: 'ops@test.example',
  signInDomainPrefix: 'postroom-test',
  env: { account: '111111111111', region: 'eu-west-1' },
};

beforeAll(() => {
  // Skipping esbuild keeps this fast; `npm run synth` does the real bundling.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PostroomStack(app, 'Test', baseProps);
  template = Template.fromStack(stack);
});

describe('the data resources', () => {
  it('declares the table exactly as infra/resources.ts does', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamViewType: table.stream },
      TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
      GlobalSecondaryIndexes: table.indexes.map((index) =>
        Match.objectLike({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ),
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
  });

  it('blocks public access, encrypts and retains every bucket, versioning those that keep records', () => {
    const all = template.findResources('AWS::S3::Bucket');
    // The data buckets, plus access logs and the staff UI's files (rebuilt on each deploy).
    expect(Object.keys(all)).toHaveLength(Object.keys(buckets).length + 2);
    for (const resource of Object.values(all)) {
      expect(resource.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(resource.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      });
    }
    const declared = Object.fromEntries(
      Object.entries(all).filter(([id]) => !/^(AccessLogs|StaffUiBucket)/.test(id)),
    );
    expect(Object.keys(declared)).toHaveLength(Object.keys(buckets).length);
    for (const resource of Object.values(declared)) {
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.Properties.LoggingConfiguration).toMatchObject({
        DestinationBucketName: expect.anything(),
      });
      expect(resource.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(resource.Properties.BucketEncryption).toBeDefined();
    }
    const versioned = Object.values(declared).filter(
      (resource) => resource.Properties.VersioningConfiguration?.Status === 'Enabled',
    );
    expect(versioned).toHaveLength(
      Object.values(buckets).filter((bucket) => bucket.versioned).length,
    );
  });
});

describe('stateful resources', () => {
  /**
   * CloudFormation replaces a resource whose logical ID changes: a new, empty table, bucket,
   * user pool or queue, and the old one's data left behind or gone. Constructs nest IDs,
   * so moving one of these into a construct of its own would do it silently. These are
   * written out, not derived: a refactor that changes one must fail here first.
   */
  const pinned = {
    TableCD117FA1: 'AWS::DynamoDB::GlobalTable',
    AccessLogs8B620ECA: 'AWS::S3::Bucket',
    InboundBucketB6EFB535: 'AWS::S3::Bucket',
    DocumentsBucket9EC9DEB9: 'AWS::S3::Bucket',
    PublicBucketA6745C15: 'AWS::S3::Bucket',
    StaffUsersBE2FCD37: 'AWS::Cognito::UserPool',
    // Mail on its way to intake, and mail intake gave up on.
    intakeMailDeliveriesB854181D: 'AWS::SQS::Queue',
    intakeMailDeadLetters1F27913E: 'AWS::SQS::Queue',
    intakeMailUnheld2BA704F7: 'AWS::SQS::Queue',
  };

  it('keep their logical IDs, so a deploy never replaces them', () => {
    const types = Object.fromEntries(
      Object.entries(template.toJSON().Resources as Record<string, { Type: string }>).map(
        ([id, resource]) => [id, resource.Type],
      ),
    );
    expect(types).toMatchObject(pinned);
  });

  it('pin every table, user pool and retained bucket there is', () => {
    const stateful = Object.entries(
      template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>,
    ).filter(
      ([, resource]) =>
        ['AWS::DynamoDB::GlobalTable', 'AWS::Cognito::UserPool'].includes(resource.Type) ||
        (resource.Type === 'AWS::S3::Bucket' && resource.DeletionPolicy === 'Retain'),
    );
    // A new one belongs in the list above, with the ID it is first deployed with.
    expect(stateful.map(([id]) => id).sort()).toEqual(
      Object.entries(pinned)
        .filter(([, type]) => type !== 'AWS::SQS::Queue')
        .map(([id]) => id)
        .sort(),
    );
  });
});

describe('storage rules', () => {
  it('encrypts every queue and enforces TLS on every bucket', () => {
    for (const queue of resources('AWS::SQS::Queue'))
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    for (const policy of resources('AWS::S3::BucketPolicy')) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('never allows anyone at all into a bucket: only services, roles and CloudFront by distribution', () => {
    for (const policy of resources('AWS::S3::BucketPolicy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if (statement.Effect !== 'Allow') continue;
        expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"/);
        if (statement.Principal.Service === 'cloudfront.amazonaws.com')
          expect(statement.Condition.StringEquals['AWS:SourceArn']).toBeDefined();
      }
    }
  });

  it('expires closed requests’ raw mail after the retention period, and never open mail', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            TagFilters: [{ Key: retentionTag.key, Value: retentionTag.closed }],
            ExpirationInDays: retentionDefaults.rawMailDays,
            Status: 'Enabled',
          }),
        ]),
      },
    });
    const expiring = resources('AWS::S3::Bucket').flatMap((bucket) =>
      (bucket.Properties.LifecycleConfiguration?.Rules ?? []).filter(
        (rule: Record<string, unknown>) => rule.ExpirationInDays !== undefined,
      ),
    );
    // Only three rules delete current objects: closed raw mail, the access logs, and
    // what staff uploaded and a request has since filed its own copy of (or never will).
    expect(expiring).toHaveLength(3);
    expect(expiring.filter((rule) => !rule.TagFilters && !rule.Prefix)).toEqual([
      expect.objectContaining({ ExpirationInDays: retentionDefaults.logDays }),
    ]);
    expect(expiring.filter((rule) => rule.Prefix)).toEqual([
      expect.objectContaining({
        Prefix: 'uploads/',
        ExpirationInDays: staffUploads.expireDays,
        NoncurrentVersionExpiration: { NoncurrentDays: staffUploads.expireDays },
      }),
    ]);
  });

  it('lets the staff UI’s origin, and no other, PUT uploads into the documents bucket', () => {
    const withCors = Object.entries(template.findResources('AWS::S3::Bucket')).filter(
      ([, bucket]) => bucket.Properties.CorsConfiguration,
    );
    expect(withCors.map(([id]) => id)).toEqual([
      expect.stringMatching(new RegExp(`^${buckets.documents.id}`)),
    ]);
    const rules = withCors[0]?.[1].Properties.CorsConfiguration.CorsRules;
    expect(rules).toEqual([
      {
        AllowedMethods: ['PUT'],
        AllowedOrigins: [expect.anything()],
        AllowedHeaders: ['content-type'],
        MaxAge: 3600,
      },
    ]);
    expect(JSON.stringify(rules[0].AllowedOrigins)).toContain('StaffUiDistribution');
    expect(JSON.stringify(rules[0].AllowedOrigins)).not.toContain('*');
    // The casework function presigns those PUTs, so it may put objects there itself.
    expect(actionsOn(statementsOf(functions.staffApi.description), 'DocumentsBucket')).toContain(
      's3:PutObject',
    );
  });

  it('takes the retention periods from the stack’s settings', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new PostroomStack(app, 'Short', {
      ...baseProps,
      retention: { rawMailDays: 400, requestDays: 365 },
    });
    const short = Template.fromStack(stack);
    short.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ TagFilters: Match.anyValue(), ExpirationInDays: 400 }),
        ]),
      },
    });
    short.hasResourceProperties('AWS::Lambda::Function', {
      Description: functions.disposeRequests.description,
      Environment: { Variables: Match.objectLike({ REQUEST_RETENTION_DAYS: '365' }) },
    });
  });

  it('gives disposal the functions’ own default period when the context leaves it out, and only disposal', () => {
    const given = resources('AWS::Lambda::Function').filter(
      (fn) => fn.Properties.Environment?.Variables?.REQUEST_RETENTION_DAYS !== undefined,
    );
    expect(given.map((fn) => fn.Properties.Description)).toEqual([
      functions.disposeRequests.description,
    ]);
    expect(given[0]?.Properties.Environment.Variables.REQUEST_RETENTION_DAYS).toBe(
      String(readConfig(['REQUEST_RETENTION_DAYS'], {}).REQUEST_RETENTION_DAYS),
    );
    expect(retentionDefaults.requestDays).toBe(730);
  });
});

describe('least privilege', () => {
  it('gives postroom’s functions no AWS-managed policies', () => {
    const descriptions = Object.values(functions).map((declaration) => declaration.description);
    const roles = resources('AWS::IAM::Role').filter((role) =>
      descriptions.some((description) =>
        String(role.Properties.Description ?? '').endsWith(description),
      ),
    );
    expect(roles).toHaveLength(descriptions.length);
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets only the retention function rewrite raw mail, and only disposal delete it', () => {
    const inbound = 'InboundBucket';
    const retention = actionsOn(statementsOf(functions.rawMailRetention.description), inbound);
    expect(retention).toEqual(expect.arrayContaining(['s3:PutObject', 's3:PutObjectTagging']));
    const intake = actionsOn(statementsOf(functions.intakeMail.description), inbound);
    expect(intake).toContain('s3:GetObject');
    const disposal = functions.disposeRequests;
    expect(actionsOn(statementsOf(disposal.description), inbound)).toContain('s3:DeleteObject');
    for (const declaration of Object.values(functions)) {
      if (declaration === disposal) continue;
      const actions = actionsOn(statementsOf(declaration.description), inbound);
      expect(actions, declaration.entry).not.toContain('s3:DeleteObject');
      if (declaration !== functions.rawMailRetention) expect(actions).not.toContain('s3:PutObject');
    }
  });

  it('lets only disposal, and replies taking back their own copies, delete documents; disposal touches nothing public', () => {
    // Deleting anywhere in the bucket: a grant on a folder of its own is not counted here.
    const everywhere = (statement: Record<string, unknown>) =>
      !JSON.stringify(statement.Resource).includes('catalogue/texts/');
    const deleters = Object.values(functions).filter((declaration) =>
      actionsOn(
        statementsOf(declaration.description).filter(everywhere),
        'DocumentsBucket',
      ).includes('s3:DeleteObject'),
    );
    // The catalogue deletes a disposed request's indexed text, and nothing else.
    const catalogueDeletes = statementsOf(functions.catalogue.description).filter(
      (statement) =>
        [statement.Action].flat().includes('s3:DeleteObject') &&
        JSON.stringify(statement.Resource).includes('DocumentsBucket'),
    );
    expect(catalogueDeletes).toHaveLength(1);
    expect(JSON.stringify(catalogueDeletes[0]?.Resource)).toContain('/catalogue/texts/*');
    // A reply that loses a race to another change removes the copies it had just written,
    // so a refused reply leaves nothing behind (shared/correspondence/replies.ts).
    expect(deleters.map((declaration) => declaration.entry).sort()).toEqual(
      [functions.disposeRequests.entry, functions.staffCorrespondence.entry].sort(),
    );
    const disposal = statementsOf(functions.disposeRequests.description);
    expect(actionsOn(disposal, 'PublicBucket')).toEqual([]);
    // Deleting a current version only: earlier versions go by the superseded-versions rule.
    expect(disposal.flatMap((statement) => [statement.Action].flat())).not.toContain(
      's3:DeleteObjectVersion',
    );
  });

  it('lets only publication and the sweep clear the public site’s cache, and only its own distribution', () => {
    const distribution = Object.keys(template.findResources('AWS::CloudFront::Distribution')).find(
      (id) => id.startsWith('PublicSiteDistribution'),
    );
    expect(distribution).toBeDefined();
    const invalidators = Object.values(functions).filter((declaration) =>
      statementsOf(declaration.description).some((statement) =>
        [statement.Action].flat().includes('cloudfront:CreateInvalidation'),
      ),
    );
    expect(invalidators.map((declaration) => declaration.entry).sort()).toEqual(
      [functions.publish.entry, functions.sweep.entry].sort(),
    );
    for (const declaration of invalidators) {
      const grants = statementsOf(declaration.description).filter((statement) =>
        [statement.Action].flat().includes('cloudfront:CreateInvalidation'),
      );
      for (const grant of grants) expect(JSON.stringify(grant.Resource)).toContain(distribution);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: declaration.description,
        Environment: {
          Variables: Match.objectLike({ PUBLIC_DISTRIBUTION_ID: { Ref: distribution } }),
        },
      });
    }
  });

  it('lets only publication (and the sweep’s embargoes) delete public pages', () => {
    const deleters = Object.values(functions).filter((declaration) =>
      actionsOn(statementsOf(declaration.description), 'PublicBucket').includes('s3:DeleteObject'),
    );
    expect(deleters.map((declaration) => declaration.entry).sort()).toEqual([
      functions.publish.entry,
      functions.sweep.entry,
    ]);
  });
});

describe('alarms', () => {
  it('alarm on every function’s errors, every dead-letter queue, the streams’ iterator age and SES reputation, to email', () => {
    const alarms = resources('AWS::CloudWatch::Alarm');
    const metrics = alarms.map((alarm) => alarm.Properties.MetricName);
    expect(metrics.filter((metric) => metric === 'Errors')).toHaveLength(
      Object.keys(functions).length,
    );
    // intake's DLQ, one per stream consumer, the sweep's schedule, and SES feedback's two.
    const queues = resources('AWS::SQS::Queue').filter((queue) => !queue.Properties.RedrivePolicy);
    expect(
      metrics.filter((metric) => metric === 'ApproximateNumberOfMessagesVisible'),
    ).toHaveLength(queues.length);
    const streamConsumers = Object.values(functions).filter(
      (declaration) => declaration.trigger.kind === 'table-stream',
    );
    expect(metrics.filter((metric) => metric === 'IteratorAge')).toHaveLength(
      streamConsumers.length,
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
    });
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@test.example',
    });
  });
});

describe('SES receiving', () => {
  it('stores mail for the office under the intake prefix, then stops', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Recipients: ['office@test.example'],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [
          { S3Action: Match.objectLike({ ObjectKeyPrefix: INBOUND_PREFIX }) },
          { StopAction: { Scope: 'RuleSet' } },
        ],
      }),
    });
  });

  it('activates the rule set, which CloudFormation would leave inactive', () => {
    const activations = Object.values(template.findResources('Custom::AWS')).map((resource) =>
      JSON.stringify(resource.Properties.Create ?? resource.Properties.Update ?? ''),
    );
    expect(activations.some((call) => call.includes('setActiveReceiptRuleSet'))).toBe(true);
  });

  it('lets only SES, for this account, write into the inbound bucket', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'ses.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});

describe('the functions and their triggers', () => {
  it('lets the functions that mail send only as the office’s domain', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendRawEmail',
            Resource: [
              {
                'Fn::Join': [
                  '',
                  Match.arrayWith([Match.stringLikeRegexp(':identity/test\\.example$')]),
                ],
              },
              // ... through the office's configuration set, so bounces are heard.
              {
                'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':configuration-set/$')])],
              },
            ],
          }),
        ]),
      },
    });
  });

  it('creates one Node.js 24 arm64 function per declaration, with its declared memory', () => {
    // CDK's own helpers (custom resources, notifications) are Lambda functions too.
    const descriptions = new Set(
      Object.values(functions).map((declaration) => declaration.description),
    );
    const declared = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (resource) => descriptions.has(resource.Properties.Description),
    );
    expect(declared).toHaveLength(Object.keys(functions).length);
    for (const resource of declared) expect(resource.Properties.Runtime).toBe('nodejs24.x');
    // The Node.js the tests, benches and npm run dev run on is the one Lambda runs.
    expect(`nodejs${pinnedNode.split('.')[0]}.x`).toBe('nodejs24.x');
    for (const resource of declared) expect(resource.Properties.Architectures).toEqual(['arm64']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: functions.intakeMail.memoryMb,
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: Match.anyValue(),
          DOCUMENTS_BUCKET: Match.anyValue(),
        }),
      },
    });
  });

  it('feeds intake from S3 ObjectCreated under the SES prefix through SQS with a dead-letter queue', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      // Puts and multipart uploads only: a retention restamp is a copy, not new mail.
      NotificationConfiguration: {
        QueueConfigurations: ['Put', 'CompleteMultipartUpload'].map((event) =>
          Match.objectLike({
            Events: [`s3:ObjectCreated:${event}`],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: INBOUND_PREFIX }] } },
          }),
        ),
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        maxReceiveCount: functions.intakeMail.trigger.maxReceiveCount,
        deadLetterTargetArn: Match.anyValue(),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: functions.intakeMail.trigger.batchSize,
    });
  });

  it('drains intake’s dead-letter queue into held mail, parks what it cannot hold, and alarms', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    const idOf = (fragment: string) => {
      const found = Object.keys(queues).find((id) => id.startsWith(fragment));
      if (!found) throw new Error(`no queue ${fragment}`);
      return found;
    };
    const deliveries = idOf('intakeMailDeliveries');
    const deadLetters = idOf('intakeMailDeadLetters');
    const parked = idOf('intakeMailUnheld');
    expect(queues[deliveries]?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
      maxReceiveCount: functions.intakeMail.trigger.maxReceiveCount,
    });
    expect(queues[deadLetters]?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [parked, 'Arn'] },
      maxReceiveCount: functions.intakeDeadLetters.trigger.maxReceiveCount,
    });
    const mappings = resources('AWS::Lambda::EventSourceMapping');
    const drain = mappings.find(
      (mapping) =>
        JSON.stringify(mapping.Properties.EventSourceArn) ===
        JSON.stringify({ 'Fn::GetAtt': [deadLetters, 'Arn'] }),
    );
    expect(drain?.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: functions.intakeDeadLetters.trigger.batchSize,
    });
    expect(JSON.stringify(drain?.Properties.FunctionName)).toContain('intakeDeadLetters');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocations',
      Threshold: 0,
      AlarmDescription: Match.stringLikeRegexp('held mail as could not be filed'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [parked, 'QueueName'] } }],
    });
  });

  it('gives notify only audit-event inserts, with bisect, bounded retries and an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: {
        Filters: auditEventInserts.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: functions.notify.trigger.retryAttempts,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('takes intake’s maximum concurrency and each stream consumer’s parallelization from the declarations', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: functions.intakeMail.trigger.batchSize,
      ScalingConfig: { MaximumConcurrency: functions.intakeMail.trigger.maxConcurrency },
    });
    for (const filters of [auditEventInserts, approvals, closingsAndReopenings]) {
      const consumer = Object.values(functions).find(
        (declaration) =>
          declaration.trigger.kind === 'table-stream' && declaration.trigger.filters === filters,
      );
      if (consumer?.trigger.kind !== 'table-stream') throw new Error('no consumer for filters');
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FilterCriteria: {
          Filters: filters.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
        },
        ParallelizationFactor: consumer.trigger.parallelization,
      });
    }
  });
});

describe('the other stream consumers', () => {
  it.each([
    ['publish', approvals, functions.publish.trigger.retryAttempts],
    ['rawMailRetention', closingsAndReopenings, functions.rawMailRetention.trigger.retryAttempts],
    ['extractText', messagesFiled, functions.extractText.trigger.retryAttempts],
  ] as const)(
    'gives %s only its events, with bisect, bounded retries and an on-failure queue',
    (_name, filters, retries) => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FilterCriteria: {
          Filters: filters.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
        },
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: retries,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
    },
  );

  it('runs disposal daily, with a dead-letter queue for missed runs', () => {
    expect(functions.disposeRequests.trigger.expression).toBe('rate(1 day)');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });

  it('runs the sweep on its schedule, with a dead-letter queue for missed runs', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: functions.sweep.trigger.expression,
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });
});

describe('the staff API', () => {
  const routes = () =>
    resources('AWS::ApiGatewayV2::Route').map((route) => ({
      key: route.Properties.RouteKey as string,
      authorization: route.Properties.AuthorizationType as string,
    }));

  it('has a route for every declared one, each behind the Cognito authorizer except the public few', () => {
    const declared = httpRoutes;
    expect(routes()).toHaveLength(declared.length);
    for (const route of declared) {
      expect(routes()).toContainEqual({
        key: `${route.method} ${route.path}`,
        authorization: 'public' in route && route.public ? 'NONE' : 'JWT',
      });
    }
    expect(
      routes()
        .filter((route) => route.authorization === 'NONE')
        .map((route) => route.key)
        .sort(),
    ).toEqual(['GET /api/health', 'GET /api/openapi.json']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
  });

  it('sends each route to the function that serves its group, as infra/functions.ts declares', () => {
    const all = template.toJSON().Resources as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    const servers = Object.entries(functions).flatMap(([name, declaration]) =>
      declaration.trigger.kind === 'http-api' ? [[declaration.trigger.routes, name] as const] : [],
    );
    expect(new Set(servers.map(([group]) => group))).toEqual(new Set(routeGroups));
    for (const route of resources('AWS::ApiGatewayV2::Route')) {
      const declared = httpRoutes.find(
        (candidate) => `${candidate.method} ${candidate.path}` === route.Properties.RouteKey,
      );
      const integrationId = JSON.stringify(route.Properties.Target).match(/"Ref":"([^"]+)"/)?.[1];
      const uri = JSON.stringify(all[integrationId ?? '']?.Properties.IntegrationUri);
      const functionId = uri.match(/"Fn::GetAtt":\["([^"]+)"/)?.[1] ?? '';
      const server = servers.find(([group]) => group === declared?.group)?.[1];
      expect(functionId, route.Properties.RouteKey).toMatch(new RegExp(`^${server}Function`));
    }
  });

  it('allows cross-origin calls from the staff UI’s origin only', () => {
    const [api] = resources('AWS::ApiGatewayV2::Api');
    const origins = api?.Properties.CorsConfiguration.AllowOrigins;
    expect(origins).toHaveLength(1);
    expect(JSON.stringify(origins)).toContain('StaffUiDistribution');
    expect(JSON.stringify(origins)).not.toContain('*');
  });

  it('logs every call and throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue() }),
    });
  });

  it('signs staff in with Cognito: no self sign-up, MFA required, a group per role, code flow with PKCE', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 14 }) },
    });
    const groups = resources('AWS::Cognito::UserPoolGroup').map(
      (group) => group.Properties.GroupName,
    );
    expect(groups.sort()).toEqual(['admin', 'approver', 'caseworker']);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [Match.anyValue()],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'postroom-test' });
  });
});

describe('the sites', () => {
  it('serves the public bucket through CloudFront with origin access control, security headers and logs', () => {
    const publicSite = resources('AWS::CloudFront::Distribution').find((distribution) =>
      JSON.stringify(distribution.Properties).includes('PublicBucket'),
    );
    expect(publicSite?.Properties.DistributionConfig).toMatchObject({
      DefaultRootObject: 'index.html',
      Logging: { Bucket: expect.anything() },
      Origins: [expect.objectContaining({ OriginAccessControlId: expect.anything() })],
      DefaultCacheBehavior: expect.objectContaining({
        ViewerProtocolPolicy: 'redirect-to-https',
        ResponseHeadersPolicyId: expect.anything(),
        FunctionAssociations: [expect.objectContaining({ EventType: 'viewer-request' })],
      }),
      // A missing page is the published not-found page, still a 404 for browsers and robots.
      CustomErrorResponses: [
        {
          ErrorCode: 404,
          ResponseCode: 404,
          ResponsePagePath: '/404.html',
          ErrorCachingMinTTL: 60,
        },
      ],
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.stringLikeRegexp("^default-src 'none'"),
            Override: true,
          },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          StrictTransportSecurity: Match.objectLike({ IncludeSubdomains: true }),
          ContentTypeOptions: { Override: true },
        }),
      }),
    });
  });

  it('serves the staff UI from its own private bucket, and tells it where the API and sign-in are', () => {
    const staffUi = resources('AWS::CloudFront::Distribution').find((distribution) =>
      JSON.stringify(distribution.Properties).includes('StaffUiBucket'),
    );
    expect(staffUi?.Properties.DistributionConfig.Origins).toEqual([
      expect.objectContaining({ OriginAccessControlId: expect.anything() }),
    ]);
    const deployments = resources('Custom::CDKBucketDeployment')
      .map((deployment) => deployment.Properties)
      .filter((properties) => JSON.stringify(properties).includes('StaffUiBucket'));
    // The built UI (hashed names, cached for a year), then index.html and config.json
    // (no-cache, and invalidated), neither pruning what open tabs may still load.
    expect(deployments).toEqual([
      expect.objectContaining({
        Exclude: ['index.html', 'config.json'],
        Prune: false,
        SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
      }),
      expect.objectContaining({
        Exclude: ['*'],
        Include: ['index.html', 'config.json'],
        Prune: false,
        SystemMetadata: { 'cache-control': 'no-cache' },
        DistributionPaths: ['/', '/index.html', '/config.json'],
      }),
    ]);
    // Its browser may call S3 in the stack's region too, to PUT uploads to presigned URLs.
    const policies = resources('AWS::CloudFront::ResponseHeadersPolicy').map((policy) =>
      JSON.stringify(policy.Properties),
    );
    // (The public site may connect to itself only, for its search's files.)
    expect(policies.filter((policy) => /connect-src 'self' [^;']/.test(policy))).toEqual([
      expect.stringMatching(/connect-src 'self' [^;]*https:\/\/\*\.s3\.eu-west-1\.amazonaws\.com;/),
    ]);
    expect(policies.filter((policy) => policy.includes("connect-src 'self';"))).toHaveLength(1);
    // config.json is written at deploy time from the API's endpoint and the user pool.
    const markers = JSON.stringify(deployments[1]?.SourceMarkers);
    expect(markers).toMatch(/"StaffApi\w*","ApiEndpoint"/);
    expect(markers).toMatch(/"Ref":"StaffUsersStaffUi\w*"/);
  });

  it('puts the not-found page on the public site at deploy time, touching nothing else', () => {
    const [notFound, ...others] = resources('Custom::CDKBucketDeployment')
      .map((deployment) => deployment.Properties)
      .filter((properties) => JSON.stringify(properties).includes('PublicBucket'));
    expect(others).toEqual([]);
    expect(notFound).toMatchObject({
      Prune: false,
      SystemMetadata: {
        'cache-control': 'public, max-age=300',
        'content-type': 'text/html; charset=utf-8',
      },
    });
    // Its links point at the distribution, known only at deploy time.
    expect(JSON.stringify(notFound?.SourceMarkers)).toMatch(/"PublicSite\w*","DomainName"/);
  });

  it('points SITE_BASE_URL at the public site’s distribution', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: functions.publish.description,
      Environment: {
        Variables: Match.objectLike({
          SITE_BASE_URL: {
            'Fn::Join': [
              '',
              [
                'https://',
                { 'Fn::GetAtt': [Match.stringLikeRegexp('^PublicSite'), 'DomainName'] },
                '/',
              ],
            ],
          },
        }),
      },
    });
  });
});

describe('the office’s time zone', () => {
  const declaring = Object.values(functions).filter((declaration) =>
    (declaration.env as readonly string[]).includes('OFFICE_TIMEZONE'),
  );
  let tokyo: { app: App; template: Template };
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new PostroomStack(app, 'Tokyo', { ...baseProps, officeTimeZone: 'Asia/Tokyo' });
    tokyo = { app, template: Template.fromStack(stack) };
  });

  it('is given to every function that declares OFFICE_TIMEZONE, and to no other', () => {
    expect(declaring.length).toBeGreaterThan(0);
    for (const declaration of Object.values(functions)) {
      const [fn] = Object.values(tokyo.template.findResources('AWS::Lambda::Function')).filter(
        (resource) => resource.Properties.Description === declaration.description,
      );
      expect(fn?.Properties.Environment?.Variables?.OFFICE_TIMEZONE, declaration.entry).toBe(
        declaring.includes(declaration) ? 'Asia/Tokyo' : undefined,
      );
    }
  });

  it('is the configuration’s default when the context leaves it out', () => {
    for (const declaration of declaring)
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: declaration.description,
        Environment: {
          Variables: Match.objectLike({
            OFFICE_TIMEZONE: readConfig(['OFFICE_TIMEZONE'], {}).OFFICE_TIMEZONE,
          }),
        },
      });
  });

  it('is written into the staff UI’s config.json', () => {
    const [deployment] = Object.values(
      tokyo.template.findResources('Custom::CDKBucketDeployment'),
    ).filter((resource) =>
      JSON.stringify(resource.Properties.SourceMarkers ?? '').includes('StaffApi'),
    );
    const keys = (deployment?.Properties.SourceObjectKeys ?? []) as string[];
    const configs = keys
      .map((key) => join(tokyo.app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'config.json'))
      .filter((file) => existsSync(file));
    expect(configs).toHaveLength(1);
    expect(JSON.parse(readFileSync(configs[0] ?? '', 'utf8'))).toMatchObject({
      mode: 'cognito',
      timeZone: 'Asia/Tokyo',
    });
  });

  it('refuses a time zone that is not one, before anything is built', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(
      () => new PostroomStack(app, 'Nowhere', { ...baseProps, officeTimeZone: 'Europe/Londres' }),
    ).toThrow(/OFFICE_TIMEZONE: is not a time zone/);
  });
});

describe('sending', () => {
  it('sends through a configuration set that suppresses bounces and complaints and reports them', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: Match.anyValue() },
      }),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('tells notify who approves notes', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: functions.notify.description,
      Environment: {
        Variables: Match.objectLike({ APPROVER_ADDRESSES: 'amir@test.example,ann@test.example' }),
      },
    });
  });

  it('tells every function that mails which configuration set to use', () => {
    // The staff API reads the office's address to compose replies, but the notifier sends
    // them: every other function that knows the office's address sends mail itself.
    for (const declaration of Object.values(functions).filter(
      (declaration) =>
        (declaration.env as readonly string[]).includes('OFFICE_ADDRESS') &&
        declaration.trigger.kind !== 'http-api',
    )) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: declaration.description,
        Environment: {
          Variables: Match.objectLike({ SES_CONFIGURATION_SET: { Ref: Match.anyValue() } }),
        },
      });
    }
  });
});
