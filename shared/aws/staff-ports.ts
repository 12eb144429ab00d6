import type { OpenedRequestPorts } from '../correspondence/opened-requests.ts';
import type { ReplyPorts } from '../correspondence/replies.ts';
import type { HeldPorts } from '../intake/held-mail.ts';
import type { UploadIssuePorts } from '../staff/correspondence.ts';
import type { DisposalListPorts } from '../staff/disposals.ts';
import type { HeldListPorts } from '../staff/held.ts';
import type { NotePorts } from '../staff/notes.ts';
import type { RequestPorts } from '../staff/requests.ts';
import type { TemplatePorts } from '../staff/templates.ts';
import { auditChains } from './audit-chains.ts';
import { deleteObject, listKeys, readObject, writeObject } from './documents.ts';
import { intakePorts } from './intake-ports.ts';
import { readLetter } from './letter.ts';
import { presignDownload, requestQueries } from './request-queries.ts';
import { requestStore } from './request-store.ts';
import { templateStore } from './template-store.ts';
import { textLayers } from './text-layers.ts';
import { uploadStore } from './uploads.ts';

/** The staff API's ports, bound to the real table and documents bucket. */
export function staffPorts(
  tableName: string,
  documentsBucket: string,
  timeZone: string,
): RequestPorts & HeldPorts & HeldListPorts & NotePorts & DisposalListPorts {
  const queries = requestQueries(tableName);
  const store = requestStore(tableName, timeZone);
  return {
    ...intakePorts(tableName, documentsBucket, timeZone),
    listHeld: queries.listHeld,
    listDisposals: queries.listDisposals,
    disposalOf: queries.disposalOf,
    readText: async (key) =>
      new TextDecoder().decode(await readObject({ bucket: documentsBucket, key })),
    writeText: (key, body, contentType) =>
      writeObject({ bucket: documentsBucket, key }, body, contentType),
    listKeys: (prefix) => listKeys(documentsBucket, prefix),
    textLayer: textLayers(documentsBucket).textLayer,
    letter: (request) => readLetter(queries, documentsBucket, request),
    getHeld: queries.getHeld,
    discardHeld: store.discardHeld,
    list: queries.list,
    detail: queries.detail,
    getRequest: store.getRequest,
    applyAction: store.applyAction,
    presign: (key, filename) => presignDownload(documentsBucket, key, filename),
    requestChain: (id) => auditChains(tableName).readChain('request', id),
  };
}

/**
 * The casework function's ports: the staff API's, and correspondence's (uploads, reply
 * templates, replies, requests opened by hand), which only it serves.
 */
export function caseworkPorts(
  tableName: string,
  documentsBucket: string,
  timeZone: string,
): ReturnType<typeof staffPorts> &
  OpenedRequestPorts &
  UploadIssuePorts &
  TemplatePorts &
  ReplyPorts {
  const queries = requestQueries(tableName);
  const store = requestStore(tableName, timeZone);
  return {
    ...staffPorts(tableName, documentsBucket, timeZone),
    ...uploadStore(tableName, documentsBucket),
    // Intake's store and more: requests opened by hand are filed here too.
    store,
    ...templateStore(tableName),
    messagesOf: queries.messages,
    readDocument: (key) => readObject({ bucket: documentsBucket, key }),
    async keepDocument(key, body, contentType) {
      const ref = { bucket: documentsBucket, key };
      await writeObject(ref, body, contentType);
      return ref;
    },
    async deleteDocuments(keys) {
      await Promise.all(keys.map((key) => deleteObject({ bucket: documentsBucket, key })));
    },
    recordReply: store.recordReply,
  };
}
