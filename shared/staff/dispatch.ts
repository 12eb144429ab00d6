import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { log } from '../log.ts';
import type { Actor } from '../workflow/act.ts';
import { fieldErrors } from '../workflow/act.ts';
import type * as z from '../zod.ts';
import {
  type RouteContract,
  type RouteGroup,
  type RouteName,
  routeKey,
  type StaffApi,
  staffApi,
} from './api.ts';
import { ApiError, badRequest, refused } from './errors.ts';
import { apiErrors, Download, download, json, jsonBody, largeResponses } from './http.ts';
import { actorFromClaims, requireRole } from './identity.ts';
import type { ContextOf, OperationInput, Operations } from './operations.ts';

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

const nobody: Actor = { id: 'anonymous', email: 'anonymous', name: 'anonymous', roles: [] };

/**
 * Parses one part of the request by its declared schema: a 400 naming each bad field, or
 * a 422 where the route says so of its body.
 */
function parsePart(
  schema: z.ZodMiniType | undefined,
  value: unknown,
  part: 'path' | 'query' | 'body',
  invalid: 400 | 422 = 400,
) {
  if (!schema) return {};
  const parsed = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data;
  const fields = fieldErrors(parsed.error, part === 'body' ? [] : [part]);
  const what = { path: 'the address', query: 'the query', body: 'the body' }[part];
  const first = fields[0] ?? { path: '(body)', message: 'see fields' };
  if (invalid === 422) {
    const named = first.path === '(body)' ? first.message : `${first.path}: ${first.message}`;
    throw refused({ code: 'unprocessable', message: `${what} is not valid: ${named}`, fields });
  }
  throw badRequest(`${what} is not valid: ${first.message}`, fields);
}

/**
 * The staff API's one dispatcher, for the function serving `group`: finds the declared
 * route by API Gateway's route key (a route of another group is not this function's),
 * checks the caller's roles before any work, parses the path, query and body by the
 * route's schemas, runs its operation, and answers with the operation's result parsed by
 * the route's response schema, so only declared fields ever leave.
 */
export function dispatcher<G extends RouteGroup>(
  group: G,
  operations: Operations<G>,
  context: ContextOf<G>,
): (event: Event) => Promise<APIGatewayProxyResultV2> {
  const routes = new Map(
    (Object.entries(staffApi) as Array<[RouteName, RouteContract]>)
      .filter(([, route]) => route.group === group)
      .map(([name, route]) => [routeKey(route), { name, route }]),
  );
  return async (event) => {
    const found = routes.get(event.routeKey);
    if (!found) {
      throw new ApiError(
        404,
        'not_found',
        `no route for ${event.requestContext?.http?.method} ${event.rawPath}; see /api/openapi.json`,
      );
    }
    const { name, route } = found;
    let actor = nobody;
    if (!route.public) {
      actor = actorFromClaims(event.requestContext.authorizer?.jwt?.claims);
      requireRole(actor, ...route.roles);
    }
    const input = {
      params: parsePart(route.params, event.pathParameters, 'path'),
      query: parsePart(route.query, event.queryStringParameters, 'query'),
      body: parsePart(route.body, event.body, 'body', route.invalidBody),
      actor,
      now: new Date(),
    } as OperationInput<StaffApi[typeof name]>;
    const operation = (operations as Record<RouteName, unknown>)[name] as (
      input: OperationInput<RouteContract>,
      context: ContextOf<G>,
    ) => Promise<unknown>;
    const result = await operation(input as OperationInput<RouteContract>, context);
    if (route.downloads && result instanceof Download) return download(route.status ?? 200, result);
    const answer = route.response.safeParse(result);
    if (!answer.success) {
      // The operation broke its own contract: a bug to fix, never storage leaking out.
      log.error('a staff API answer did not match its declared response', {
        route: event.routeKey,
        issues: answer.error.issues.slice(0, 5),
      });
      throw new Error(`the answer to ${event.routeKey} did not match its schema`);
    }
    return json(route.status ?? 200, answer.data);
  };
}

/**
 * A staff API function's whole handler: header names normalised, JSON in, errors shaped,
 * large answers compressed (or refused when they cannot fit Lambda's 6 MB).
 */
export function staffHandler<G extends RouteGroup>(
  group: G,
  operations: Operations<G>,
  context: ContextOf<G>,
) {
  return middy<Event, APIGatewayProxyResultV2>()
    .use(httpHeaderNormalizer())
    .use(largeResponses())
    .use(jsonBody())
    .use(apiErrors())
    .handler(dispatcher(group, operations, context));
}
