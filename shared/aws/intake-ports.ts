import type { IntakePorts } from '../intake/receive-mail.ts';
import { readObjectWithin, writeObject } from './documents.ts';
import { requestStore } from './request-store.ts';

/** Intake's ports, bound to the real table and buckets. */
export function intakePorts(
  tableName: string,
  documentsBucket: string,
  timeZone: string,
): IntakePorts {
  return {
    readRaw: readObjectWithin,
    writeDocument: (key, body, contentType, metadata) =>
      writeObject({ bucket: documentsBucket, key }, body, contentType, { metadata }),
    store: requestStore(tableName, timeZone),
  };
}
