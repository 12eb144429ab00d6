import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  type ExtractionPorts,
  type PeopleFound,
  peopleKey,
  type TextLayer,
  textLayerKey,
} from '../attachments/text-layer.ts';
import { dynamo } from './clients.ts';
import { readObject, readObjectIfPresent, storedSize, writeObject } from './documents.ts';
import { keys } from './keys.ts';

/** Attachments' text layers, and the people each message names, beside them in the documents bucket. */
export function textLayers(documentsBucket: string) {
  const at = (attachmentKey: string) => ({
    bucket: documentsBucket,
    key: textLayerKey(attachmentKey),
  });
  const json = 'application/json; charset=utf-8';
  const readJson = async <T>(key: string): Promise<T | undefined> => {
    const bytes = await readObjectIfPresent({ bucket: documentsBucket, key });
    return bytes && (JSON.parse(new TextDecoder().decode(bytes)) as T);
  };
  const exists = async (key: string) =>
    (await storedSize({ bucket: documentsBucket, key })) !== undefined;
  /** An attachment's text layer, or undefined while it has not been extracted yet. */
  const textLayer = (attachmentKey: string) => readJson<TextLayer>(textLayerKey(attachmentKey));
  return {
    /** The extraction function's side: read attachments, write their layers. */
    extraction: {
      readAttachment: (key) => readObject({ bucket: documentsBucket, key }),
      readBody: async (key) =>
        new TextDecoder().decode(await readObject({ bucket: documentsBucket, key })),
      hasTextLayer: (attachmentKey) => exists(textLayerKey(attachmentKey)),
      readTextLayer: textLayer,
      writeTextLayer: (attachmentKey, layer) =>
        writeObject(at(attachmentKey), JSON.stringify(layer), json),
      hasPeople: (prefix) => exists(peopleKey(prefix)),
      writePeople: (prefix, people) =>
        writeObject(
          { bucket: documentsBucket, key: peopleKey(prefix) },
          JSON.stringify(people),
          json,
        ),
    } satisfies Omit<ExtractionPorts, 'readPdf' | 'findPeople'>,
    textLayer,
    /** The people a message names, as NLP found them; undefined until it has read them. */
    peopleFound: (messagePrefix: string) => readJson<PeopleFound>(peopleKey(messagePrefix)),
  };
}

/**
 * Records that a received message's attachments have had their text read: an item on the
 * request's partition, which the catalogue follows on the stream to index that text.
 * Written once, and only beside a request that still exists: a repeated delivery, or one
 * arriving after the request was disposed of, writes nothing (so leaves no stray item).
 */
export function textReadRecorder(table: string) {
  return async function recordTextRead(requestId: string, messageKey: string, now: Date) {
    try {
      await dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: table,
                Key: keys.request(requestId),
                ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(disposing)',
              },
            },
            {
              Put: {
                TableName: table,
                Item: {
                  ...keys.textRead(requestId, messageKey),
                  type: 'textRead',
                  requestId,
                  messageKey,
                  at: now.toISOString(),
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      // Only a condition failing (there already, or the request gone) is no fault; a
      // conflict with another write is thrown, and the stream retries the message.
      const reasons =
        (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
      const conditionsOnly = reasons.every(
        (reason) =>
          !reason.Code || reason.Code === 'None' || reason.Code === 'ConditionalCheckFailed',
      );
      if ((error as Error).name !== 'TransactionCanceledException' || !conditionsOnly) throw error;
    }
  };
}
