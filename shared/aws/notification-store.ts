import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type BatchedAlert, nextSlot } from '../notify/alert-summary.ts';
import type { ClaimState, NotificationKey, SentOutcome } from '../notify/send-notifications.ts';
import type { AuditEvent } from '../workflow/audit.ts';
import type { FailedNotification, MessageRecord, RequestRecord } from '../workflow/records.ts';
import { dynamo } from './clients.ts';
import { keys } from './keys.ts';
import { messageIdItems, requestStore } from './request-store.ts';

const isConditionFailure = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException';
/** Why each item of a cancelled transaction failed, in order ('None' for those that did not). */
const cancellationCodes = (error: unknown): string[] =>
  (error as Error).name === 'TransactionCanceledException'
    ? ((error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).map(
        (reason) => reason.Code ?? 'None',
      )
    : [];
const isCancelledByCondition = (error: unknown) =>
  (error as Error).name === 'TransactionCanceledException' &&
  ((error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).some(
    (reason) => reason.Code === 'ConditionalCheckFailed',
  );

/**
 * The (event, recipient) claims that make notifications idempotent, and the per-sender
 * acknowledgement allowance. A claim is taken before sending: a crash between the claim
 * and SES leaves it "sending", and such a notification is reported, never sent twice.
 */
export function notificationStore(tableName: string, timeZone: string) {
  const requests = requestStore(tableName, timeZone);
  return {
    getRequest: requests.getRequest,

    async getMessage(
      requestId: string,
      at: string,
      key: string,
    ): Promise<MessageRecord | undefined> {
      const found = await dynamo.send(
        // Consistent: a reply's message is written in the transaction whose event is being told.
        new GetCommand({
          TableName: tableName,
          Key: keys.message(requestId, at, key),
          ConsistentRead: true,
        }),
      );
      return found.Item as MessageRecord | undefined;
    },

    async getEvent(requestId: string, seq: number): Promise<AuditEvent | undefined> {
      const found = await dynamo.send(
        new GetCommand({ TableName: tableName, Key: keys.event(requestId, seq) }),
      );
      if (!found.Item) return undefined;
      const { PK: _pk, SK: _sk, type: _type, ...event } = found.Item;
      return event as AuditEvent;
    },

    async claim(
      key: NotificationKey,
    ): Promise<{ claimed: true } | { claimed: false; state: ClaimState; sent?: SentOutcome }> {
      const itemKey = keys.notification(key.requestId, key.seq, key.kind, key.recipient);
      try {
        await dynamo.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...itemKey,
              type: 'notification',
              ...key,
              state: 'preparing',
              claimedAt: new Date().toISOString(),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = await dynamo.send(
          new GetCommand({ TableName: tableName, Key: itemKey, ConsistentRead: true }),
        );
        const state = (existing.Item?.state ?? 'unknown') as ClaimState;
        // Nothing went out from a claim still preparing: carry on from where it stopped.
        if (state === 'preparing') return { claimed: true };
        const outcome = existing.Item?.outcome as Omit<SentOutcome, 'state'> | undefined;
        return state === 'sent' && outcome?.outbound
          ? { claimed: false, state, sent: { state, ...outcome } }
          : { claimed: false, state };
      }
    },

    /**
     * preparing -> sending, with the mail's own Message-ID pointer in the same write, so
     * a reply threads even if the process stops right after SES takes the mail.
     */
    async markSending(key: NotificationKey, messageIds: readonly string[]): Promise<boolean> {
      try {
        await dynamo.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: keys.notification(key.requestId, key.seq, key.kind, key.recipient),
                  UpdateExpression: 'SET #state = :sending, sendingAt = :at',
                  ConditionExpression: '#state = :preparing',
                  ExpressionAttributeNames: { '#state': 'state' },
                  ExpressionAttributeValues: {
                    ':sending': 'sending',
                    ':preparing': 'preparing',
                    ':at': new Date().toISOString(),
                  },
                },
              },
              ...messageIdItems(tableName, messageIds, key.requestId),
            ],
          }),
        );
        return true;
      } catch (error) {
        if (isCancelledByCondition(error)) return false;
        throw error;
      }
    },

    /** What a sent notification leaves: its timeline entry and SES's id for threading, at once. */
    async recordSent(key: NotificationKey, sent: SentOutcome): Promise<void> {
      await dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.message(sent.outbound.requestId, sent.outbound.at, sent.outbound.key),
                  type: 'message',
                  ...sent.outbound,
                },
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: keys.notification(key.requestId, key.seq, key.kind, key.recipient),
                UpdateExpression: 'SET outcome.recorded = :yes',
                ExpressionAttributeValues: { ':yes': true },
              },
            },
            ...messageIdItems(tableName, [sent.sesMessageId], key.requestId),
          ],
        }),
      );
    },

    async settle(
      key: NotificationKey,
      outcome:
        | SentOutcome
        | { state: 'suppressed' | 'batched' | 'failed' | 'unknown'; reason: string },
    ): Promise<void> {
      const { state, ...details } = outcome;
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.notification(key.requestId, key.seq, key.kind, key.recipient),
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
            ...keys.failedNotification(requestId, failure.seq, failure.kind, failure.recipient),
            type: 'failed-notification',
            ...failure,
          },
        }),
      );
    },

    /**
     * Holds the alert back in its quarter-hour, unless that quarter-hour's summary is
     * already claimed (a notify that ran late): then in the next one, so no alert is held
     * back into a summary that has gone.
     */
    async batchAlert(alert: BatchedAlert): Promise<void> {
      for (let slot = alert.slot, tries = 0; tries < 8; tries += 1) {
        try {
          await dynamo.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  // A retry after a crash may fall in the next quarter-hour: the marker
                  // keeps the alert in one summary only.
                  Put: {
                    TableName: tableName,
                    Item: {
                      ...keys.alertHeldBack(alert.requestId, alert.seq, alert.kind),
                      type: 'alert-held-back',
                      slot,
                    },
                    ConditionExpression: 'attribute_not_exists(PK)',
                  },
                },
                {
                  ConditionCheck: {
                    TableName: tableName,
                    Key: keys.alertSummary(slot),
                    ConditionExpression: 'attribute_not_exists(PK)',
                  },
                },
                {
                  Put: {
                    TableName: tableName,
                    Item: {
                      ...keys.batchedAlert(slot, alert.requestId, alert.seq, alert.kind),
                      type: 'batched-alert',
                      ...alert,
                      slot,
                    },
                  },
                },
              ],
            }),
          );
          return;
        } catch (error) {
          const [marker, summary] = cancellationCodes(error);
          if (marker === 'ConditionalCheckFailed') return; // held back already
          if (summary !== 'ConditionalCheckFailed') throw error;
          slot = nextSlot(slot);
        }
      }
      throw new Error(`no quarter-hour left open for the alert of ${alert.reference}`);
    },

    /** Takes one from an allowance for this hour (a sender's, the office's), if any is left. */
    async takeHourlyAllowance(counter: string, at: Date, limit: number): Promise<boolean> {
      const hour = at.toISOString().slice(0, 13);
      try {
        await dynamo.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.hourlyRate(counter, hour),
            UpdateExpression: 'ADD sent :one SET expiresAt = :expires, #type = :type',
            ConditionExpression: 'attribute_not_exists(sent) OR sent < :limit',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: {
              ':one': 1,
              ':limit': limit,
              ':type': 'hourly-rate',
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
