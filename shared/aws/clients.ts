import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One client per service, created once per cold start. Region, credentials and endpoints
 * come from the environment (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>), which is the only
 * difference between AWS, local mode and the tests.
 */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const streams = new DynamoDBStreamsClient({});
export const s3 = new S3Client({});
// SES emulators never answer unsupported calls, so a hung request must time out.
export const ses = new SESClient({ requestHandler: { requestTimeout: 10_000 } });
