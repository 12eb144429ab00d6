import { Duration, type Stack } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { ConfigKey } from '../shared/config.ts';
import { httpRoutes } from '../shared/staff/api.ts';
import type { Alarms } from './constructs/alarms.ts';
import { AppFunction } from './constructs/app-function.ts';
import type { IntakeQueues, MailReceiving } from './constructs/receiving.ts';
import type { Sending } from './constructs/sending.ts';
import type { StaffAccess } from './constructs/staff-access.ts';
import type { Storage } from './constructs/storage.ts';
import {
  type FunctionDeclaration,
  type FunctionName,
  functions,
  type Trigger,
} from './functions.ts';

/** The concerns a function is bound to and its trigger is wired into. */
export interface Concerns {
  storage: Storage;
  alarms: Alarms;
  receiving: MailReceiving;
  sending: Sending;
  staffAccess: StaffAccess;
  /** The public site's distribution, whose cache takedowns clear. */
  publicSite: { distribution: IDistribution };
}

export interface FunctionOptions {
  projectRoot: string;
  logDays: number;
  /** Configuration values, each set on the functions whose declarations read it. */
  settings: Partial<Record<ConfigKey, string>>;
}

/** One function, with the trigger its declaration gives it. */
interface Triggered<Kind extends Trigger['kind']> {
  name: FunctionName;
  app: AppFunction;
  declaration: FunctionDeclaration;
  trigger: Extract<Trigger, { kind: Kind }>;
}

type Wiring<Kind extends Trigger['kind']> = (
  triggered: Triggered<Kind>,
  concerns: Concerns,
  scope: Stack,
) => void;

/** How each kind of trigger reaches its function on AWS. */
const wirings: { [Kind in Trigger['kind']]: Wiring<Kind> } = {
  'inbound-mail': ({ name, app, trigger }, { storage, receiving }) => {
    // The bucket comes with each S3 event, not from configuration.
    app.grantBucket(storage.inbound, 'read');
    const { deliveries } = intakeQueues(receiving, name);
    app.fn.addEventSource(
      new SqsEventSource(deliveries, {
        batchSize: trigger.batchSize,
        maxConcurrency: trigger.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  },

  'dead-letters': ({ name, app, trigger }, { storage, receiving, alarms }) => {
    // Reads the first bytes of the raw message for its sender and subject.
    app.grantBucket(storage.inbound, 'read');
    const { deadLetters } = intakeQueues(receiving, trigger.of);
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
  },

  schedule: ({ name, app, trigger }, { alarms }, scope) => {
    new Rule(scope, `${name}Schedule`, {
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
  },

  'http-api': ({ name, app, trigger }, { staffAccess }) => {
    staffAccess.bindDirectory(app);
    staffAccess.serve(
      name,
      app.fn,
      httpRoutes.filter((route) => route.group === trigger.routes),
    );
  },

  'sending-feedback': ({ name, app }, { sending, alarms }) => {
    // SNS invokes asynchronously: after Lambda's own retries the event lands here.
    app.fn.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(
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
  },

  'table-stream': ({ name, app, trigger }, { storage, alarms }) => {
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
  },
};

/**
 * Every function of infra/functions.ts on AWS: an AppFunction, alarmed on its errors, bound
 * to the storage, settings and sending its declaration reads, and wired to its trigger by
 * the trigger's kind.
 */
export function addFunctions(
  scope: Stack,
  concerns: Concerns,
  options: FunctionOptions,
): AppFunction[] {
  return declarations().map(([name, declaration]) => {
    const app = new AppFunction(scope, name, declaration, {
      projectRoot: options.projectRoot,
      logDays: options.logDays,
    });
    concerns.alarms.alarmOn(
      `${name}Errors`,
      app.fn.metricErrors({ period: Duration.minutes(5) }),
      `${name} failed`,
    );
    for (const alarm of declaration.logAlarms ?? []) {
      const filter = new MetricFilter(scope, `${name}${alarm.id}Filter`, {
        logGroup: app.logGroup,
        filterPattern: FilterPattern.stringValue('$.message', '=', alarm.message),
        metricNamespace: 'Postroom',
        metricName: alarm.id,
        metricValue: '1',
      });
      concerns.alarms.alarmOn(
        `${name}${alarm.id}`,
        filter.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
        alarm.description,
      );
    }
    concerns.storage.bindTo(app);
    for (const [key, value] of Object.entries(options.settings) as Array<[ConfigKey, string]>)
      app.setEnv(key, value);
    concerns.sending.bindTo(app);
    app.bindPublicSite(concerns.publicSite.distribution);
    const { trigger } = declaration;
    (wirings[trigger.kind] as Wiring<typeof trigger.kind>)(
      { name, app, declaration, trigger },
      concerns,
      scope,
    );
    return app;
  });
}

function declarations() {
  return Object.entries(functions) as Array<[FunctionName, FunctionDeclaration]>;
}

/**
 * The queues of the inbound-mail function `name`, as its declaration and that of the
 * function draining its dead letters set them.
 */
function intakeQueues(receiving: MailReceiving, name: FunctionName): IntakeQueues {
  const { timeoutSeconds, trigger }: FunctionDeclaration = functions[name];
  if (trigger.kind !== 'inbound-mail') throw new Error(`${name} has no inbound-mail trigger`);
  let drainReceiveCount = 5;
  for (const [, { trigger: drain }] of declarations())
    if (drain.kind === 'dead-letters' && drain.of === name)
      drainReceiveCount = drain.maxReceiveCount;
  return receiving.intakeQueues(name, {
    timeoutSeconds,
    maxReceiveCount: trigger.maxReceiveCount,
    drainReceiveCount,
  });
}
