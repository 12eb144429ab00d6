import { stages } from '../workflow/stages.ts';
import { roles } from '../workflow/transitions.ts';
import * as z from '../zod.ts';
import { type RouteContract, staffApi } from './api.ts';

/** The API's one error shape, as every refusal carries it (shared/staff/http.ts). */
const errorView = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().check(z.describe('what was wrong and what is accepted')),
    fields: z
      .optional(z.array(z.object({ path: z.string(), message: z.string() })))
      .check(z.describe('for a 400, each field that was wrong')),
  }),
});

const refusals: Record<string, string> = {
  '400': 'malformed path, query or body, with field paths',
  '401': 'no token, or one that is invalid or expired',
  '403': 'a role that may not do this, or separation of duties',
  '404': 'no such request, message or held mail',
  '409': 'stale expectedVersion (the body has currentVersion), or resolved by someone else',
  '413':
    'the change would take the request past the 400 KB one stored request can hold; the body has limitBytes and sizeBytes',
  '422':
    'not allowed from the current stage (the body lists the allowed actions), or well-formed but not possible, or a field that cannot be accepted where a body creates something (fields names each field at fault)',
};

const jsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

/** Each property of an object schema as an OpenAPI parameter in the path or the query. */
function parameters(schema: z.ZodMiniObject | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const described = jsonSchema(schema, 'input') as {
    properties?: Record<string, object>;
    required?: string[];
  };
  return Object.entries(described.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (described.required ?? []).includes(name),
    schema: property,
  }));
}

function operation(name: string, route: RouteContract) {
  const pathOrQuery = [...parameters(route.params, 'path'), ...parameters(route.query, 'query')];
  return {
    operationId: name,
    summary: route.summary,
    ...(route.public
      ? { security: [] }
      : { description: `Roles: ${route.roles.join(', ')}.`, security: [{ bearer: [] }] }),
    ...(pathOrQuery.length ? { parameters: pathOrQuery } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(route.status ?? 200)]: {
        description: route.status === 201 ? 'created' : 'done',
        content: {
          'application/json': { schema: jsonSchema(route.response, 'output') },
          ...(route.downloads ? { [route.downloads]: { schema: { type: 'string' } } } : {}),
        },
      },
      ...(route.public
        ? {}
        : Object.fromEntries(
            Object.entries(refusals).map(([status, description]) => [
              status,
              {
                description,
                content: {
                  'application/json': { schema: { $ref: '#/components/schemas/Error' } },
                },
              },
            ]),
          )),
    },
  };
}

let built: object | undefined;

/**
 * The OpenAPI 3.1 description of the staff API, generated from shared/staff/api.ts: every
 * route, with the same zod schemas that validate its inputs and shape its answers, so
 * the document cannot describe a route, field or answer the API does not have.
 */
export function openApiDocument(): Record<string, unknown> {
  built ??= {
    openapi: '3.1.0',
    info: {
      title: 'postroom staff API',
      version: '1',
      description: `Roles (Cognito groups): ${roles.join(', ')}. Stages: ${stages.join(', ')}. Errors all look like { error: { code, message, fields? } }.`,
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(errorView, 'output') },
    },
    paths: (Object.entries(staffApi) as Array<[string, RouteContract]>).reduce<
      Record<string, Record<string, unknown>>
    >((paths, [name, route]) => {
      paths[route.path] ??= {};
      (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(
        name,
        route,
      );
      return paths;
    }, {}),
  };
  return built as Record<string, unknown>;
}
