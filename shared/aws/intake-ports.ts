import type { IntakePorts } from '../intake/receive-mail.ts';
import { readObjectStart, readObjectWithin, writeObject } from './documents.ts';
import { requestStore } from './request-store.ts';

/** Intake's ports, bound to the real table and buckets. */
export function intakePorts(
  tableName: string,
  documentsBucket: string,
  timeZone: string,
): IntakePorts {
  return {
    readRaw: readObjectWithin,
    readStart: readObjectStart,
    writeDocument: (key, body, contentType, metadata) =>
      writeObject({ bucket: documentsBucket, key }, body, contentType, { metadata }),
    store: requestStore(tableName, timeZone),
  };
}

/** What holding dead-lettered mail needs: the raw message's start, and the table. */
export function deadLetterPorts(tableName: string, timeZone: string) {
  return { readStart: readObjectStart, store: requestStore(tableName, timeZone) };
}
