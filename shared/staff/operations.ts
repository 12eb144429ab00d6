import type * as z from 'zod';
import type { HeldPorts } from '../intake/held-mail.ts';
import type { IntakeRules } from '../intake/receive-mail.ts';
import type { Site } from '../publication/render.ts';
import type { Actor, ActRules } from '../workflow/act.ts';
import type { RouteContract, RouteName, StaffApi } from './api.ts';
import { actOnHeldMail, type HeldListPorts, listHeldMail } from './held.ts';
import {
  getNote,
  keepNoteVersions,
  type NotePorts,
  noteDiff,
  noteVersions,
  saveNote,
} from './notes.ts';
import { openApiDocument } from './openapi.ts';
import { publicationPreview, redactionReview } from './publication.ts';
import {
  actOnRequest,
  listRequests,
  messageContent,
  requestDetail,
  resendNotification,
} from './requests.ts';

/** Everything the staff operations need, built once per cold start by the handler. */
export interface StaffContext {
  ports: NotePorts & HeldPorts & HeldListPorts;
  rules: ActRules;
  intakeRules: IntakeRules;
  site: Site;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** What an operation receives: its route's inputs, parsed by the route's own schemas. */
export interface OperationInput<R extends RouteContract> {
  params: Parsed<R['params']>;
  query: Parsed<R['query']>;
  body: Parsed<R['body']>;
  /** Who is calling; for public routes, nobody (no roles). */
  actor: Actor;
  now: Date;
}

export type Operation<R extends RouteContract> = (
  input: OperationInput<R>,
  context: StaffContext,
) => Promise<z.input<R['response']>>;

/**
 * The operation that serves each declared route, typed against the route's schemas:
 * a route with no operation, or an operation whose answer does not fit its response
 * schema, does not compile.
 */
export const staffOperations = {
  health: async () => ({ status: 'ok' as const }),
  openApi: async () => openApiDocument(),
  listRequests: ({ query, now }, { ports, rules }) =>
    listRequests(query, ports, now, rules.timeZone),
  requestDetail: ({ params, actor }, { ports, rules }) =>
    requestDetail(params.id, actor, ports, rules.timeZone),
  messageContent: ({ params }, { ports }) => messageContent(params.id, params.key, ports),
  // save_draft may come this way too; its version copy is kept as PUT /note keeps it.
  act: ({ params, body, actor, now }, { ports, rules }) =>
    actOnRequest(params.id, actor, body, ports, rules, now, keepNoteVersions(ports)),
  resendNotification: ({ params, actor, now }, { ports, rules }) =>
    resendNotification(params.id, params.notification, actor, ports, rules, now),
  getNote: ({ params }, { ports, rules }) => getNote(params.id, ports, rules.timeZone),
  saveNote: ({ params, body, actor, now }, { ports, rules }) =>
    saveNote(params.id, actor, body, ports, rules, now),
  noteVersions: async ({ params }, { ports }) => ({
    versions: await noteVersions(params.id, ports),
  }),
  noteDiff: ({ params, query }, { ports }) => noteDiff(params.id, query, ports),
  redactionReview: ({ params }, { ports }) => redactionReview(params.id, ports),
  reviewRedactions: ({ params, body, actor, now }, { ports, rules }) =>
    actOnRequest(params.id, actor, { ...body, action: 'review_redactions' }, ports, rules, now),
  publicationPreview: ({ params, now }, { ports, site }) =>
    publicationPreview(params.id, ports, site, now),
  listHeldMail: ({ query }, { ports }) => listHeldMail(query, ports),
  actOnHeldMail: ({ params, body, actor, now }, { ports, intakeRules }) =>
    actOnHeldMail(params.id, actor, body, ports, intakeRules, now),
} satisfies { [K in RouteName]: Operation<StaffApi[K]> };
