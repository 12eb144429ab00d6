import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FailedNotification, MessageRecord, RequestRecord } from '../workflow/records.ts';
import { dynamo } from './clients.ts';
import { keys } from './keys.ts';
import { requestStore } from './request-store.ts';

const isConditionFailure = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException';

/**
 * The (event, recipient) claims that make notifications idempotent, and the per-sender
 * acknowledgement allowance. A claim is taken before sending: a crash between the claim
 * and SES leaves it "sending", and such a notification is reported, never sent twice.
 */
export function notificationStore(tableName: string) {
  const requests = requestStore(tableName);
  return {
    getRequest: requests.getRequest,
    rememberMessageIds: requests.rememberMessageIds,

    async getMessage(
      requestId: string,
      at: string,
      key: string,
    ): Promise<MessageRecord | undefined> {
      const found = await dynamo.send(
        new GetCommand({ TableName: tableName, Key: keys.message(requestId, at, key) }),
      );
      return found.Item as MessageRecord | undefined;
    },

    async claim(
      requestId: string,
      seq: number,
      recipient: string,
      kind: string,
    ): Promise<{ claimed: true } | { claimed: false; state: string }> {
      const key = keys.notification(requestId, seq, recipient);
      try {
        await dynamo.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key,
              type: 'notification',
              requestId,
              seq,
              recipient,
              kind,
              state: 'sending',
              claimedAt: new Date().toISOString(),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = await dynamo.send(
          new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
        );
        return { claimed: false, state: String(existing.Item?.state ?? 'unknown') };
      }
    },

    async settle(
      requestId: string,
      seq: number,
      recipient: string,
      outcome:
        | { state: 'sent'; sesMessageId: string; messageId: string }
        | { state: 'suppressed'; reason: string },
    ): Promise<void> {
      const { state, ...details } = outcome;
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.notification(requestId, seq, recipient),
          UpdateExpression: 'SET #state = :state, settledAt = :at, outcome = :details',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':state': state,
            ':at': new Date().toISOString(),
            ':details': details,
          },
        }),
      );
    },

    /** A failed notification, as its own item so no request write can overwrite it. */
    async recordFailure(requestId: string, failure: FailedNotification): Promise<void> {
      await dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.failedNotification(requestId, failure.seq, failure.recipient),
            type: 'failed-notification',
            ...failure,
          },
        }),
      );
    },

    async recordOutbound(message: MessageRecord): Promise<void> {
      await dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.message(message.requestId, message.at, message.key),
            type: 'message',
            ...message,
          },
        }),
      );
    },

    /** Takes one acknowledgement from the sender's allowance for this hour, if any is left. */
    async takeAcknowledgementAllowance(sender: string, at: Date, limit: number): Promise<boolean> {
      const hour = at.toISOString().slice(0, 13);
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.ackRate(sender, hour),
            UpdateExpression: 'ADD sent :one SET expiresAt = :expires, #type = :type',
            ConditionExpression: 'attribute_not_exists(sent) OR sent < :limit',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: {
              ':one': 1,
              ':limit': limit,
              ':type': 'ack-rate',
              ':expires': Math.floor(at.getTime() / 1000) + 2 * 86_400,
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
}

export type NotificationStore = ReturnType<typeof notificationStore>;
export type { RequestRecord };
