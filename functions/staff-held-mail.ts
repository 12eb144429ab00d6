import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { staffHandler } from '../shared/staff/dispatch.ts';
import { heldMailOperations } from '../shared/staff/held-operations.ts';

/** HTTP API (JWT authorizer) -> the held-mail routes of shared/staff/api.ts: the list, and attaching, opening, discarding or retrying. */
export const handler = staffHandler(
  'heldMail',
  heldMailOperations,
  wiring.staffHeldMail(readConfig(functions.staffHeldMail.env)),
);
