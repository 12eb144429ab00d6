import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { correspondenceOperations } from '../shared/staff/correspondence-operations.ts';
import { staffHandler } from '../shared/staff/dispatch.ts';

/** HTTP API (JWT authorizer) -> the correspondence routes of shared/staff/api.ts: replies, uploads, templates, requests opened by hand. */
export const handler = staffHandler(
  'correspondence',
  correspondenceOperations,
  wiring.staffCorrespondence(readConfig(functions.staffCorrespondence.env)),
);
