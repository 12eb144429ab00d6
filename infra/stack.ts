import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { readConfig } from '../shared/config.ts';
import { Alarms } from './constructs/alarms.ts';
import { MailReceiving } from './constructs/receiving.ts';
import { Sending } from './constructs/sending.ts';
import { Sites } from './constructs/sites.ts';
import { StaffAccess } from './constructs/staff-access.ts';
import { Storage } from './constructs/storage.ts';
import { acknowledgeFindings } from './nag.ts';
import { type Retention, retentionDefaults } from './resources.ts';
import { addFunctions } from './triggers.ts';

export interface PostroomStackProps extends StackProps {
  projectRoot: string;
  officeName: string;
  officeAddress: string;
  staffAlertAddress: string;
  /** OFFICE_TIMEZONE, for the functions and the staff UI; shared/config.ts has the default. */
  officeTimeZone?: string;
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
  /** OFFICE_HOLDER: the quarterly return's first column; shared/config.ts has the default. */
  officeHolder?: string;
  /** RETURN_WORKING_DAYS: when a quarter's return is published; shared/config.ts has the default. */
  returnWorkingDays?: number;
}

/**
 * postroom on AWS, composed of its concerns (infra/constructs/): the resources of
 * infra/resources.ts, the functions of infra/functions.ts wired to their triggers
 * (infra/triggers.ts), and the cdk-nag findings accepted (infra/nag.ts).
 */
export class PostroomStack extends Stack {
  constructor(scope: Construct, id: string, props: PostroomStackProps) {
    super(scope, id, props);
    // S3 access logs are granted by bucket policy, so every bucket can keep ACLs disabled.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const retention = { ...retentionDefaults, ...props.retention };
    const officeTimeZone = readConfig(['OFFICE_TIMEZONE'], {
      OFFICE_TIMEZONE: props.officeTimeZone,
    }).OFFICE_TIMEZONE;

    const storage = new Storage(this, { retention });
    const sites = new Sites(this, {
      projectRoot: props.projectRoot,
      officeName: props.officeName,
      publicBucket: storage.publicSite,
      staffUiBucket: storage.staffUiFiles,
      logBucket: storage.accessLogs,
      publicDomain: props.siteDomain,
      staffUiConnectsTo: [
        ...StaffAccess.origins(this, props.signInDomainPrefix),
        ...Storage.uploadOrigins(this),
      ],
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
    sites.deployStaffUi({ ...staffAccess.uiConfig, timeZone: officeTimeZone });
    storage.allowUploadsFrom(sites.staffUi.url);

    const functions = addFunctions(
      this,
      { storage, alarms, receiving, sending, staffAccess, publicSite: sites.publicSite },
      {
        projectRoot: props.projectRoot,
        logDays: retention.logDays,
        settings: {
          SITE_BASE_URL: sites.publicSite.url,
          OFFICE_NAME: props.officeName,
          OFFICE_TIMEZONE: officeTimeZone,
          OFFICE_ADDRESS: props.officeAddress,
          STAFF_ALERT_ADDRESS: props.staffAlertAddress,
          REQUEST_RETENTION_DAYS: String(retention.requestDays),
          ...(props.approverAddresses?.length
            ? { APPROVER_ADDRESSES: props.approverAddresses.join(',') }
            : {}),
          ...(props.officeHolder ? { OFFICE_HOLDER: props.officeHolder } : {}),
          ...(props.returnWorkingDays
            ? { RETURN_WORKING_DAYS: String(props.returnWorkingDays) }
            : {}),
        },
      },
    );

    acknowledgeFindings(this, { storage, alarms, receiving, staffAccess, sites, functions });

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
}
