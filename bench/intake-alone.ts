/**
 * Run by bench/intake.ts in a process of its own: the intake handler, and nothing else,
 * on one stored letter, as a fresh Lambda instance would run it. Prints the process's
 * peak RSS (MB) as JSON: what the function's memory must hold, without the bench's own
 * letters, parses and floor measurements in the same heap.
 *
 *   tsx bench/intake-alone.ts <bucket> <key> <bytes>   (emulator settings in the environment)
 */
import { LOCAL_REGION } from '../infra/local/cloud.ts';
import { lambdaContext } from '../infra/local/lambda-context.ts';
import { objectCreatedDelivery } from '../infra/local/s3-notification.ts';

const [bucket = '', key = '', bytes = '0'] = process.argv.slice(2);
const { handler } = await import('../functions/intake-mail.ts');
const result = await handler(
  objectCreatedDelivery(bucket, key, Number(bytes), LOCAL_REGION),
  lambdaContext('intake-mail', 120),
);
if (result.batchItemFailures.length) throw new Error(`intake failed for ${key}`);
console.log(JSON.stringify({ rssMb: process.resourceUsage().maxRSS / 1024 }));
