import { createUpload, openRequest, reply } from './correspondence.ts';
import type { Operations } from './operations.ts';
import { listTemplates, saveTemplate } from './templates.ts';

/**
 * The correspondence group's operations: writing to requesters, uploads, reply templates
 * and requests opened by hand.
 */
export const correspondenceOperations = {
  // Opened as intake opens a letter's: the same reply deadline and reference counter.
  openRequest: ({ body, actor, now }, { ports, intakeRules }) =>
    openRequest(body, actor, ports, intakeRules, now),
  createUpload: ({ body, actor, now }, { ports }) => createUpload(body, actor, ports, now),
  sendReply: ({ params, body, actor, now }, { ports, rules, office }) =>
    reply(params.id, body, actor, ports, rules, office, now),
  listTemplates: (_input, { ports }) => listTemplates(ports),
  saveTemplate: ({ params, body, actor, now }, { ports }) =>
    saveTemplate(params.id, actor, body, ports, now),
} satisfies Operations<'correspondence'>;
