import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { functions } from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { actOnHeldMail, listHeldMail } from '../shared/staff/held.ts';
import { apiErrors, json, jsonBody, pathParameter } from '../shared/staff/http.ts';
import { actorFromClaims } from '../shared/staff/identity.ts';
import {
  getNote,
  keepNoteVersions,
  noteDiff,
  noteVersions,
  saveNote,
} from '../shared/staff/notes.ts';
import { openApiDocument } from '../shared/staff/openapi.ts';
import { publicationPreview, redactionReview } from '../shared/staff/publication.ts';
import {
  actOnRequest,
  listRequests,
  messageContent,
  requestDetail,
  resendNotification,
} from '../shared/staff/requests.ts';
import {
  heldMailIdSchema,
  messageKeySchema,
  notificationIdSchema,
  requestIdSchema,
} from '../shared/workflow/ids.ts';

const { ports, rules, intakeRules, site } = wiring.staffApi(readConfig(functions.staffApi.env));

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
const actor = (event: Event) => actorFromClaims(event.requestContext.authorizer?.jwt?.claims);
const id = (event: Event) => pathParameter(event, 'id', requestIdSchema);
const heldId = (event: Event) => pathParameter(event, 'id', heldMailIdSchema);
/** A read any signed-in member of staff may make: 401 without a token, else 200 with the result. */
const signedIn =
  (read: (event: Event) => Promise<unknown>) =>
  async (event: Event): Promise<APIGatewayProxyResultV2> => {
    actor(event);
    return json(200, await read(event));
  };

const routes = httpRouterHandler<Event, APIGatewayProxyResultV2>([
  // Public, for uptime checks: it answers once the function has loaded its configuration.
  { method: 'GET', path: '/api/health', handler: async () => json(200, { status: 'ok' }) },
  { method: 'GET', path: '/api/openapi.json', handler: async () => json(200, openApiDocument()) },
  {
    method: 'GET',
    path: '/api/requests',
    handler: signedIn((event) =>
      listRequests(event.queryStringParameters ?? {}, ports, new Date(), rules.timeZone),
    ),
  },
  {
    method: 'GET',
    path: '/api/requests/{id}',
    handler: async (event: Event) =>
      json(200, await requestDetail(id(event), actor(event), ports, rules.timeZone)),
  },
  {
    method: 'GET',
    path: '/api/requests/{id}/messages/{key}',
    handler: signedIn((event) =>
      messageContent(id(event), pathParameter(event, 'key', messageKeySchema), ports),
    ),
  },
  {
    method: 'GET',
    path: '/api/requests/{id}/note',
    handler: signedIn((event) => getNote(id(event), ports, rules.timeZone)),
  },
  {
    method: 'PUT',
    path: '/api/requests/{id}/note',
    handler: async (event: Event) =>
      json(200, await saveNote(id(event), actor(event), event.body, ports, rules, new Date())),
  },
  {
    method: 'GET',
    path: '/api/requests/{id}/note/versions',
    handler: signedIn(async (event) => ({ versions: await noteVersions(id(event), ports) })),
  },
  {
    method: 'GET',
    path: '/api/requests/{id}/note/diff',
    handler: signedIn((event) => noteDiff(id(event), event.queryStringParameters ?? {}, ports)),
  },
  {
    method: 'GET',
    path: '/api/requests/{id}/redactions',
    handler: signedIn((event) => redactionReview(id(event), ports)),
  },
  {
    method: 'PUT',
    path: '/api/requests/{id}/redactions',
    handler: async (event: Event) =>
      json(
        200,
        await actOnRequest(
          id(event),
          actor(event),
          { ...(event.body as unknown as object), action: 'review_redactions' },
          ports,
          rules,
          new Date(),
        ),
      ),
  },
  {
    method: 'GET',
    path: '/api/requests/{id}/publication-preview',
    handler: signedIn((event) => publicationPreview(id(event), ports, site, new Date())),
  },
  {
    method: 'GET',
    path: '/api/held-mail',
    handler: async (event: Event) =>
      json(200, await listHeldMail(event.queryStringParameters ?? {}, actor(event), ports)),
  },
  {
    method: 'POST',
    path: '/api/held-mail/{id}/actions',
    handler: async (event: Event) =>
      json(
        200,
        await actOnHeldMail(
          heldId(event),
          actor(event),
          event.body,
          ports,
          intakeRules,
          new Date(),
        ),
      ),
  },
  {
    method: 'POST',
    path: '/api/requests/{id}/notifications/{notification}/resend',
    handler: async (event: Event) =>
      json(
        200,
        await resendNotification(
          id(event),
          pathParameter(event, 'notification', notificationIdSchema),
          actor(event),
          ports,
          rules,
          new Date(),
        ),
      ),
  },
  {
    method: 'POST',
    path: '/api/requests/{id}/actions',
    handler: async (event: Event) =>
      json(
        200,
        // save_draft may come this way too; its version copy is kept as PUT /note keeps it.
        await actOnRequest(
          id(event),
          actor(event),
          event.body,
          ports,
          rules,
          new Date(),
          keepNoteVersions(ports),
        ),
      ),
  },
]);

/** HTTP API (JWT authorizer) -> the staff operations in shared/staff. */
export const handler = middy<Event, APIGatewayProxyResultV2>()
  .use(httpHeaderNormalizer())
  .use(jsonBody())
  .use(apiErrors())
  .handler(routes);
