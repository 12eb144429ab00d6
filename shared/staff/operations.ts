import type { OpenedRequestPorts } from '../correspondence/opened-requests.ts';
import type { Office, ReplyPorts } from '../correspondence/replies.ts';
import type { HeldPorts } from '../intake/held-mail.ts';
import type { IntakeRules } from '../intake/receive-mail.ts';
import type { Site } from '../publication/render.ts';
import type { Actor, ActRules } from '../workflow/act.ts';
import type * as z from '../zod.ts';
import type { RouteContract, RouteGroup, RoutesOf, StaffApi } from './api.ts';
import { createUpload, openRequest, reply, type UploadIssuePorts } from './correspondence.ts';
import { type DirectoryPorts, listStaff } from './directory.ts';
import { type DisposalListPorts, listDisposals } from './disposals.ts';
import type { HeldListPorts } from './held.ts';
import { keepNoteVersions, type NotePorts } from './notes.ts';
import { openApiDocument } from './openapi.ts';
import {
  actOnRequest,
  auditTrail,
  listRequests,
  messageContent,
  requestDetail,
  resendNotification,
} from './requests.ts';
import { listTemplates, saveTemplate, type TemplatePorts } from './templates.ts';

/** Everything the staff operations need, built once per cold start by the handler. */
export interface StaffContext {
  ports: NotePorts &
    HeldPorts &
    HeldListPorts &
    DisposalListPorts &
    OpenedRequestPorts &
    UploadIssuePorts &
    TemplatePorts &
    ReplyPorts;
  rules: ActRules;
  intakeRules: IntakeRules;
  site: Site;
  /** Who a request may be assigned to. */
  directory: DirectoryPorts;
  /** Whom replies come from: the office's name and address, on its clock. */
  office: Office;
}

type Parsed<S> = S extends z.ZodMiniType ? z.output<S> : Record<string, never>;

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

/** The operations one group's function serves, each typed against its route's schemas. */
export type Operations<G extends RouteGroup> = { [K in RoutesOf<G>]: Operation<StaffApi[K]> };

/**
 * The operation that serves each casework route, typed against the route's schemas: a
 * route with no operation, or an operation whose answer does not fit its response schema,
 * does not compile. The notes group's are in note-operations.ts, the held-mail group's in
 * held-operations.ts.
 */
export const caseworkOperations = {
  health: async () => ({ status: 'ok' as const }),
  openApi: async () => openApiDocument(),
  listRequests: ({ query, now }, { ports, rules }) =>
    listRequests(query, ports, now, rules.timeZone),
  requestDetail: ({ params, actor }, { ports, rules }) =>
    requestDetail(params.id, actor, ports, rules),
  // Opened as intake opens a letter's: the same reply deadline and reference counter.
  openRequest: ({ body, actor, now }, { ports, intakeRules }) =>
    openRequest(body, actor, ports, intakeRules, now),
  createUpload: ({ body, actor, now }, { ports }) => createUpload(body, actor, ports, now),
  sendReply: ({ params, body, actor, now }, { ports, rules, office }) =>
    reply(params.id, body, actor, ports, rules, office, now),
  auditTrail: ({ params }, { ports }) => auditTrail(params.id, ports),
  messageContent: ({ params }, { ports }) => messageContent(params.id, params.key, ports),
  // save_draft may come this way too; its version copy is kept as PUT /note keeps it.
  act: ({ params, body, actor, now }, { ports, rules, directory }) =>
    actOnRequest(
      params.id,
      actor,
      body,
      { ...ports, ...directory },
      rules,
      now,
      keepNoteVersions(ports),
    ),
  listStaff: (_input, { directory }) => listStaff(directory),
  resendNotification: ({ params, actor, now }, { ports, rules }) =>
    resendNotification(params.id, params.notification, actor, ports, rules, now),
  listDisposals: ({ query }, { ports }) => listDisposals(query, ports),
  listTemplates: (_input, { ports }) => listTemplates(ports),
  saveTemplate: ({ params, body, actor, now }, { ports }) =>
    saveTemplate(params.id, actor, body, ports, now),
} satisfies Operations<'casework'>;
