import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, type HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnUserPoolGroup, Mfa, UserPool } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  EventType,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { S3 as S3Action, Stop } from 'aws-cdk-lib/aws-ses-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { roles } from '../shared/workflow/transitions.ts';
import { AppFunction } from './constructs/app-function.ts';
import { type FunctionDeclaration, functions } from './functions.ts';
import {
  type BucketDefinition,
  buckets,
  INBOUND_PREFIX,
  table as tableDefinition,
} from './resources.ts';

export interface PostroomStackProps extends StackProps {
  projectRoot: string;
  officeName: string;
  officeAddress: string;
  staffAlertAddress: string;
  /** The public site's address, ending in a slash (CloudFront or a custom domain). */
  siteBaseUrl: string;
  /** The addresses (or domains) SES receives for: the office's public mailbox. */
  recipients: string[];
  /** Where alarms are emailed; none subscribes when empty. */
  alarmEmail?: string;
}

/** postroom on AWS: the resources of infra/resources.ts and the functions of infra/functions.ts. */
export class PostroomStack extends Stack {
  constructor(scope: Construct, id: string, props: PostroomStackProps) {
    super(scope, id, props);

    const table = new TableV2(this, tableDefinition.id, {
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

    const bucket = (definition: BucketDefinition) =>
      new Bucket(this, definition.id, {
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        versioned: definition.versioned,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const inbound = bucket(buckets.inbound);
    const documents = bucket(buckets.documents);
    const publicSite = bucket(buckets.public);

    // SES receiving: store each message under the intake prefix, then stop. The S3 action
    // adds the bucket policy that lets SES (for this account only) write there.
    const receiptRules = new ReceiptRuleSet(this, 'ReceiptRules');
    receiptRules.addRule('StoreInbound', {
      recipients: props.recipients,
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [new S3Action({ bucket: inbound, objectKeyPrefix: INBOUND_PREFIX }), new Stop()],
    });
    // CloudFormation creates rule sets inactive, and only one is active per account and
    // region: activate this one on deploy, and deactivate it if the stack goes.
    new AwsCustomResource(this, 'ActivateReceiptRules', {
      onUpdate: {
        service: 'SES',
        action: 'setActiveReceiptRuleSet',
        parameters: { RuleSetName: receiptRules.receiptRuleSetName },
        physicalResourceId: PhysicalResourceId.of(receiptRules.receiptRuleSetName),
      },
      onDelete: { service: 'SES', action: 'setActiveReceiptRuleSet', parameters: {} },
      // SetActiveReceiptRuleSet has no resource-level permissions.
      policy: AwsCustomResourcePolicy.fromSdkCalls({
        resources: AwsCustomResourcePolicy.ANY_RESOURCE,
      }),
      installLatestAwsSdk: false,
    });

    // Every alarm goes to one topic; its email subscription comes from context.
    const alarms = new Topic(this, 'Alarms', { enforceSSL: true });
    if (props.alarmEmail) alarms.addSubscription(new EmailSubscription(props.alarmEmail));
    const alarmOn = (id: string, metric: IMetric, description: string, threshold = 0) =>
      new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(new SnsAction(alarms));

    // Staff sign in through Cognito; their group is their role (infra/functions.ts routes).
    let api: HttpApi | undefined;
    const staffApi = (): HttpApi => {
      if (api) return api;
      const users = new UserPool(this, 'StaffUsers', {
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        passwordPolicy: { minLength: 14, requireSymbols: true, requireDigits: true },
        mfa: Mfa.OPTIONAL,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const role of roles)
        new CfnUserPoolGroup(this, `Group-${role}`, {
          userPoolId: users.userPoolId,
          groupName: role,
        });
      const client = users.addClient('StaffUi', {
        authFlows: { userSrp: true },
        generateSecret: false,
      });
      api = new HttpApi(this, 'StaffApi', {
        defaultAuthorizer: new HttpUserPoolAuthorizer('StaffAuthorizer', users, {
          userPoolClients: [client],
        }),
      });
      return api;
    };

    for (const [name, declaration] of Object.entries(functions) as Array<
      [string, FunctionDeclaration]
    >) {
      const app = new AppFunction(this, name, declaration, props.projectRoot);
      alarmOn(
        `${name}Errors`,
        app.fn.metricErrors({ period: Duration.minutes(5) }),
        `${name} failed`,
      );
      app.bindTable(table);
      app.bindBucket(inbound, 'INBOUND_BUCKET', 'read');
      app.bindBucket(documents, 'DOCUMENTS_BUCKET', 'readWrite');
      app.bindBucket(publicSite, 'PUBLIC_BUCKET', 'readWrite');
      app.setEnv('SITE_BASE_URL', props.siteBaseUrl);
      app.setEnv('OFFICE_NAME', props.officeName);
      app.setEnv('OFFICE_ADDRESS', props.officeAddress);
      app.setEnv('STAFF_ALERT_ADDRESS', props.staffAlertAddress);

      if (declaration.env.includes('OFFICE_ADDRESS')) {
        // Sending as the office's verified domain identity, and nothing else.
        const domain = props.officeAddress.split('@')[1] ?? '';
        app.fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['ses:SendRawEmail'],
            resources: [
              this.formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
            ],
          }),
        );
      }

      const trigger = declaration.trigger;
      if (trigger.kind === 'inbound-mail') {
        inbound.grantRead(app.fn);
        const deadLetters = new Queue(this, `${name}DeadLetters`, {
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        });
        alarmOn(
          `${name}DeadLetterDepth`,
          deadLetters.metricApproximateNumberOfMessagesVisible(),
          `mail is waiting in ${name}'s dead-letter queue; the raw message is in the inbound bucket`,
        );
        const deliveries = new Queue(this, `${name}Deliveries`, {
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          visibilityTimeout: Duration.seconds(declaration.timeoutSeconds * 6),
          deadLetterQueue: { queue: deadLetters, maxReceiveCount: trigger.maxReceiveCount },
        });
        inbound.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(deliveries), {
          prefix: INBOUND_PREFIX,
        });
        app.fn.addEventSource(
          new SqsEventSource(deliveries, {
            batchSize: trigger.batchSize,
            reportBatchItemFailures: true,
          }),
        );
      } else if (trigger.kind === 'schedule') {
        new Rule(this, `${name}Schedule`, {
          schedule: Schedule.expression(trigger.expression),
          targets: [new LambdaFunction(app.fn, { retryAttempts: 2 })],
        });
      } else if (trigger.kind === 'http-api') {
        const integration = new HttpLambdaIntegration(`${name}Integration`, app.fn);
        for (const route of trigger.routes) {
          staffApi().addRoutes({
            path: route.path,
            methods: [route.method as HttpMethod],
            integration,
            ...(route.public ? { authorizer: new HttpNoneAuthorizer() } : {}),
          });
        }
      } else {
        const failures = new Queue(this, `${name}StreamFailures`, {
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        });
        alarmOn(
          `${name}FailureDepth`,
          failures.metricApproximateNumberOfMessagesVisible(),
          `${name} gave up on stream records (redrive within 24 hours)`,
        );
        alarmOn(
          `${name}IteratorAge`,
          new Metric({
            namespace: 'AWS/Lambda',
            metricName: 'IteratorAge',
            dimensionsMap: { FunctionName: app.fn.functionName },
            statistic: 'Maximum',
            period: Duration.minutes(5),
          }),
          `${name} is more than 10 minutes behind the table stream`,
          10 * 60 * 1000,
        );
        app.fn.addEventSource(
          new DynamoEventSource(table, {
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: trigger.batchSize,
            retryAttempts: trigger.retryAttempts,
            bisectBatchOnError: true,
            reportBatchItemFailures: true,
            onFailure: new SqsDlq(failures),
            filters: trigger.filters.map((pattern) =>
              FilterCriteria.filter(pattern as Record<string, unknown>),
            ),
          }),
        );
      }
    }
  }
}
