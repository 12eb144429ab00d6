import { type CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Alarms } from './constructs/alarms.ts';
import type { AppFunction } from './constructs/app-function.ts';
import type { MailReceiving } from './constructs/receiving.ts';
import type { Sites } from './constructs/sites.ts';
import type { StaffAccess } from './constructs/staff-access.ts';
import type { Storage } from './constructs/storage.ts';

/** The parts of the stack whose findings are acknowledged. */
export interface Acknowledged {
  storage: Storage;
  alarms: Alarms;
  receiving: MailReceiving;
  staffAccess: StaffAccess;
  sites: Sites;
  functions: AppFunction[];
}

/**
 * Every cdk-nag AwsSolutions finding postroom accepts, each with its reason. Synth and
 * deploy stop on any other (infra/app.ts adds the checks; tests/infra/nag.test.ts runs
 * them). Call it once the stack is built: CDK adds its helper functions as it goes.
 */
export function acknowledgeFindings(stack: Stack, parts: Acknowledged): void {
  for (const queue of parts.alarms.deadLetterQueues)
    acknowledge(
      queue,
      'AwsSolutions-SQS3',
      'this is a dead-letter queue; its depth alarms and its messages wait for a person',
    );

  acknowledge(
    parts.receiving.activation,
    'AwsSolutions-IAM5[Resource::*]',
    'ses:SetActiveReceiptRuleSet has no resource-level permissions; the policy allows only that call',
  );

  for (const { route, path } of parts.staffAccess.publicRoutes)
    acknowledge(
      route,
      'AwsSolutions-APIG4',
      `${path} is public on purpose: it returns no office data`,
    );

  for (const site of [parts.sites.publicSite, parts.sites.staffUi]) {
    acknowledge(
      site.distribution,
      'AwsSolutions-CFR1',
      'the office’s transparency pages and its staff are not limited to one country',
    );
    acknowledge(
      site.distribution,
      'AwsSolutions-CFR2',
      'static files from a private bucket, GET and HEAD only: a web ACL (from about $6 a month) guards nothing here; the staff API has its own throttling',
    );
    if (!site.domainName)
      acknowledge(
        site.distribution,
        'AwsSolutions-CFR4',
        'the default *.cloudfront.net certificate cannot set a minimum TLS version; with a custom domain TLSv1.2_2021 is set',
      );
  }

  // Each function's role names its resources; only the parts below them are wildcards.
  for (const fn of parts.functions)
    for (const grant of fn.wildcardGrants) {
      if ('table' in grant)
        acknowledge(
          fn,
          `AwsSolutions-IAM5[Resource::${arnOf(grant.table)}/index/*]`,
          'the table has one index, the stage GSI (infra/resources.ts); the grant names the table',
        );
      else if ('deletesUnder' in grant)
        acknowledge(
          fn,
          `AwsSolutions-IAM5[Resource::${arnOf(grant.bucket)}/${grant.deletesUnder}*]`,
          `deletes only under ${grant.deletesUnder}, a folder the function alone writes, keyed by request id`,
        );
      else
        acknowledge(
          fn,
          `AwsSolutions-IAM5[Resource::${arnOf(grant.bucket)}/*]`,
          `objects are keyed by request id, so the function needs every key in the bucket (${grant.access} only)`,
        );
    }

  acknowledgeCdkHelpers(stack, parts.storage);
}

/**
 * Findings on the Lambda functions CDK itself adds (bucket notifications, the SDK-call
 * custom resource, the UI deployment), whose roles and runtimes it chooses.
 */
function acknowledgeCdkHelpers(stack: Stack, storage: Storage): void {
  const basicExecution =
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
  // As cdk-nag spells the asset bucket: pseudo parameters where the stack has no account.
  const known = (value: string, pseudo: string) => (Token.isUnresolved(value) ? pseudo : value);
  const assetBucket = `cdk-hnb659fds-assets-${known(stack.account, '<AWS::AccountId>')}-${known(stack.region, '<AWS::Region>')}`;
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
        `Resource::arn:<AWS::Partition>:s3:::${assetBucket}/*`,
        `Resource::${arnOf(storage.staffUiFiles)}/*`,
        `Resource::${arnOf(storage.publicSite)}/*`,
        'Resource::*',
      ].map((finding): [string, string] => [
        `AwsSolutions-IAM5[${finding}]`,
        'CDK’s deployment helper copies the staff UI (and the public not-found page) from the asset bucket into their buckets and invalidates the UI’s distribution (which takes no resource ARN)',
      ]),
    ],
  };
  for (const [id, findings] of Object.entries(helpers)) {
    const helper = stack.node.tryFindChild(id);
    if (!helper) continue;
    for (const [finding, reason] of findings) acknowledge(helper, finding, reason);
  }
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** A resource's ARN as cdk-nag writes it in a finding: `<LogicalId.Arn>`. */
function arnOf(resource: IConstruct): string {
  return `<${Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnResource)}.Arn>`;
}
