import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertSummaryPorts, BatchedAlert } from '../notify/alert-summary.ts';
import { PUBLIC_CACHE_CONTROL } from '../publication/render.ts';
import type { AuditDigestPorts } from '../sweep/audit-anchor.ts';
import type { SweepPorts } from '../sweep/digest.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { auditChains } from './audit-chains.ts';
import { deleteItems, type TableKey } from './batches.ts';
import { dynamo } from './clients.ts';
import { storedSize, writeObjectIfAbsent } from './documents.ts';
import { keys } from './keys.ts';
import { mailer } from './mailer.ts';
import { requestQueries } from './request-queries.ts';

/** The sweep's ports: stage-index queries, per-day and per-quarter-hour claims, and SES. */
export function sweepPorts(
  tableName: string,
  configurationSet?: string,
): SweepPorts & AlertSummaryPorts {
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
    claimDigest: (day) => claimOnce(tableName, keys.digest(day), 'digest'),
    ...alertSummaryPorts(tableName),
    sendRawMail: mailer(configurationSet).sendRawMail,
  };
}

/** A claim that only the first to ask gets: a day's digest, a quarter-hour's summary. */
async function claimOnce(tableName: string, key: TableKey, type: string): Promise<boolean> {
  try {
    await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...key, type, expiresAt: Math.floor(Date.now() / 1000) + 30 * 86_400 },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** The alerts a flood held back, by quarter-hour, and each quarter-hour's claim. */
function alertSummaryPorts(tableName: string): Omit<AlertSummaryPorts, 'sendRawMail'> {
  const pk = keys.batchedAlert('', '', 0, '').PK;
  const alertsWhere = async (sortKey: string, bound: string): Promise<BatchedAlert[]> => {
    const found: BatchedAlert[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: `PK = :pk AND ${sortKey}`,
          ExpressionAttributeValues: { ':pk': pk, ':bound': bound },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const { PK: _pk, SK: _sk, type: _type, ...alert } of page.Items ?? [])
        found.push(alert as BatchedAlert);
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  };
  return {
    batchedAlerts: (before) => alertsWhere('SK < :bound', before),
    alertsIn: (slot) => alertsWhere('begins_with(SK, :bound)', `${slot}#`),
    claimAlertSummary: (slot) => claimOnce(tableName, keys.alertSummary(slot), 'alert-summary'),
    async releaseAlertSummary(slot) {
      await dynamo.send(new DeleteCommand({ TableName: tableName, Key: keys.alertSummary(slot) }));
    },
    clearBatchedAlerts: (alerts) =>
      deleteItems(
        tableName,
        alerts.map((alert) =>
          keys.batchedAlert(alert.slot, alert.requestId, alert.seq, alert.kind),
        ),
        'clearing summarised alerts',
      ),
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
