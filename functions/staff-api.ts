import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { staffHandler } from '../shared/staff/dispatch.ts';
import { caseworkOperations } from '../shared/staff/operations.ts';

/** HTTP API (JWT authorizer) -> the casework routes of shared/staff/api.ts: requests, messages, actions, held mail. */
export const handler = staffHandler(
  'casework',
  caseworkOperations,
  wiring.staffApi(readConfig(functions.staffApi.env)),
);
