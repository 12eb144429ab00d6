import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One client per service, created once per cold start. Region, credentials and endpoints
 * come from the environment (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>), which is the only
 * difference between AWS, local mode and the tests.
 */
// Marked pure so each bundle keeps only the clients its function uses.
export const dynamo = /* @__PURE__ */ DynamoDBDocumentClient.from(
  /* @__PURE__ */ new DynamoDBClient({}),
  {
    marshallOptions: { removeUndefinedValues: true },
  },
);
export const s3 = /* @__PURE__ */ new S3Client({});
/**
 * Signs the URLs staff upload files to. Its own client because the SDK's default checksum
 * would sign the CRC32 of the empty body it presigns for into the URL, and S3 would then
 * refuse every real file put to it: a checksum only when an operation requires one.
 */
export const uploadSigning = /* @__PURE__ */ new S3Client({
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
// SES emulators never answer unsupported calls, so a hung request must time out;
export const ses = /* @__PURE__ */ new SESClient({
  requestHandler: { requestTimeout: 10_000 },
  // notify retries itself, with backoff, and never after a timeout that may have sent.
  maxAttempts: 1,
});
