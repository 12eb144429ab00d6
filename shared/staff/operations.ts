import type { OpenedRequestPorts } from '../correspondence/opened-requests.ts';
import type { Office, ReplyPorts } from '../correspondence/replies.ts';
import type { HeldPorts } from '../intake/held-mail.ts';
import type { IntakeRules } from '../intake/receive-mail.ts';
import type { Site } from '../publication/render.ts';
import type { ReturnPorts } from '../publication/returns.ts';
import type { ReportRules } from '../reports/report.ts';
import type { Actor, ActRules } from '../workflow/act.ts';
import type * as z from '../zod.ts';
import type { RouteContract, RouteGroup, RoutesOf, StaffApi } from './api.ts';
import type { UploadIssuePorts } from './correspondence.ts';
import { type DirectoryPorts, listStaff } from './directory.ts';
import { type DisposalListPorts, listDisposals } from './disposals.ts';
import type { HeldListPorts } from './held.ts';
import type { Download } from './http.ts';
import { keepNoteVersions, type NotePorts } from './notes.ts';
import { openApiDocument } from './openapi.ts';
import type { ReportPorts } from './reports.ts';
import {
  actOnRequest,
  auditTrail,
  listRequests,
  messageContent,
  requestDetail,
  resendNotification,
} from './requests.ts';
import type { SearchPorts } from './search.ts';
import type { TemplatePorts } from './templates.ts';

/** What every staff function's operations need, built once per cold start by the handler. */
export interface StaffContext {
  ports: NotePorts & HeldPorts & HeldListPorts & DisposalListPorts;
  rules: ActRules;
  intakeRules: IntakeRules;
  site: Site;
}

/** The casework function's context: the staff directory too, for assigning. */
export interface CaseworkContext extends StaffContext {
  /** Who a request may be assigned to. */
  directory: DirectoryPorts;
}

/**
 * The correspondence function's context: uploads, templates, replies and requests opened
 * by hand. Only it builds them, so no other bundle carries the presigner or Markdown for
 * mail.
 */
export interface CorrespondenceContext extends StaffContext {
  ports: StaffContext['ports'] & OpenedRequestPorts & UploadIssuePorts & TemplatePorts & ReplyPorts;
  /** Whom replies come from: the office's name and address, on its clock. */
  office: Office;
}

/**
 * The records function's context: what reads across many requests (the quarterly return,
 * the management report and search, from the catalogue) and the settings that shape them.
 */
export interface RecordsContext extends StaffContext {
  ports: StaffContext['ports'] & SearchPorts;
  /** The meetings held around a quarter, and their letters, for the return. */
  returns: ReturnPorts;
  /** OFFICE_HOLDER: the return's first column, unless a meeting names someone else. */
  officeHolder: string;
  /** The catalogue's report facts, as a warm function keeps them. */
  reports: ReportPorts;
  /** The office's clock and bank holidays, for dates and working days. */
  reportRules: ReportRules;
}

/** The context of the function serving a group. */
export type ContextOf<G extends RouteGroup> = G extends 'casework'
  ? CaseworkContext
  : G extends 'correspondence'
    ? CorrespondenceContext
    : G extends 'records'
      ? RecordsContext
      : StaffContext;

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
  context: ContextOf<R['group']>,
) => Promise<z.input<R['response']> | (R['downloads'] extends string ? Download : never)>;

/** The operations one group's function serves, each typed against its route's schemas. */
export type Operations<G extends RouteGroup> = { [K in RoutesOf<G>]: Operation<StaffApi[K]> };

/**
 * The operation that serves each casework route, typed against the route's schemas: a
 * route with no operation, or an operation whose answer does not fit its response schema,
 * does not compile. The notes group's are in note-operations.ts, the correspondence group's
 * in correspondence-operations.ts, the held-mail group's in
 * held-operations.ts.
 */
export const caseworkOperations = {
  health: async () => ({ status: 'ok' as const }),
  openApi: async () => openApiDocument(),
  listRequests: ({ query, now }, { ports, rules }) =>
    listRequests(query, ports, now, rules.timeZone),
  requestDetail: ({ params, actor }, { ports, rules }) =>
    requestDetail(params.id, actor, ports, rules),
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
} satisfies Operations<'casework'>;
