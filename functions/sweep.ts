import middy from '@middy/core';
import { functions } from '../infra/functions.ts';
import { publishPorts } from '../shared/aws/publish-ports.ts';
import { sweepPorts } from '../shared/aws/sweep-ports.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { publishEmbargoed } from '../shared/publication/publish.ts';
import { sweep } from '../shared/sweep/digest.ts';
import { loadHolidayCalendar } from '../shared/workflow/deadlines.ts';

const config = readConfig(functions.sweep.env);
const ports = sweepPorts(config.TABLE_NAME, config.SES_CONFIGURATION_SET);
const publication = publishPorts({
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
const settings = {
  digestHour: config.DIGEST_HOUR,
  officeName: config.OFFICE_NAME,
  officeAddress: config.OFFICE_ADDRESS,
  staffAlertAddress: config.STAFF_ALERT_ADDRESS,
  timeZone: config.OFFICE_TIMEZONE,
};

/** EventBridge schedule -> embargoed notes published when due, and the daily digest. */
export const handler = middy().handler(async () => {
  const now = new Date();
  const published = await publishEmbargoed(await ports.approved(), publication, site, rules, now);
  const report = { ...(await sweep(ports, settings, now)), published };
  log.info('sweep done', { ...report });
  return report;
});
