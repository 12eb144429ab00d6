import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { functions } from '../infra/functions.ts';
import { staffPorts } from '../shared/aws/staff-ports.ts';
import { readConfig } from '../shared/config.ts';
import { dispatcher } from '../shared/staff/dispatch.ts';
import { apiErrors, jsonBody } from '../shared/staff/http.ts';
import { staffOperations } from '../shared/staff/operations.ts';
import { loadHolidayCalendar } from '../shared/workflow/deadlines.ts';

const config = readConfig(functions.staffApi.env);
const ports = staffPorts(config.TABLE_NAME, config.DOCUMENTS_BUCKET, config.OFFICE_TIMEZONE);
const rules = {
  calendar: loadHolidayCalendar(config.BANK_HOLIDAYS_FILE),
  timeZone: config.OFFICE_TIMEZONE,
  noteWorkingDays: config.NOTE_WORKING_DAYS,
  separateApproval: config.SEPARATE_APPROVAL,
};

const intakeRules = {
  ...rules,
  replyWorkingDays: config.REPLY_WORKING_DAYS,
  limits: {
    maxBytes: config.MAX_MESSAGE_BYTES,
    maxParts: config.MAX_MIME_PARTS,
    maxDepth: config.MAX_MIME_DEPTH,
  },
};

const site = { officeName: config.OFFICE_NAME, baseUrl: config.SITE_BASE_URL };

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/** HTTP API (JWT authorizer) -> the staff operations, by the routes of shared/staff/api.ts. */
export const handler = middy<Event, APIGatewayProxyResultV2>()
  .use(httpHeaderNormalizer())
  .use(jsonBody())
  .use(apiErrors())
  .handler(dispatcher(staffOperations, { ports, rules, intakeRules, site }));
