import * as z from 'zod';
import { heldActionSchema } from '../intake/held-mail.ts';
import {
  heldMailIdSchema,
  messageKeySchema,
  notificationIdSchema,
  requestIdSchema,
} from '../workflow/ids.ts';
import { stages } from '../workflow/stages.ts';
import { actionFields, roles } from '../workflow/transitions.ts';
import { listQuerySchema } from './requests.ts';

/**
 * The OpenAPI 3.1 description of the staff API, built from the same zod schemas that
 * validate requests, so the document cannot describe fields the API does not accept.
 */
export function openApiDocument() {
  const schema = (type: z.ZodType) => z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' });
  const actionBodies = Object.entries(actionFields).map(([action, fields]) =>
    schema(
      (fields as z.ZodObject).extend({
        action: z.literal(action),
        expectedVersion: z.number().int(),
      }),
    ),
  );
  const error = {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          fields: {
            type: 'array',
            items: {
              type: 'object',
              properties: { path: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  };
  const errors = Object.fromEntries(
    [
      ['400', 'malformed body or query, with field paths'],
      ['401', 'no token'],
      ['403', 'wrong role, or separation of duties'],
      ['404', 'no such request'],
      ['409', 'stale expectedVersion; the body has currentVersion'],
      [
        '413',
        'the change would take the request past the 400 KB one stored request can hold; the body has limitBytes and sizeBytes',
      ],
      ['422', 'action not allowed from the current stage; the body lists the allowed ones'],
    ].map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: error } } },
    ]),
  );
  const query = schema(listQuerySchema) as { properties: Record<string, unknown> };
  const inPath = (name: string, shape: z.ZodType) => ({
    name,
    in: 'path',
    required: true,
    schema: schema(shape),
  });
  const requestId = inPath('id', requestIdSchema);
  return {
    openapi: '3.1.0',
    info: {
      title: 'postroom staff API',
      version: '1',
      description: `Roles (Cognito groups): ${roles.join(', ')}. Stages: ${stages.join(', ')}.`,
    },
    servers: [{ url: '/api' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: error, Action: { oneOf: actionBodies } },
    },
    security: [{ bearer: [] }],
    paths: {
      '/requests': {
        get: {
          summary: 'List requests by stage, due date first, paged with nextToken',
          parameters: Object.entries(query.properties).map(([name, property]) => ({
            name,
            in: 'query',
            schema: property,
          })),
          responses: { '200': { description: '{ items, nextToken }' }, ...errors },
        },
      },
      '/requests/{id}': {
        get: {
          summary:
            'One request with its messages, audit events, documents (presigned links) and allowed actions',
          parameters: [requestId],
          responses: { '200': { description: 'the request' }, ...errors },
        },
      },
      '/requests/{id}/messages/{key}': {
        get: {
          summary:
            "What a received message says: { key, text, html }, html sanitised or null (key from the request's messages)",
          parameters: [requestId, inPath('key', messageKeySchema)],
          responses: { '200': { description: 'the message content' }, ...errors },
        },
      },
      '/requests/{id}/actions': {
        post: {
          summary: 'Perform a workflow action',
          parameters: [requestId],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Action' } } },
          },
          responses: { '200': { description: 'the updated request' }, ...errors },
        },
      },
      '/requests/{id}/notifications/{notification}/resend': {
        post: {
          summary:
            'Send a failed notification (or one that may not have arrived) again, once; audited',
          parameters: [inPath('id', requestIdSchema), inPath('notification', notificationIdSchema)],
          responses: { '200': { description: 'the updated request' }, ...errors },
        },
      },
      '/held-mail': {
        get: {
          summary: 'Mail that could not become or join a request, newest first',
          responses: { '200': { description: '{ items, nextToken }' }, ...errors },
        },
      },
      '/held-mail/{id}/actions': {
        post: {
          summary:
            'Attach held mail to a request, open a new request from it, discard it with a reason, or (for mail intake could not file) run intake on it again',
          parameters: [inPath('id', heldMailIdSchema)],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schema(heldActionSchema) } },
          },
          responses: { '200': { description: 'where the mail went' }, ...errors },
        },
      },
      '/health': {
        get: {
          summary: 'Whether the API is up; needs no token',
          security: [],
          responses: { '200': { description: '{ "status": "ok" }' } },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1' } },
        },
      },
    },
  };
}
