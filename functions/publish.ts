import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { functions } from '../infra/functions.ts';
import { publishPorts } from '../shared/aws/publish-ports.ts';
import { eachAuditEvent } from '../shared/aws/stream.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { publish, takeDown } from '../shared/publication/publish.ts';
import { loadHolidayCalendar } from '../shared/workflow/deadlines.ts';

const config = readConfig(functions.publish.env);
const ports = publishPorts({
  table: config.TABLE_NAME,
  documents: config.DOCUMENTS_BUCKET,
  public: config.PUBLIC_BUCKET,
  timeZone: config.OFFICE_TIMEZONE,
});
const site = { officeName: config.OFFICE_NAME, baseUrl: config.SITE_BASE_URL };
const rules = {
  calendar: loadHolidayCalendar(config.BANK_HOLIDAYS_FILE),
  timeZone: config.OFFICE_TIMEZONE,
  noteWorkingDays: config.NOTE_WORKING_DAYS,
  separateApproval: config.SEPARATE_APPROVAL,
};

/** Approvals and takedowns from the table stream -> the public site, unaided. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler((event) =>
  eachAuditEvent(event, 'publication', async (approval) => {
    const outcome =
      approval.action === 'takedown'
        ? await takeDown(approval.requestId, ports, site)
        : await publish(approval.requestId, ports, site, rules, new Date());
    log.info('publication', { requestId: approval.requestId, ...outcome });
  }),
);
