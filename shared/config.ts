import { isTimeZone } from './dates.ts';
import { isMailableOrigin, MAILABLE_ORIGIN_RULE } from './mail/links.ts';
import * as z from './zod.ts';

/**
 * Every environment variable postroom reads, in one schema. Each function asks for the
 * subset it needs with `readConfig([...])`, at cold start, so a missing or malformed
 * variable stops the function before it touches any mail, with a message naming it.
 * The CDK stack and the local runner set exactly these names (see infra/functions.ts).
 */
const positiveInt = z.coerce.number().check(z.int(), z.positive());

export const configSchema = z.object({
  TABLE_NAME: z
    .string()
    .check(z.minLength(1), z.describe('the DynamoDB table holding requests, events and mail')),
  INBOUND_BUCKET: z
    .string()
    .check(z.minLength(1), z.describe('the bucket SES writes raw MIME into')),
  DOCUMENTS_BUCKET: z
    .string()
    .check(z.minLength(1), z.describe('the bucket for parsed letters and attachments')),
  OFFICE_NAME: z._default(z.string().check(z.minLength(1)), 'The Commissioner’s Office'),
  PUBLIC_BUCKET: z
    .string()
    .check(z.minLength(1), z.describe('the bucket the public site is published to')),
  SITE_BASE_URL: z.url().check(
    z.regex(/\/$/, 'must end with a slash'),
    // It is put in mail (the published note's link): never javascript:, never plain http.
    z.refine(isMailableOrigin, MAILABLE_ORIGIN_RULE),
    z.describe('the public site’s address, e.g. https://meetings.example.org/'),
  ),
  OFFICE_ADDRESS: z
    .email()
    .check(z.describe('the address organisations write to; acknowledgements come from it')),
  STAFF_ALERT_ADDRESS: z.email().check(z.describe('where new-request alerts go')),
  OFFICE_TIMEZONE: z
    ._default(
      z
        .string()
        .check(
          z.refine(
            isTimeZone,
            'is not a time zone; give an IANA name such as Europe/London or America/New_York',
          ),
        ),
      'Europe/London',
    )
    .check(
      z.describe('the office’s time zone; every date postroom shows or sends is on its clock'),
    ),
  REPLY_WORKING_DAYS: z._default(positiveInt, 10),
  ACK_LIMIT_PER_HOUR: z._default(positiveInt, 5),
  ACK_OFFICE_LIMIT_PER_HOUR: z
    ._default(positiveInt, 60)
    .check(
      z.describe(
        'acknowledgements the office sends in an hour, to everyone together: past it, a flood of forged senders gets none (and an alarm fires)',
      ),
    ),
  STAFF_ALERTS_PER_HOUR: z
    ._default(positiveInt, 20)
    .check(
      z.describe(
        'alerts of new letters and replies sent to the staff address in an hour, one mail each: past it, the rest wait for a quarter-hourly summary',
      ),
    ),
  NOTE_WORKING_DAYS: z._default(positiveInt, 10),
  OFFICE_HOLDER: z
    ._default(z.string().check(z.trim(), z.minLength(1), z.maxLength(200)), 'The Commissioner')
    .check(
      z.describe(
        'who holds the office, as the quarterly return of meetings names them in its first column (a meeting may name someone else)',
      ),
    ),
  RETURN_WORKING_DAYS: z
    ._default(positiveInt, 20)
    .check(
      z.describe(
        'working days after a quarter ends (bank holidays skipped) on which its return of meetings is published',
      ),
    ),
  DIGEST_HOUR: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(23)), 7),
  REQUEST_RETENTION_DAYS: z
    ._default(positiveInt, 730)
    .check(
      z.describe('how many days after it closes a request is disposed of (whole days, at least 1)'),
    ),
  SEPARATE_APPROVAL: z
    .pipe(
      z._default(z.enum(['true', 'false']), 'true'),
      z.transform((value) => value === 'true'),
    )
    .check(z.describe('whether the approver of a note must be someone who did not edit it')),
  APPROVER_ADDRESSES: z
    .pipe(
      z._default(z.string(), ''),
      z.transform((value) =>
        value
          .split(',')
          .map((address) => address.trim())
          .filter(Boolean),
      ),
    )
    .check(z.describe('comma-separated addresses told when a note awaits approval')),
  MAX_MESSAGE_BYTES: z._default(positiveInt, 40 * 1024 * 1024),
  MAX_MIME_PARTS: z._default(positiveInt, 250),
  MAX_MIME_DEPTH: z._default(positiveInt, 32),
  PUBLIC_DISTRIBUTION_ID: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        'the CloudFront distribution in front of the public site, whose cache a takedown or correction clears (unset locally, where nothing caches)',
      ),
    ),
  SES_CONFIGURATION_SET: z
    .optional(z.string().check(z.minLength(1)))
    .check(z.describe('the SES configuration set whose bounces and complaints stop further mail')),
  USER_POOL_ID: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        'the Cognito user pool whose role groups are the staff a request may be assigned to (set by the stack; unset locally)',
      ),
    ),
  STAFF_USERS: z
    .optional(z.string().check(z.minLength(1)))
    .check(
      z.describe(
        'locally, where there is no user pool: the staff as JSON, [{"email","name","roles":["caseworker"]}]',
      ),
    ),
  LOG_LEVEL: z._default(z.enum(['info', 'warn', 'error']), 'info'),
  BANK_HOLIDAYS_FILE: z
    .optional(z.string().check(z.minLength(1)))
    .check(z.describe('a JSON file of ISO dates replacing the bundled Scottish bank holidays')),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;
/**
 * The settings named by K, every one present (an optional one as possibly undefined).
 * Unlike a Pick, this makes an optional setting a function reads but does not declare a
 * type error where its settings are used (shared/aws/wiring.ts).
 */
export type Settings<K extends ConfigKey> = { [P in K]: Config[P] };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readConfig<const K extends ConfigKey>(
  keys: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): Settings<K> {
  const mask = Object.fromEntries(keys.map((key) => [key, true]));
  // zod cannot type a pick over a generic key list; the runtime shape is exactly Settings<K>.
  const result = z.pick(configSchema, mask as Record<ConfigKey, true>).safeParse(env);
  if (result.success) return result.data as unknown as Settings<K>;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = env[name];
    const shown = value === undefined ? 'it is not set' : `got ${JSON.stringify(value)}`;
    const setting = configSchema.shape[name as ConfigKey];
    const meaning = setting && z.globalRegistry.get(setting)?.description;
    return `  ${name}: ${issue.message} (${shown})${meaning ? ` - ${meaning}` : ''}`;
  });
  throw new ConfigError(`postroom configuration is invalid:\n${problems.join('\n')}`);
}
