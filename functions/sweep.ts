import middy from '@middy/core';
import { functions } from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { publishEmbargoed } from '../shared/publication/publish.ts';
import { publishAuditDigest } from '../shared/sweep/audit-anchor.ts';
import { sweep } from '../shared/sweep/digest.ts';

const wired = wiring.sweep(readConfig(functions.sweep.env));
const { ports, auditDigest, publication, site, rules, settings } = wired;

/**
 * EventBridge schedule -> embargoed notes published when due, the daily digest to the
 * office, and the daily audit digest to the public site.
 */
export const handler = middy().handler(async () => {
  const now = new Date();
  const published = await publishEmbargoed(await ports.approved(), publication, site, rules, now);
  const report = {
    ...(await sweep(ports, settings, now)),
    published,
    auditDigest: await publishAuditDigest(auditDigest, settings.timeZone, now),
  };
  log.info('sweep done', { ...report });
  return report;
});
