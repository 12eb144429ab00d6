import { Duration, type Stack } from 'aws-cdk-lib';
import { type Bucket, EventType } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { S3 as S3Action, Stop } from 'aws-cdk-lib/aws-ses-actions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import { INBOUND_PREFIX } from '../resources.ts';
import { type Alarms, deadLetterQueueDefaults, queueDefaults } from './alarms.ts';

export interface MailReceivingProps {
  /** The addresses (or domains) SES receives for. */
  recipients: string[];
  /** Where SES stores each message, under INBOUND_PREFIX. */
  inbound: Bucket;
  alarms: Alarms;
}

/** The queues between the inbound bucket and the function that files its mail. */
export interface IntakeQueues {
  /** New mail's S3 events, for the filing function. */
  deliveries: Queue;
  /** Deliveries the filing function gave up on, for the function that holds them. */
  deadLetters: Queue;
}

export interface IntakeLimits {
  /** The filing function's timeout: a delivery stays invisible for six of them. */
  timeoutSeconds: number;
  /** Receives of a delivery before it is dead-lettered. */
  maxReceiveCount: number;
  /** Receives of a dead letter before it is parked in the last queue. */
  drainReceiveCount: number;
}

/**
 * SES receiving into the inbound bucket, and the queues from there to intake. Defaults it
 * sets:
 * - one receipt rule for the recipients: spam and virus scanning, TLS required, the message
 *   stored under INBOUND_PREFIX, then stop; the S3 action adds the bucket policy that lets
 *   SES, for this account only, write there;
 * - the rule set activated on deploy and deactivated if the stack goes (CloudFormation
 *   creates rule sets inactive, and only one is active per account and region);
 * - per filing function, `intakeQueues`: S3 Put and multipart-upload events under the
 *   prefix (a retention restamp is a copy, and must not look like mail arriving) queued
 *   as deliveries, dead-lettered after `maxReceiveCount`; dead letters kept 14 days for
 *   the function that holds them, and parked after `drainReceiveCount` in a last,
 *   alarmed queue.
 *
 * Its resources are the stack's own children (their logical IDs predate this class).
 */
export class MailReceiving {
  readonly ruleSet: ReceiptRuleSet;
  /** The custom resource that activates the rule set. */
  readonly activation: AwsCustomResource;
  private readonly queues = new Map<string, IntakeQueues>();

  constructor(
    private readonly scope: Stack,
    private readonly props: MailReceivingProps,
  ) {
    this.ruleSet = new ReceiptRuleSet(scope, 'ReceiptRules');
    this.ruleSet.addRule('StoreInbound', {
      recipients: props.recipients,
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [
        new S3Action({ bucket: props.inbound, objectKeyPrefix: INBOUND_PREFIX }),
        new Stop(),
      ],
    });
    this.activation = new AwsCustomResource(scope, 'ActivateReceiptRules', {
      onUpdate: {
        service: 'SES',
        action: 'setActiveReceiptRuleSet',
        parameters: { RuleSetName: this.ruleSet.receiptRuleSetName },
        physicalResourceId: PhysicalResourceId.of(this.ruleSet.receiptRuleSetName),
      },
      onDelete: { service: 'SES', action: 'setActiveReceiptRuleSet', parameters: {} },
      // SetActiveReceiptRuleSet has no resource-level permissions.
      policy: AwsCustomResourcePolicy.fromSdkCalls({
        resources: AwsCustomResourcePolicy.ANY_RESOURCE,
      }),
      installLatestAwsSdk: false,
    });
  }

  /**
   * The filing function `name`'s queues, made on first asking: its trigger and the one
   * that drains its dead letters both ask.
   */
  intakeQueues(name: string, limits: IntakeLimits): IntakeQueues {
    const made = this.queues.get(name);
    if (made) return made;
    const parked = this.props.alarms.deadLetterQueue(
      `${name}Unheld`,
      `mail could not even be put in held mail; the raw message is in the inbound bucket under the key in each queued event`,
    );
    const deadLetters = new Queue(this.scope, `${name}DeadLetters`, {
      ...deadLetterQueueDefaults,
      visibilityTimeout: Duration.minutes(3),
      deadLetterQueue: { queue: parked, maxReceiveCount: limits.drainReceiveCount },
    });
    const deliveries = new Queue(this.scope, `${name}Deliveries`, {
      ...queueDefaults,
      visibilityTimeout: Duration.seconds(limits.timeoutSeconds * 6),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: limits.maxReceiveCount },
    });
    for (const created of [
      EventType.OBJECT_CREATED_PUT,
      EventType.OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD,
    ]) {
      this.props.inbound.addEventNotification(created, new SqsDestination(deliveries), {
        prefix: INBOUND_PREFIX,
      });
    }
    const queues = { deliveries, deadLetters };
    this.queues.set(name, queues);
    return queues;
  }
}
