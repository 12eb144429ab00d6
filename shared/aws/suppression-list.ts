import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Suppression } from '../sending/feedback.ts';
import { dynamo } from './clients.ts';
import { keys } from './keys.ts';

/**
 * Addresses SES reported as permanently bouncing or complaining. The first report is
 * kept: a repeated delivery of the same SNS message, or a later bounce from the same
 * address, changes nothing.
 */
export function suppressionList(tableName: string) {
  return {
    async suppress(suppression: Suppression): Promise<'suppressed' | 'already-suppressed'> {
      try {
        await dynamo.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.suppressed(suppression.address), type: 'suppression', ...suppression },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
        return 'suppressed';
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException')
          return 'already-suppressed';
        throw error;
      }
    },

    async suppressionOf(address: string): Promise<Suppression | undefined> {
      const found = await dynamo.send(
        new GetCommand({ TableName: tableName, Key: keys.suppressed(address) }),
      );
      if (!found.Item) return undefined;
      const { address: kept, reason, detail, at, feedbackId } = found.Item as Suppression;
      return { address: kept, reason, detail, at, feedbackId };
    },
  };
}
