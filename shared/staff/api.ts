import { openedRequestSchema } from '../correspondence/opened-requests.ts';
import { replyBodySchema } from '../correspondence/replies.ts';
import { uploadRequestSchema } from '../correspondence/uploads.ts';
import { heldActionSchema } from '../intake/held-mail.ts';
import { parseQuarter, QUARTER_YEARS } from '../publication/quarters.ts';
import { reportQuerySchema } from '../reports/period.ts';
import {
  heldMailIdSchema,
  messageKeySchema,
  notificationIdSchema,
  requestIdSchema,
  templateIdSchema,
} from '../workflow/ids.ts';
import { type Action, actionFields, actions, type Role, roles } from '../workflow/transitions.ts';
import * as z from '../zod.ts';
import { noteBodySchema } from './notes.ts';
import { listQuerySchema } from './requests.ts';
import { correspondentQuerySchema, searchQuerySchema } from './search-queries.ts';
import { templateBodySchema } from './templates.ts';
import {
  actionResultView,
  auditTrailView,
  correspondentView,
  disposalPageView,
  healthView,
  heldOutcomeView,
  heldPageView,
  messageContentView,
  noteDiffView,
  noteDraftView,
  noteSavedView,
  noteVersionsView,
  openedRequestView,
  publicationPreviewView,
  redactionReviewView,
  replyView,
  reportView,
  requestDetailView,
  requestPageView,
  searchPageView,
  staffListView,
  templateListView,
  templateView,
  uploadView,
} from './views.ts';

/**
 * The staff API, declared once: every route's method, path, who may call it, the zod
 * schemas of its path parameters, query, body and answer, and a summary. The Lambda
 * handler dispatches from it (shared/staff/operations.ts serves each route, typed against
 * these schemas), the CDK stack creates the HTTP API's routes from it, the local API
 * server routes by it, and the OpenAPI document is generated from it. Adding a route is
 * a change here and one operation.
 */
export interface RouteContract {
  /** Which function serves it (infra/functions.ts): a group's bundle holds only its code. */
  group: RouteGroup;
  method: 'GET' | 'POST' | 'PUT';
  /** API Gateway's form: `/api/requests/{id}`. */
  path: `/api/${string}`;
  /** No token needed (and none checked): uptime checks and the API's own description. */
  public?: true;
  /** Who may call it; the dispatcher refuses anyone else with 403 before any work. */
  roles: readonly Role[];
  summary: string;
  params?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  body?: z.ZodMiniType;
  /**
   * A body that fails its schema is a 400 unless this says 422: for routes whose body is
   * a record to create, each bad field is something the person must put right.
   */
  invalidBody?: 422;
  response: z.ZodMiniType;
  /** The status of success: 200 unless the route creates something (201). */
  status?: 201;
  /**
   * The route may answer with a file of this type (a `Download`) instead of JSON: always,
   * when its response schema is a string, or when the query asks for it.
   */
  downloads?: 'text/csv';
}

/**
 * The staff API is served by one function per group, so that what the note and
 * publication routes need (Markdown, rendering, diffs, detection) and what acting on held
 * mail needs (reading raw MIME again, as intake does: postal-mime, sanitize-html, about
 * 240 KB) and what correspondence needs (composing mail, Markdown, the upload presigner)
 * stay out of the casework function, which every page of the staff UI calls, and each
 * bundle keeps room to grow. Records (returns and reports) read across many requests and
 * their letters, which needs time and memory of its own.
 */
export const routeGroups = ['casework', 'notes', 'heldMail', 'correspondence', 'records'] as const;
export type RouteGroup = (typeof routeGroups)[number];

const staff = roles;
const casework = ['caseworker', 'admin'] as const satisfies readonly Role[];
const id = z.object({ id: requestIdSchema });

/** One action's body: its fields, the action's name and the version the caller last read. */
const actionBody = (action: Action) =>
  z.extend(actionFields[action], {
    action: z.literal(action),
    expectedVersion: z
      .number()
      .check(z.int(), z.describe('the request’s version as you last read it')),
  });
/**
 * Actions not taken here: review_redactions is decided at PUT /redactions, where staff
 * patterns are checked against RE2; publish is postroom's own (the publisher records the
 * page it wrote), which no person can take.
 */
const notHere: readonly Action[] = ['review_redactions', 'publish', 'reply'];
const actionsHere = actions.filter((action) => !notHere.includes(action));
const actionBodies = actionsHere.map(actionBody);

