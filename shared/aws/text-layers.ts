import {
  type ExtractionPorts,
  type PeopleFound,
  peopleKey,
  type TextLayer,
  textLayerKey,
} from '../attachments/text-layer.ts';
import { readObject, readObjectIfPresent, storedSize, writeObject } from './documents.ts';

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
