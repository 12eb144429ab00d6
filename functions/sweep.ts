import middy from '@middy/core';
import * as functions from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { log, logsFailure } from '../shared/log.ts';
import { sendAlertSummaries } from '../shared/notify/alert-summary.ts';
import { publishEmbargoed } from '../shared/publication/publish.ts';
import { publishReturnIfDue } from '../shared/publication/return-site.ts';
import { assembleRegistersIfDue } from '../shared/publication/site.ts';
import { publishAuditDigest } from '../shared/sweep/audit-anchor.ts';
import { sweep } from '../shared/sweep/digest.ts';

const wired = wiring.sweep(readConfig(functions.sweep.env));
const { ports, auditDigest, publication, site, rules, settings, returnSite, returnRules } = wired;

/**
 * EventBridge schedule -> embargoed notes published when due, the daily digest to the
 * office, summaries of staff alerts a flood held back, the daily audit digest to the
 * public site, the open-data registers once a day when a publication is not in them, and
 * each quarter's return once it is due. "Now" is the schedule's time, so a repeated
 * delivery does the same work.
 */
export const handler = middy<{ time?: string }>()
  .use(logsFailure('the sweep'))
  .handler(async (event) => {
    const scheduled = event?.time ? new Date(event.time) : undefined;
    const now = scheduled && !Number.isNaN(scheduled.getTime()) ? scheduled : new Date();
    const published = await publishEmbargoed(await ports.approved(), publication, site, rules, now);
    const report = {
      ...(await sweep(ports, settings, now)),
      published,
      alertSummaries: await sendAlertSummaries(ports, settings, now),
      auditDigest: await publishAuditDigest(auditDigest, settings.timeZone, now),
      registersAssembled: await publication.exclusive(() =>
        assembleRegistersIfDue(publication, site, now),
      ),
      // Under the site lease only when the return is due and not yet out.
      returnsPublished: await publishReturnIfDue(returnSite, site, returnRules, now),
    };
    log.info('sweep done', { ...report });
    return report;
  });
