import { actOnHeldMail, listHeldMail } from './held.ts';
import type { Operations } from './operations.ts';

/**
 * The operation that serves each route of the held-mail group. Opening a request from
 * held mail, or running intake on it again, reads its raw MIME as intake does, so only
 * this group's function bundles the MIME parser and the HTML sanitiser.
 */
export const heldMailOperations = {
  listHeldMail: ({ query }, { ports }) => listHeldMail(query, ports),
  actOnHeldMail: ({ params, body, actor, now }, { ports, intakeRules }) =>
    actOnHeldMail(params.id, actor, body, ports, intakeRules, now),
} satisfies Operations<'heldMail'>;
