import { CfnOutput, Duration, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination as LambdaSqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { Alarms } from './constructs/alarms.ts';
import { AppFunction } from './constructs/app-function.ts';
import { MailReceiving } from './constructs/receiving.ts';
import { Sending } from './constructs/sending.ts';
import { Sites } from './constructs/sites.ts';
import { StaffAccess } from './constructs/staff-access.ts';
import { Storage } from './constructs/storage.ts';
import { type FunctionDeclaration, functions } from './functions.ts';
import { type Retention, retentionDefaults } from './resources.ts';

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

/**
 * postroom on AWS, composed of its concerns (infra/constructs/): the resources of
 * infra/resources.ts and the functions of infra/functions.ts.
 */
export class PostroomStack extends Stack {
  constructor(scope: Construct, id: string, props: PostroomStackProps) {
    super(scope, id, props);
    // S3 access logs are granted by bucket policy, so every bucket can keep ACLs disabled.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const retention = { ...retentionDefaults, ...props.retention };

    const storage = new Storage(this, { retention });
    const sites = new Sites(this, {
      projectRoot: props.projectRoot,
      officeName: props.officeName,
      publicBucket: storage.publicSite,
      staffUiBucket: storage.staffUiFiles,
      logBucket: storage.accessLogs,
      publicDomain: props.siteDomain,
      staffUiConnectsTo: StaffAccess.origins(this, props.signInDomainPrefix),
    });
    const alarms = new Alarms(this, { email: props.alarmEmail });
    const receiving = new MailReceiving(this, {
      recipients: props.recipients,
      inbound: storage.inbound,
      alarms,
    });
    const sending = new Sending(this, { officeAddress: props.officeAddress, alarms });
    const staffAccess = new StaffAccess(this, {
      uiUrl: sites.staffUi.url,
      signInDomainPrefix: props.signInDomainPrefix,
      logDays: retention.logDays,
    });
    sites.deployStaffUi(staffAccess.uiConfig);

    /** How often intake's dead letters are received before they are parked. */
    const deadLetterReceives = (name: string) =>
      Object.values(functions as Record<string, FunctionDeclaration>).flatMap(({ trigger }) =>
        trigger.kind === 'dead-letters' && trigger.of === name ? [trigger.maxReceiveCount] : [],
      )[0] ?? 5;

    // ---- Functions -----------------------------------------------------------------
    for (const [name, declaration] of Object.entries(functions) as Array<
      [string, FunctionDeclaration]
    >) {
      const app = new AppFunction(this, name, declaration, {
        projectRoot: props.projectRoot,
        logDays: retention.logDays,
      });
      alarms.alarmOn(
        `${name}Errors`,
        app.fn.metricErrors({ period: Duration.minutes(5) }),
        `${name} failed`,
      );
      storage.bindTo(app);
      app.setEnv('SITE_BASE_URL', sites.publicSite.url);
      app.setEnv('OFFICE_NAME', props.officeName);
      app.setEnv('OFFICE_ADDRESS', props.officeAddress);
      app.setEnv('STAFF_ALERT_ADDRESS', props.staffAlertAddress);
      if (props.approverAddresses?.length)
        app.setEnv('APPROVER_ADDRESSES', props.approverAddresses.join(','));
      sending.bindTo(app);

      const trigger = declaration.trigger;
      if (trigger.kind === 'inbound-mail') {
        // The bucket comes with each S3 event, not from configuration.
        app.grantBucket(storage.inbound, 'read');
        const { deliveries } = receiving.intakeQueues(name, {
          timeoutSeconds: declaration.timeoutSeconds,
          maxReceiveCount: trigger.maxReceiveCount,
          drainReceiveCount: deadLetterReceives(name),
        });
        app.fn.addEventSource(
          new SqsEventSource(deliveries, {
            batchSize: trigger.batchSize,
            maxConcurrency: trigger.maxConcurrency,
            reportBatchItemFailures: true,
          }),
        );
      } else if (trigger.kind === 'dead-letters') {
        // Reads the first bytes of the raw message for its sender and subject.
        app.grantBucket(storage.inbound, 'read');
        const of = functions[trigger.of];
        const { deadLetters } = receiving.intakeQueues(trigger.of, {
          timeoutSeconds: of.timeoutSeconds,
          maxReceiveCount: of.trigger.maxReceiveCount,
          drainReceiveCount: trigger.maxReceiveCount,
        });
        app.fn.addEventSource(
          new SqsEventSource(deadLetters, {
            batchSize: trigger.batchSize,
            reportBatchItemFailures: true,
          }),
        );
        // Each invocation is mail intake gave up on: someone should look at why.
        alarms.alarmOn(
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
              deadLetterQueue: alarms.deadLetterQueue(
                `${name}ScheduleDeadLetters`,
                `EventBridge could not run ${name}`,
              ),
            }),
          ],
        });
      } else if (trigger.kind === 'http-api') {
        staffAccess.serve(name, app.fn, trigger.routes);
      } else if (trigger.kind === 'sending-feedback') {
        // SNS invokes asynchronously: after Lambda's own retries the event lands here.
        app.fn.configureAsyncInvoke({
          retryAttempts: 2,
          onFailure: new LambdaSqsDestination(
            alarms.deadLetterQueue(
              `${name}Failures`,
              `${name} could not record a bounce or complaint; the SES event is in the queue`,
            ),
          ),
        });
        sending.feedback.addSubscription(
          new LambdaSubscription(app.fn, {
            deadLetterQueue: alarms.deadLetterQueue(
              `${name}Undelivered`,
              `SNS could not deliver SES feedback to ${name}`,
            ),
          }),
        );
      } else {
        const failures = alarms.deadLetterQueue(
          `${name}StreamFailures`,
          `${name} gave up on stream records (redrive within 24 hours)`,
        );
        alarms.alarmOn(
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
          new DynamoEventSource(storage.table, {
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

    new CfnOutput(this, 'StaffUiUrl', { value: sites.staffUi.url });
    new CfnOutput(this, 'PublicSiteUrl', { value: sites.publicSite.url });
    new CfnOutput(this, 'PublicSiteDistributionDomain', {
      value: sites.publicSite.distribution.distributionDomainName,
      description: 'Point the custom domain (CNAME or alias) here',
    });
    new CfnOutput(this, 'StaffApiUrl', { value: staffAccess.apiUrl });
    new CfnOutput(this, 'UserPoolId', { value: staffAccess.users.userPoolId });
    new CfnOutput(this, 'SignInUrl', { value: staffAccess.signIn.baseUrl() });
    new CfnOutput(this, 'ReceiptRuleSetName', { value: receiving.ruleSet.receiptRuleSetName });
    new CfnOutput(this, 'SendingConfigurationSet', {
      value: sending.configurationSet.configurationSetName,
    });
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
