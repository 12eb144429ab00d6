import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
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
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
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
    bucket(buckets.public);

    for (const [name, declaration] of Object.entries(functions) as Array<
      [string, FunctionDeclaration]
    >) {
      const app = new AppFunction(this, name, declaration, props.projectRoot);
      app.bindTable(table);
      app.bindBucket(inbound, 'INBOUND_BUCKET', 'read');
      app.bindBucket(documents, 'DOCUMENTS_BUCKET', 'readWrite');
      app.setEnv('OFFICE_NAME', props.officeName);
      app.setEnv('OFFICE_ADDRESS', props.officeAddress);
      app.setEnv('STAFF_ALERT_ADDRESS', props.staffAlertAddress);

      const trigger = declaration.trigger;
      if (trigger.kind === 'inbound-mail') {
        inbound.grantRead(app.fn);
        const deadLetters = new Queue(this, `${name}DeadLetters`, {
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        });
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
      } else {
        const failures = new Queue(this, `${name}StreamFailures`, {
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        });
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
