import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  type HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
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
import {
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination as LambdaSqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  EventType,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  ReceiptRuleSet,
  SuppressionReasons,
  TlsPolicy,
} from 'aws-cdk-lib/aws-ses';
import { S3 as S3Action, Stop } from 'aws-cdk-lib/aws-ses-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import {
  NOT_FOUND_PAGE,
  PUBLIC_CACHE_CONTROL,
  renderNotFoundPage,
  siteContentSecurityPolicy,
} from '../shared/publication/render.ts';
import { retentionTag } from '../shared/retention/raw-mail.ts';
import { httpRoutes } from '../shared/staff/api.ts';
import { roles } from '../shared/workflow/transitions.ts';
import { AppFunction, logRetention } from './constructs/app-function.ts';
import { StaffUiFiles } from './constructs/staff-ui-files.ts';
import { StaticSite } from './constructs/static-site.ts';
import { type FunctionDeclaration, functions } from './functions.ts';
import {
  type BucketDefinition,
  buckets,
  INBOUND_PREFIX,
  type Retention,
  retentionDefaults,
  table as tableDefinition,
} from './resources.ts';
import { staffUiContentSecurityPolicy } from './staff-ui.ts';

export interface PostroomStackProps extends StackProps {
  projectRoot: string;
  officeName: string;
  officeAddress: string;
  staffAlertAddress: string;
  /** Who is asked to approve notes; when empty, the staff alert address is. */
  approverAddresses?: string[];
  /** The addresses (or domains) SES receives for: the office's public mailbox. */
  recipients: string[];
  /** Where alarms are emailed; none subscribes when empty. */
  alarmEmail?: string;
  /** The public site's own domain and its us-east-1 certificate; else cloudfront.net. */
  siteDomain?: { name: string; certificateArn: string };
  /** The prefix of the Cognito hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com). */
  signInDomainPrefix: string;
  retention?: Partial<Retention>;
}

/** Sending is paused by SES at a 10% bounce rate, and reviewed at 5%: warn before either. */
const BOUNCE_RATE_ALARM = 0.04;
/** SES reviews accounts at 0.1% complaints. */
const COMPLAINT_RATE_ALARM = 0.0008;

