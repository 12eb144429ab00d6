import { Duration, type Stack } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Alarms } from './alarms.ts';
import type { AppFunction } from './app-function.ts';

export interface SendingProps {
  /** The address mail is sent from; its domain is the SES identity functions may send as. */
  officeAddress: string;
  alarms: Alarms;
}

/** Sending is paused by SES at a 10% bounce rate, and reviewed at 5%: warn before either. */
const BOUNCE_RATE_ALARM = 0.04;
/** SES reviews accounts at 0.1% complaints. */
const COMPLAINT_RATE_ALARM = 0.0008;

/**
 * The office's outgoing mail, and what comes back of it. Defaults it sets:
 * - a configuration set with SES's suppression of bounced and complaining addresses, and
 *   reputation metrics;
 * - its bounces and complaints published to an SNS topic (TLS enforced), for the
 *   sending-feedback trigger (infra/triggers.ts), which stops further mail to the address;
 * - alarms above a 4% bounce rate and a 0.08% complaint rate (each the hour's maximum);
 * - `bindTo`: every function is told the configuration set, and one that sends as the
 *   office may send raw mail only as the office's domain identity, through that set.
 *
 * Its resources are the stack's own children (their logical IDs predate this class).
 */
export class Sending {
  readonly configurationSet: ConfigurationSet;
  /** Bounces and complaints, as SES publishes them. */
  readonly feedback: Topic;
  /** The office's domain identity and the configuration set: all a function may send through. */
  private readonly sendAs: string[];

  constructor(scope: Stack, props: SendingProps) {
    this.configurationSet = new ConfigurationSet(scope, 'Sending', {
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
    });
    this.feedback = new Topic(scope, 'SendingFeedback', { enforceSSL: true });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.feedback),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    const reputation = (metricName: string) =>
      new Metric({
        namespace: 'AWS/SES',
        metricName,
        statistic: 'Maximum',
        period: Duration.hours(1),
      });
    props.alarms.alarmOn(
      'BounceRate',
      reputation('Reputation.BounceRate'),
      'SES bounce rate is near the 5% at which AWS reviews (and 10% at which it pauses) sending',
      BOUNCE_RATE_ALARM,
    );
    props.alarms.alarmOn(
      'ComplaintRate',
      reputation('Reputation.ComplaintRate'),
      'SES complaint rate is near the 0.1% at which AWS reviews sending',
      COMPLAINT_RATE_ALARM,
    );

    const domain = props.officeAddress.split('@')[1] ?? '';
    this.sendAs = [
      scope.formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
      scope.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: this.configurationSet.configurationSetName,
      }),
    ];
  }

  /**
   * Tells a function which configuration set to send through, and lets one that sends as
   * the office (it reads OFFICE_ADDRESS) do so, through that set, and nothing else.
   */
  bindTo(app: AppFunction): void {
    app.setEnv('SES_CONFIGURATION_SET', this.configurationSet.configurationSetName);
    if (app.reads('OFFICE_ADDRESS'))
      app.fn.addToRolePolicy(
        new PolicyStatement({ actions: ['ses:SendRawEmail'], resources: this.sendAs }),
      );
  }
}
