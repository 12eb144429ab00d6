import { Duration, type Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';

export interface AlarmsProps {
  /** Where alarms are emailed; none subscribes when absent. */
  email?: string;
}

/**
 * Where postroom says that something needs a person. Defaults it sets:
 * - one SNS topic (TLS enforced) for every alarm, emailed to `email` when given;
 * - alarms that fire when their metric is above the threshold (0 unless given) for one
 *   period, missing data counting as fine, each sending to that topic;
 * - dead-letter queues: SQS-managed encryption, TLS enforced, messages kept 14 days, each
 *   alarmed as soon as it holds a message.
 *
 * Its resources are the stack's own children (their logical IDs predate this class).
 */
export class Alarms {
  readonly topic: Topic;
  /** Every queue `deadLetterQueue` made; infra/nag.ts says why none has a DLQ of its own. */
  readonly deadLetterQueues: Queue[] = [];

  constructor(
    private readonly scope: Stack,
    props: AlarmsProps,
  ) {
    this.topic = new Topic(scope, 'Alarms', { enforceSSL: true });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }

  /** An alarm, to the topic, when `metric` goes above `threshold`. */
  alarmOn(id: string, metric: IMetric, description: string, threshold = 0): void {
    new Alarm(this.scope, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    }).addAlarmAction(new SnsAction(this.topic));
  }

  /** A queue where failures wait for a person; `description` says what is in it. */
  deadLetterQueue(id: string, description: string): Queue {
    const queue = new Queue(this.scope, id, deadLetterQueueDefaults);
    this.alarmOn(`${id}Depth`, queue.metricApproximateNumberOfMessagesVisible(), description);
    this.deadLetterQueues.push(queue);
    return queue;
  }
}

/** Every queue's settings: encrypted at rest, reachable only over TLS. */
export const queueDefaults: QueueProps = {
  encryption: QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
};

/** A dead-letter queue's settings: its messages wait two weeks for someone to look. */
export const deadLetterQueueDefaults: QueueProps = {
  ...queueDefaults,
  retentionPeriod: Duration.days(14),
};