/** postroom on AWS: the resources of infra/resources.ts and the functions of infra/functions.ts. */
export class PostroomStack extends Stack {
  constructor(scope: Construct, id: string, props: PostroomStackProps) {
    super(scope, id, props);
    // S3 access logs are granted by bucket policy, so every bucket can keep ACLs disabled.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const retention = { ...retentionDefaults, ...props.retention };

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

    // ---- Buckets -------------------------------------------------------------------
    // Access logs of the other buckets and of CloudFront. CloudFront's standard logs are
    // still written with an ACL grant, so this one bucket keeps ACLs (never public ones).
    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(retention.logDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const abandonedUploads: LifecycleRule = {
      id: 'abandoned-uploads',
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    };
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
      documents: [supersededVersions, abandonedUploads],
      // The public record stays published until staff take it down.
      public: [abandonedUploads],
    };
    const bucket = (name: keyof typeof buckets, definition: BucketDefinition) =>
      new Bucket(this, definition.id, {
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        versioned: definition.versioned,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: lifecycle[name],
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `s3/${definition.suffix}/`,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const inbound = bucket('inbound', buckets.inbound);
    const documents = bucket('documents', buckets.documents);
    const publicSite = bucket('public', buckets.public);
    // The staff UI's static files: rebuilt from web/ on every deploy, so not kept.
    const staffUiFiles = new Bucket(this, 'StaffUiBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 's3/staff-ui/',
      lifecycleRules: [abandonedUploads],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    // ---- Sites ---------------------------------------------------------------------
    const site = new StaticSite(this, 'PublicSite', {
      comment: `${props.officeName}: published meeting notes`,
      bucket: publicSite,
      logBucket: accessLogs,
      logPrefix: 'cloudfront/public-site/',
      contentSecurityPolicy: siteContentSecurityPolicy,
      notFoundPage: NOT_FOUND_PAGE,
      domain: props.siteDomain,
    });
    // Publication writes the not-found page with the rest, but CloudFront needs it before
    // the first note goes out, or a missing page would show S3's XML error until then.
    new BucketDeployment(this, 'PublicSiteNotFoundPage', {
      destinationBucket: publicSite,
      sources: [
        Source.data(
          NOT_FOUND_PAGE,
          renderNotFoundPage({ officeName: props.officeName, baseUrl: site.url }),
        ),
      ],
      // Everything else in the bucket is published notes: never touch it.
      prune: false,
      contentType: 'text/html; charset=utf-8',
      cacheControl: [CacheControl.fromString(PUBLIC_CACHE_CONTROL)],
    });

    // ---- Alarms --------------------------------------------------------------------
    // Every alarm goes to one topic; its email subscription comes from context.
    const alarms = new Topic(this, 'Alarms', { enforceSSL: true });
    if (props.alarmEmail) alarms.addSubscription(new EmailSubscription(props.alarmEmail));
    const alarmOn = (
      id: string,
      metric: IMetric,
      description: string,
      threshold = 0,
      periods = 1,
    ) =>
      new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(new SnsAction(alarms));
    const deadLetterQueue = (id: string, description: string) => {
      const queue = new Queue(this, id, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      alarmOn(`${id}Depth`, queue.metricApproximateNumberOfMessagesVisible(), description);
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'this is a dead-letter queue; its depth alarms and its messages wait for a person',
      });
      return queue;
    };

    /**
     * An inbound-mail trigger's queues: deliveries, redriven after maxReceiveCount to a
     * dead-letter queue that the dead-letters function drains into held mail; what that
     * function cannot hold either is parked in a last queue, alarmed.
     */
    const deadLetterReceives = (name: string) =>
      Object.values(functions as Record<string, FunctionDeclaration>).flatMap(({ trigger }) =>
        trigger.kind === 'dead-letters' && trigger.of === name ? [trigger.maxReceiveCount] : [],
      )[0] ?? 5;
    const mailQueueCache = new Map<string, { deliveries: Queue; deadLetters: Queue }>();
    const mailQueues = (name: string, timeoutSeconds: number, maxReceiveCount: number) => {
      const cached = mailQueueCache.get(name);
      if (cached) return cached;
      const parked = deadLetterQueue(
        `${name}Unheld`,
        `mail could not even be put in held mail; the raw message is in the inbound bucket under the key in each queued event`,
      );
      const deadLetters = new Queue(this, `${name}DeadLetters`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        visibilityTimeout: Duration.minutes(3),
        deadLetterQueue: { queue: parked, maxReceiveCount: deadLetterReceives(name) },
      });
      const deliveries = new Queue(this, `${name}Deliveries`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(timeoutSeconds * 6),
        deadLetterQueue: { queue: deadLetters, maxReceiveCount },
      });
      const queues = { deliveries, deadLetters };
      mailQueueCache.set(name, queues);
      return queues;
    };

    // ---- Receiving -----------------------------------------------------------------
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
    Validations.of(this.node.findChild('ActivateReceiptRules')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:SetActiveReceiptRuleSet has no resource-level permissions; the policy allows only that call',
    });

    // ---- Sending -------------------------------------------------------------------
    // Bounces and complaints of the office's mail reach the sending-feedback function,
    // which stops further mail to the address; SES's own suppression list is on too.
    const sending = new ConfigurationSet(this, 'Sending', {
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
    });
    const sendingFeedback = new Topic(this, 'SendingFeedback', { enforceSSL: true });
    sending.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(sendingFeedback),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    alarmOn(
      'BounceRate',
      new Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.BounceRate',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      'SES bounce rate is near the 5% at which AWS reviews (and 10% at which it pauses) sending',
      BOUNCE_RATE_ALARM,
    );
    alarmOn(
      'ComplaintRate',
      new Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.ComplaintRate',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      'SES complaint rate is near the 0.1% at which AWS reviews sending',
      COMPLAINT_RATE_ALARM,
    );

    // ---- Staff sign-in, API and UI -------------------------------------------------
    const staffUi = new StaticSite(this, 'StaffUi', {
      comment: `${props.officeName}: postroom staff`,
      bucket: staffUiFiles,
      logBucket: accessLogs,
      logPrefix: 'cloudfront/staff-ui/',
      singlePageApp: true,
      // The UI talks to the staff API and to Cognito, and loads nothing from elsewhere.
      contentSecurityPolicy: staffUiContentSecurityPolicy([
        `https://*.execute-api.${this.region}.amazonaws.com`,
        `https://${props.signInDomainPrefix}.auth.${this.region}.amazoncognito.com`,
      ]),
    });
    const staffUiOrigin = staffUi.url.replace(/\/$/, '');

