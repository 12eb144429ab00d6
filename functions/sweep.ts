import middy from '@middy/core';
import { functions } from '../infra/functions.ts';
import { sweepPorts } from '../shared/aws/sweep-ports.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { sweep } from '../shared/sweep/digest.ts';

const config = readConfig(functions.sweep.env);
const ports = sweepPorts(config.TABLE_NAME);
const settings = {
  officeName: config.OFFICE_NAME,
  officeAddress: config.OFFICE_ADDRESS,
  staffAlertAddress: config.STAFF_ALERT_ADDRESS,
  timeZone: config.OFFICE_TIMEZONE,
};

/** EventBridge schedule -> the daily digest of overdue work and meetings to record. */
export const handler = middy().handler(async () => {
  const report = await sweep(ports, settings, new Date());
  log.info('sweep done', { ...report });
  return report;
});
