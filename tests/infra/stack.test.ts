import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditEventInserts, functions } from '../../infra/functions.ts';
import { buckets, INBOUND_PREFIX, table } from '../../infra/resources.ts';
import { PostroomStack } from '../../infra/stack.ts';

/** The stack is built from the same declarations local mode provisions from. */
let template: Template;

beforeAll(() => {
  // Skipping esbuild keeps this fast; `npm run synth` does the real bundling.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PostroomStack(app, 'Test', {
    projectRoot: fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, ''),
    officeName: 'Test Office',
    officeAddress: 'office@test.example',
    staffAlertAddress: 'staff@test.example',
    siteBaseUrl: 'https://meetings.test.example/',
    recipients: ['office@test.example'],
    alarmEmail: 'ops@test.example',
  });
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
    const declared = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(declared)).toHaveLength(Object.keys(buckets).length);
    for (const resource of Object.values(declared)) {
      expect(resource.DeletionPolicy).toBe('Retain');
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

describe('alarms', () => {
  it('alarm on every function’s errors, every dead-letter queue and the stream’s iterator age, to email', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const metrics = alarms.map((alarm) => alarm.Properties.MetricName);
    expect(metrics.filter((metric) => metric === 'Errors')).toHaveLength(
      Object.keys(functions).length,
    );
    expect(
      metrics.filter((metric) => metric === 'ApproximateNumberOfMessagesVisible'),
    ).toHaveLength(3);
    expect(metrics.filter((metric) => metric === 'IteratorAge')).toHaveLength(2);
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
            Resource: {
              'Fn::Join': [
                '',
                Match.arrayWith([Match.stringLikeRegexp(':identity/test\\.example$')]),
              ],
            },
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
      NotificationConfiguration: {
        QueueConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: INBOUND_PREFIX }] } },
          }),
        ],
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
});
