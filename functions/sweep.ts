import middy from '@middy/core';
import { functions } from '../infra/functions.ts';
import * as wiring from '../shared/aws/wiring.ts';
import { readConfig } from '../shared/config.ts';
import { log } from '../shared/log.ts';
import { publishEmbargoed } from '../shared/publication/publish.ts';
import { sweep } from '../shared/sweep/digest.ts';

const { ports, publication, site, rules, settings } = wiring.sweep(readConfig(functions.sweep.env));

/** EventBridge schedule -> embargoed notes published when due, and the daily digest. */
export const handler = middy().handler(async () => {
  const now = new Date();
  const published = await publishEmbargoed(await ports.approved(), publication, site, rules, now);
  const report = { ...(await sweep(ports, settings, now)), published };
  log.info('sweep done', { ...report });
  return report;
});
