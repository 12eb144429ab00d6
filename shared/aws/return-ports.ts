import { heldStages, type ReturnPorts } from '../publication/returns.ts';
import type { RequestRecord } from '../workflow/records.ts';
import { stageIndex } from './keys.ts';
import { readLetter } from './letter.ts';
import { queryAll } from './query-all.ts';
import { requestQueries } from './request-queries.ts';

/**
 * What the quarterly return reads: the held stages' partitions of the stage index (never a
 * scan of the table), narrowed by the meeting's start, and each meeting's letter as
 * publication reads it, but for its text, which the return never shows.
 */
export function returnPorts(tableName: string, documentsBucket: string): ReturnPorts {
  const queries = requestQueries(tableName);
  const inStage = (stage: string, from: string, to: string) =>
    queryAll<RequestRecord>({
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
    });
  return {
    async heldAround(from, to) {
      const stages = await Promise.all(heldStages.map((stage) => inStage(stage, from, to)));
      return stages.flat();
    },
    letter: (request) => readLetter(queries, documentsBucket, request, { text: false }),
  };
}
