import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { staffHandler } from '../shared/staff/dispatch.ts';
import { recordsOperations } from '../shared/staff/records-operations.ts';

/** HTTP API (JWT authorizer) -> the records routes of shared/staff/api.ts: the quarterly return, the management report, search across all requests and correspondents. */
export const handler = staffHandler(
  'records',
  recordsOperations,
  wiring.staffRecords(readConfig(functions.staffRecords.env)),
);
