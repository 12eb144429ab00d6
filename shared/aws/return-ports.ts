import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { heldStages, type ReturnPorts } from '../publication/returns.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { dynamo } from './clients.ts';
import { stageIndex } from './keys.ts';
import { readLetter } from './letter.ts';
import { requestQueries } from './request-queries.ts';

/**
 * What the quarterly return reads: the held stages' partitions of the stage index (never a
 * scan of the table), narrowed by the meeting's start, and each meeting's letter as
 * publication reads it, but for its text, which the return never shows.
 */
export function returnPorts(tableName: string, documentsBucket: string): ReturnPorts {
  const queries = requestQueries(tableName);
  const inStage = async (stage: string, from: string, to: string) => {
    const found: RequestRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: stageIndex.name,
          KeyConditionExpression: 'GSI1PK = :stage',
          // Either start may be the one that counts (the note's, else the scheduled one):
          // both are let through, and the return keeps exactly the quarter's.
          FilterExpression:
            '#meeting.#start BETWEEN :from AND :to OR #draft.#meeting.#start BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#meeting': 'meeting', '#draft': 'draft', '#start': 'start' },
          ExpressionAttributeValues: {
            ':stage': stageIndex.request(stage, '', '').GSI1PK,
            ':from': from,
            // Past every time of the last day: ISO times go on after the date with "T".
            ':to': `${to}~`,
          },
          ExclusiveStartKey: start,
        }),
      );
      found.push(...((page.Items ?? []) as RequestRecord[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  };
  return {
    async heldAround(from, to) {
      const stages = await Promise.all(heldStages.map((stage) => inStage(stage, from, to)));
      return stages.flat();
    },
    letter: (request) => readLetter(queries, documentsBucket, request, { text: false }),
  };
}
