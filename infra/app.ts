import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { isTimeZone } from '../shared/dates.ts';
import { retentionDefaults } from './resources.ts';
import { PostroomStack } from './stack.ts';

/**
 * `npx cdk synth` / `npx cdk deploy`. Office settings come from context: cdk.json, or
 * `-c key=value` on the command line (README, "Deploy to AWS").
 */
const app = new App();
// cdk-nag's AwsSolutions checks: synth and deploy stop on any finding not acknowledged,
// with its reason, in infra/nag.ts.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const text = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key);
  return value === undefined || value === '' ? undefined : String(value);
};
const days = (key: string, fallback: number): number => {
  const value = Number(text(key) ?? fallback);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`context ${key} must be a whole number of days; got ${text(key)}`);
  return value;
};

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const officeAddress = text('officeAddress') ?? 'commissioner@office.example';
const officeTimeZone = text('officeTimeZone');
if (officeTimeZone !== undefined && !isTimeZone(officeTimeZone))
  throw new Error(
    `context officeTimeZone must be an IANA time zone such as America/New_York; got ${officeTimeZone}`,
  );
const siteDomain = text('siteDomain');
const siteCertificateArn = text('siteCertificateArn');
if (siteDomain && !siteCertificateArn?.includes(':us-east-1:'))
  throw new Error(
    'context siteDomain needs siteCertificateArn: an ACM certificate for it in us-east-1',
  );

new PostroomStack(app, 'Postroom', {
  projectRoot: fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, ''),
  officeName: text('officeName') ?? 'The Commissioner’s Office',
  officeAddress,
  staffAlertAddress: text('staffAlertAddress') ?? 'staff@office.example',
  officeTimeZone,
  recipients: list(text('recipients') ?? officeAddress),
  approverAddresses: list(text('approverAddresses') ?? ''),
  alarmEmail: text('alarmEmail'),
  siteDomain:
    siteDomain && siteCertificateArn
      ? { name: siteDomain, certificateArn: siteCertificateArn }
      : undefined,
  signInDomainPrefix: text('signInDomainPrefix') ?? 'postroom-staff',
  officeHolder: text('officeHolder'),
  returnWorkingDays: text('returnWorkingDays') ? days('returnWorkingDays', 20) : undefined,
  retention: {
    requestDays: days('requestRetentionDays', retentionDefaults.requestDays),
    rawMailDays: days('rawMailRetentionDays', retentionDefaults.rawMailDays),
    noncurrentVersionDays: days('noncurrentVersionDays', retentionDefaults.noncurrentVersionDays),
    logDays: days('logRetentionDays', retentionDefaults.logDays),
  },
  env: { region: text('region') ?? 'eu-west-1' },
});