    // Staff sign in through Cognito's hosted page (authorization code with PKCE); their
    // group is their role (infra/functions.ts routes, shared/workflow/transitions.ts).
    const users = new UserPool(this, 'StaffUsers', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of roles)
      new CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: users.userPoolId,
        groupName: role,
      });
    const signIn = users.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: props.signInDomainPrefix },
    });
    const client = users.addClient('StaffUi', {
      generateSecret: false,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${staffUi.url}callback`],
        logoutUrls: [staffUi.url],
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    const apiLogs = new LogGroup(this, 'StaffApiAccessLogs', {
      retention: logRetention(retention.logDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const api = new HttpApi(this, 'StaffApi', {
      createDefaultStage: false,
      defaultAuthorizer: new HttpUserPoolAuthorizer('StaffAuthorizer', users, {
        userPoolClients: [client],
      }),
      corsPreflight: {
        allowOrigins: [staffUiOrigin],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT],
        allowHeaders: ['authorization', 'content-type', 'if-match'],
        exposeHeaders: ['etag'],
        maxAge: Duration.hours(1),
      },
    });
    new HttpStage(this, 'StaffApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new LogGroupLogDestination(apiLogs) },
    });
    const apiUrl = `${api.apiEndpoint}/`;

    // The UI itself, and the config.json it reads at start-up to find the API and sign-in.
    new StaffUiFiles(this, 'StaffUiFiles', {
      projectRoot: props.projectRoot,
      bucket: staffUiFiles,
      distribution: staffUi.distribution,
      config: {
        mode: 'cognito',
        apiUrl,
        region: this.region,
        userPoolId: users.userPoolId,
        clientId: client.userPoolClientId,
        signInUrl: signIn.baseUrl(),
        redirectUri: `${staffUi.url}callback`,
      },
    });

    // ---- Functions -----------------------------------------------------------------
    for (const [name, declaration] of Object.entries(functions) as Array<
      [string, FunctionDeclaration]
    >) {
      const app = new AppFunction(this, name, declaration, {
        projectRoot: props.projectRoot,
        logDays: retention.logDays,
      });
      alarmOn(
        `${name}Errors`,
        app.fn.metricErrors({ period: Duration.minutes(5) }),
        `${name} failed`,
      );
      app.bindTable(table);
      app.bindBucket(inbound, 'INBOUND_BUCKET');
      app.bindBucket(documents, 'DOCUMENTS_BUCKET');
      app.bindBucket(publicSite, 'PUBLIC_BUCKET');
      app.setEnv('SITE_BASE_URL', site.url);
      app.setEnv('OFFICE_NAME', props.officeName);
      app.setEnv('OFFICE_ADDRESS', props.officeAddress);
      app.setEnv('STAFF_ALERT_ADDRESS', props.staffAlertAddress);
      if (props.approverAddresses?.length)
        app.setEnv('APPROVER_ADDRESSES', props.approverAddresses.join(','));
      app.setEnv('SES_CONFIGURATION_SET', sending.configurationSetName);

      if (declaration.env.includes('OFFICE_ADDRESS')) {
        // Sending as the office's verified domain identity, through its configuration
        // set, and nothing else.
        const domain = props.officeAddress.split('@')[1] ?? '';
        app.fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['ses:SendRawEmail'],
            resources: [
              this.formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
              this.formatArn({
                service: 'ses',
                resource: 'configuration-set',
                resourceName: sending.configurationSetName,
              }),
            ],
          }),
        );
      }

      const trigger = declaration.trigger;
      if (trigger.kind === 'inbound-mail') {
        // The bucket comes with each S3 event, not from configuration.
        app.grantBucket(inbound, 'read');
        const { deliveries } = mailQueues(
          name,
          declaration.timeoutSeconds,
          trigger.maxReceiveCount,
        );
        // New mail only: SES puts (or, for large mail, uploads in parts). A retention
        // restamp is a copy, and must not look like mail arriving.
        for (const created of [
          EventType.OBJECT_CREATED_PUT,
          EventType.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD,
        ]) {
          inbound.addEventNotification(created, new SqsDestination(deliveries), {
            prefix: INBOUND_PREFIX,
          });
        }
        app.fn.addEventSource(
          new SqsEventSource(deliveries, {
            batchSize: trigger.batchSize,
            maxConcurrency: trigger.maxConcurrency,
            reportBatchItemFailures: true,
          }),
        );
      } else if (trigger.kind === 'dead-letters') {
        // Reads the first bytes of the raw message for its sender and subject.
        app.grantBucket(inbound, 'read');
        const of = functions[trigger.of];
        const { deadLetters } = mailQueues(
          trigger.of,
          of.timeoutSeconds,
          of.trigger.maxReceiveCount,
        );
        app.fn.addEventSource(
          new SqsEventSource(deadLetters, {
            batchSize: trigger.batchSize,
            reportBatchItemFailures: true,
          }),
        );
        // Each invocation is mail intake gave up on: someone should look at why.
        alarmOn(
          `${name}Invoked`,
          app.fn.metricInvocations({ period: Duration.minutes(5) }),
          `${trigger.of} gave up on mail; it is in held mail as could not be filed, ready to retry once the fault is fixed`,
        );
      } else if (trigger.kind === 'schedule') {
        new Rule(this, `${name}Schedule`, {
          schedule: Schedule.expression(trigger.expression),
          targets: [
            new LambdaFunction(app.fn, {
              retryAttempts: 2,
              deadLetterQueue: deadLetterQueue(
                `${name}ScheduleDeadLetters`,
                `EventBridge could not run ${name}`,
              ),
            }),
          ],
        });
      } else if (trigger.kind === 'http-api') {
        const integration = new HttpLambdaIntegration(`${name}Integration`, app.fn);
        for (const route of httpRoutes) {
          const added = api.addRoutes({
            path: route.path,
            methods: [route.method as HttpMethod],
            integration,
            ...(route.public ? { authorizer: new HttpNoneAuthorizer() } : {}),
          });
          if (route.public)
            for (const publicRoute of added)
              Validations.of(publicRoute).acknowledge({
                id: 'AwsSolutions-APIG4',
                reason: `${route.path} is public on purpose: it returns no office data`,
              });
        }
      } else if (trigger.kind === 'sending-feedback') {
        // SNS invokes asynchronously: after Lambda's own retries the event lands here.
        app.fn.configureAsyncInvoke({
          retryAttempts: 2,
          onFailure: new LambdaSqsDestination(
            deadLetterQueue(
              `${name}Failures`,
              `${name} could not record a bounce or complaint; the SES event is in the queue`,
            ),
          ),
        });
        sendingFeedback.addSubscription(
          new LambdaSubscription(app.fn, {
            deadLetterQueue: deadLetterQueue(
              `${name}Undelivered`,
              `SNS could not deliver SES feedback to ${name}`,
            ),
          }),
        );
      } else {
        const failures = deadLetterQueue(
          `${name}StreamFailures`,
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
            parallelizationFactor: trigger.parallelization,
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

    this.acknowledgeCdkHelpers();

    new CfnOutput(this, 'StaffUiUrl', { value: staffUi.url });
    new CfnOutput(this, 'PublicSiteUrl', { value: site.url });
    new CfnOutput(this, 'PublicSiteDistributionDomain', {
      value: site.distribution.distributionDomainName,
      description: 'Point the custom domain (CNAME or alias) here',
    });
    new CfnOutput(this, 'StaffApiUrl', { value: apiUrl });
    new CfnOutput(this, 'UserPoolId', { value: users.userPoolId });
    new CfnOutput(this, 'SignInUrl', { value: signIn.baseUrl() });
    new CfnOutput(this, 'ReceiptRuleSetName', { value: receiptRules.receiptRuleSetName });
    new CfnOutput(this, 'SendingConfigurationSet', { value: sending.configurationSetName });
  }

  /**
   * cdk-nag findings on the Lambda functions CDK itself adds (bucket notifications, the
   * SDK-call custom resource, the UI deployment), whose roles and runtimes it chooses.
   */
  private acknowledgeCdkHelpers(): void {
    const basicExecution =
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
    const helpers: Record<string, Array<[string, string]>> = {
      BucketNotificationsHandler050a0587b7544547bf325f094a3db834: [
        [basicExecution, 'CDK’s S3-notification helper runs only at deploy time'],
      ],
      AWS679f53fac002430cb0da5b7982bd2287: [
        [basicExecution, 'CDK’s SDK-call helper runs only at deploy time'],
      ],
      'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C': [
        [basicExecution, 'CDK’s deployment helper runs only at deploy time'],
        ['AwsSolutions-L1', 'CDK pins the deployment helper’s runtime'],
        ...[
          'Action::s3:GetObject*',
          'Action::s3:GetBucket*',
          'Action::s3:List*',
          'Action::s3:DeleteObject*',
          'Action::s3:Abort*',
          // As cdk-nag spells the asset bucket: pseudo parameters where the stack has no account.
          `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account}-${Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region}/*`,
          `Resource::<${this.getLogicalId(this.node.findChild('StaffUiBucket').node.defaultChild as CfnBucket)}.Arn>/*`,
          `Resource::<${this.getLogicalId(this.node.findChild('PublicBucket').node.defaultChild as CfnBucket)}.Arn>/*`,
          'Resource::*',
        ].map((finding): [string, string] => [
          `AwsSolutions-IAM5[${finding}]`,
          'CDK’s deployment helper copies the staff UI (and the public not-found page) from the asset bucket into their buckets and invalidates the UI’s distribution (which takes no resource ARN)',
        ]),
      ],
    };
    for (const [id, findings] of Object.entries(helpers)) {
      const helper = this.node.tryFindChild(id);
      if (!helper) continue;
      for (const [finding, reason] of findings)
        Validations.of(helper).acknowledge({ id: finding, reason });
    }
  }
}