export const staffApi = {
  health: {
    group: 'casework',
    method: 'GET',
    path: '/api/health',
    public: true,
    roles: [],
    summary: 'Answers once the function has loaded its configuration, for uptime checks',
    response: healthView,
  },
  openApi: {
    group: 'casework',
    method: 'GET',
    path: '/api/openapi.json',
    public: true,
    roles: [],
    summary: 'This document',
    response: z.record(z.string(), z.unknown()),
  },
  listRequests: {
    group: 'casework',
    method: 'GET',
    path: '/api/requests',
    roles: staff,
    summary: 'Requests by stage, due date first, from the stage index; paged with nextToken',
    query: listQuerySchema,
    response: requestPageView,
  },
  requestDetail: {
    group: 'casework',
    method: 'GET',
    path: '/api/requests/{id}',
    roles: staff,
    summary:
      'One request with its messages (5-minute download links), audit events, failed notifications and the actions you may take',
    params: id,
    response: requestDetailView,
  },
  openRequest: {
    group: 'correspondence',
    method: 'POST',
    path: '/api/requests',
    roles: staff,
    summary:
      'Opens a request by hand for correspondence that did not come by email (a letter by post, a phone call, a meeting the office arranged), with its text and uploaded scans; 201 with its id and reference',
    body: openedRequestSchema,
    invalidBody: 422,
    response: openedRequestView,
    status: 201,
  },
  sendReply: {
    group: 'correspondence',
    method: 'POST',
    path: '/api/requests/{id}/replies',
    roles: staff,
    summary:
      'Writes to the requester (and others on the request) on the thread: sent through SES from the office’s address with the [REQ-…] token, In-Reply-To and References, kept as an exact .eml, audited; 201 with the stored message, whose status says how sending goes; 422 naming the field that cannot be accepted',
    params: id,
    body: replyBodySchema,
    invalidBody: 422,
    response: replyView,
    status: 201,
  },
  createUpload: {
    group: 'correspondence',
    method: 'POST',
    path: '/api/uploads',
    roles: staff,
    summary:
      'A URL to PUT one file to (15 minutes; exactly the type and size declared), and the id to name it by when opening a request or sending a reply',
    body: uploadRequestSchema,
    invalidBody: 422,
    response: uploadView,
    status: 201,
  },
  auditTrail: {
    group: 'casework',
    method: 'GET',
    path: '/api/requests/{id}/audit',
    roles: staff,
    summary:
      'The request’s audit events, and whether their hash chain holds: every event intact and linked to the one before, ending at the head the request records',
    params: id,
    response: auditTrailView,
  },
  messageContent: {
    group: 'casework',
    method: 'GET',
    path: '/api/requests/{id}/messages/{key}',
    roles: staff,
    summary: 'What a received message says: its text, and its sanitised HTML where it had HTML',
    params: z.extend(id, { key: messageKeySchema }),
    response: messageContentView,
  },
  act: {
    group: 'casework',
    method: 'POST',
    path: '/api/requests/{id}/actions',
    roles: staff,
    summary:
      'Performs a workflow action, at the version you last read (409 if it moved on); the transition table says who may',
    params: id,
    body: z.discriminatedUnion(
      'action',
      [actionBodies[0] as never, ...(actionBodies.slice(1) as never[])],
      {
        error: (issue) =>
          issue.code === 'invalid_union'
            ? `unknown action; must be one of: ${actionsHere.join(', ')} (review_redactions: PUT /api/requests/{id}/redactions; publish is done by postroom once the pages are out)`
            : undefined,
      },
    ),
    response: actionResultView,
  },
  listStaff: {
    group: 'casework',
    method: 'GET',
    path: '/api/staff',
    roles: staff,
    summary:
      'The staff a request may be assigned to: the user pool’s role groups on AWS, the seeded users locally',
    response: staffListView,
  },
  resendNotification: {
    group: 'casework',
    method: 'POST',
    path: '/api/requests/{id}/notifications/{notification}/resend',
    roles: staff,
    summary: 'Sends a failed notification (or one that may not have arrived) again, once; audited',
    params: z.extend(id, { notification: notificationIdSchema }),
    response: actionResultView,
  },
  getNote: {
    group: 'notes',
    method: 'GET',
    path: '/api/requests/{id}/note',
    roles: staff,
    summary:
      'The current draft of the meeting note with its own version (0 before the first save, prefilled)',
    params: id,
    response: noteDraftView,
  },
  saveNote: {
    group: 'notes',
    method: 'PUT',
    path: '/api/requests/{id}/note',
    roles: casework,
    summary:
      'Saves the next version of the note (409 when stale); the first save moves held to drafting',
    params: id,
    body: noteBodySchema,
    response: noteSavedView,
  },
  noteVersions: {
    group: 'notes',
    method: 'GET',
    path: '/api/requests/{id}/note/versions',
    roles: staff,
    summary: 'Every saved version of the note, with who saved it and when',
    params: id,
    response: noteVersionsView,
  },
  noteDiff: {
    group: 'notes',
    method: 'GET',
    path: '/api/requests/{id}/note/diff',
    roles: staff,
    summary: 'A unified diff between two versions of the note',
    params: id,
    query: z.object({
      from: z.coerce.number().check(z.int(), z.gte(1), z.describe('a version number')),
      to: z.coerce.number().check(z.int(), z.gte(1), z.describe('a version number')),
    }),
    response: noteDiffView,
  },
  redactionReview: {
    group: 'notes',
    method: 'GET',
    path: '/api/requests/{id}/redactions',
    roles: staff,
    summary: 'What the detectors found in the note and the letter, and whether each will be hidden',
    params: id,
    response: redactionReviewView,
  },
  reviewRedactions: {
    group: 'notes',
    method: 'PUT',
    path: '/api/requests/{id}/redactions',
    roles: staff,
    summary:
      'Records the redaction decisions (reinstatements with reasons, marked text, patterns, cleared attachments)',
    params: id,
    body: z.extend(actionFields.review_redactions, {
      expectedVersion: z.number().check(z.int()),
    }),
    response: actionResultView,
  },
  publicationPreview: {
    group: 'notes',
    method: 'GET',
    path: '/api/requests/{id}/publication-preview',
    roles: staff,
    summary: 'Exactly the pages publication would write now, redactions applied',
    params: id,
    response: publicationPreviewView,
  },
  listHeldMail: {
    group: 'heldMail',
    method: 'GET',
    path: '/api/held-mail',
    roles: staff,
    summary: 'Mail that could not become or join a request, newest first',
    query: z.object({
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
      nextToken: z.optional(z.string().check(z.maxLength(2000))),
    }),
    response: heldPageView,
  },
  actOnHeldMail: {
    group: 'heldMail',
    method: 'POST',
    path: '/api/held-mail/{id}/actions',
    roles: casework,
    summary:
      'Attaches held mail to a request, opens a new request from it, discards it with a reason, or (for mail intake could not file) runs intake on it again',
    params: z.object({ id: heldMailIdSchema }),
    body: heldActionSchema,
    response: heldOutcomeView,
  },
  listDisposals: {
    group: 'casework',
    method: 'GET',
    path: '/api/disposals',
    roles: staff,
    summary:
      'What the retention policy disposed of, newest first: for each request, the kinds and counts of copies deleted, what was kept, when and under which rule',
    query: z.object({
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
      nextToken: z.optional(z.string().check(z.maxLength(2000))),
    }),
    response: disposalPageView,
  },
  report: {
    group: 'records',
    method: 'GET',
    path: '/api/reports',
    roles: staff,
    summary:
      'The management report for a period (from and to, office dates, at most a year): requests received by week and channel, by stage now, working days in each stage, replies and notes on time, open and overdue load by assignee, and the top organisations; from the audit trail, through the catalogue. format=csv answers with every table in one CSV file',
    query: reportQuerySchema,
    downloads: 'text/csv',
    response: reportView,
  },
  listTemplates: {
    group: 'correspondence',
    method: 'GET',
    path: '/api/templates',
    roles: staff,
    summary: 'The saved reply templates staff start a reply from, by name',
    response: templateListView,
  },
  returnCsv: {
    group: 'records',
    method: 'GET',
    path: '/api/returns/{quarter}',
    roles: staff,
    summary:
      'The quarterly return of external meetings as CSV: every meeting held in the quarter, one row per organisation, with private individuals redacted as on the published notes (named only for an admin)',
    params: z.object({
      quarter: z.string().check(
        z.regex(
          /^\d{4}-Q[1-4]\.csv$/,
          'must be a year and a quarter followed by .csv, such as 2026-Q3.csv (Q1 is January to March)',
        ),
        z.refine(
          (name) => parseQuarter(name.replace(/\.csv$/, '')) !== undefined,
          `must be of a year from ${QUARTER_YEARS.first} to ${QUARTER_YEARS.last}, such as 2026-Q3.csv`,
        ),
      ),
    }),
    downloads: 'text/csv',
    response: z.string(),
  },
  saveTemplate: {
    group: 'correspondence',
    method: 'PUT',
    path: '/api/templates/{id}',
    roles: ['admin'],
    summary:
      'Saves a reply template under an id of your choosing, new or not, one version on; 422 naming the field that is empty, too long or holds an unknown placeholder',
    params: z.object({ id: templateIdSchema }),
    body: templateBodySchema,
    response: templateView,
  },
  search: {
    group: 'records',
    method: 'GET',
    path: '/api/search',
    roles: staff,
    summary:
      'Searches every request staff may see, in all stages: reference, subject, sender, organisation, the letters, their attachments’ text and the note; ranked (an exact reference first), each with the passage that matched; paged with nextToken',
    query: searchQuerySchema,
    response: searchPageView,
  },
  correspondent: {
    group: 'records',
    method: 'GET',
    path: '/api/correspondents',
    roles: staff,
    summary:
      'Every request and meeting of one sender (?sender=, an address or a name) or one organisation (?organisation=), newest first',
    query: correspondentQuerySchema,
    response: correspondentView,
  },
} as const satisfies Record<string, RouteContract>;

export type StaffApi = typeof staffApi;
export type RouteName = keyof StaffApi;

/** `GET /api/requests/{id}`: how API Gateway names a route, and how the dispatcher finds it. */
export const routeKey = (route: Pick<RouteContract, 'method' | 'path'>) =>
  `${route.method} ${route.path}`;

/** The routes as the HTTP API and the local server need them. */
export const httpRoutes = Object.values(staffApi as Record<string, RouteContract>).map(
  ({ group, method, path, public: open }) => ({ group, method, path, public: open === true }),
);

/** The names of the routes one group's function serves. */
export type RoutesOf<G extends RouteGroup> = {
  [K in RouteName]: StaffApi[K]['group'] extends G ? K : never;
}[RouteName];
