import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { staffHandler } from '../shared/staff/dispatch.ts';
import { noteOperations } from '../shared/staff/note-operations.ts';

/** HTTP API (JWT authorizer) -> the notes routes of shared/staff/api.ts: notes, redactions, the preview. */
export const handler = staffHandler(
  'notes',
  noteOperations,
  wiring.staffNotes(readConfig(functions.staffNotes.env)),
);
