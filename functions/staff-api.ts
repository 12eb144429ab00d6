import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { functions } from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { dispatcher } from '../shared/staff/dispatch.ts';
import { apiErrors, jsonBody } from '../shared/staff/http.ts';
import { staffOperations } from '../shared/staff/operations.ts';

const { ports, rules, intakeRules, site } = wiring.staffApi(readConfig(functions.staffApi.env));

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/** HTTP API (JWT authorizer) -> the staff operations, by the routes of shared/staff/api.ts. */
export const handler = middy<Event, APIGatewayProxyResultV2>()
  .use(httpHeaderNormalizer())
  .use(jsonBody())
  .use(apiErrors())
  .handler(dispatcher(staffOperations, { ports, rules, intakeRules, site }));
