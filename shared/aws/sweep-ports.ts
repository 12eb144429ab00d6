import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { PUBLIC_CACHE_CONTROL } from '../publication/render.ts';
import type { AuditDigestPorts } from '../sweep/audit-anchor.ts';
import type { SweepPorts } from '../sweep/digest.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { auditChains } from './audit-chains.ts';
import { dynamo } from './clients.ts';
import { storedSize, writeObjectIfAbsent } from './documents.ts';
import { mailer } from './mailer.ts';
import { requestQueries } from './request-queries.ts';

/** The sweep's ports: stage-index queries, a per-day claim, and SES. */
export function sweepPorts(tableName: string, configurationSet?: string): SweepPorts {
  const queries = requestQueries(tableName);
  const all = async (filter: Parameters<typeof queries.list>[0]): Promise<RequestRecord[]> => {
    const found: RequestRecord[] = [];
    let nextToken: string | undefined;
    do {
      const page = await queries.list({ ...filter, nextToken });
      found.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return found;
  };
  return {
    dueBefore: (stages, before) => all({ stages, dueBefore: before, limit: 100 }),
    scheduled: () => all({ stages: ['scheduled'], limit: 100 }),
    approved: () => all({ stages: ['approved'], limit: 100 }),
    async claimDigest(day) {
      try {
        await dynamo.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              PK: `DIGEST#${day}`,
              SK: 'DIGEST',
              type: 'digest',
              expiresAt: Math.floor(Date.now() / 1000) + 30 * 86_400,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
    sendRawMail: mailer(configurationSet).sendRawMail,
  };
}

/** Publishing the audit digest: every chain's head from the table, once a day to the public site. */
export function auditDigestPorts(tableName: string, publicBucket: string): AuditDigestPorts {
  return {
    chainHeads: () => auditChains(tableName).chainHeads(),
    isPublished: async (key) => (await storedSize({ bucket: publicBucket, key })) !== undefined,
    // The same short cache lifetime as every public object: a digest appears within minutes.
    publishOnce: (key, body, contentType) =>
      writeObjectIfAbsent({ bucket: publicBucket, key }, body, contentType, {
        cacheControl: PUBLIC_CACHE_CONTROL,
      }),
  };
}
