import type { RequestPorts } from '../staff/requests.ts';
import { presignDownload, requestQueries } from './request-queries.ts';
import { requestStore } from './request-store.ts';

/** The staff API's ports, bound to the real table and documents bucket. */
export function staffPorts(tableName: string, documentsBucket: string): RequestPorts {
  const queries = requestQueries(tableName);
  const store = requestStore(tableName);
  return {
    list: queries.list,
    detail: queries.detail,
    getRequest: store.getRequest,
    applyAction: store.applyAction,
    presign: (key, filename) => presignDownload(documentsBucket, key, filename),
  };
}
