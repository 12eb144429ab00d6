import { CfnOutput, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { Alarms } from './constructs/alarms.ts';
import { MailReceiving } from './constructs/receiving.ts';
import { Sending } from './constructs/sending.ts';
import { Sites } from './constructs/sites.ts';
import { StaffAccess } from './constructs/staff-access.ts';
import { Storage } from './constructs/storage.ts';
import { type Retention, retentionDefaults } from './resources.ts';
import { addFunctions } from './triggers.ts';

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
 * infra/resources.ts, and the functions of infra/functions.ts wired to their triggers
 * (infra/triggers.ts).
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

    addFunctions(
      this,
      { storage, alarms, receiving, sending, staffAccess },
      {
        projectRoot: props.projectRoot,
        logDays: retention.logDays,
        settings: {
          SITE_BASE_URL: sites.publicSite.url,
          OFFICE_NAME: props.officeName,
          OFFICE_ADDRESS: props.officeAddress,
          STAFF_ALERT_ADDRESS: props.staffAlertAddress,
          ...(props.approverAddresses?.length
            ? { APPROVER_ADDRESSES: props.approverAddresses.join(',') }
            : {}),
        },
      },
    );

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
