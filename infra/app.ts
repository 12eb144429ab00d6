import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { PostroomStack } from './stack.ts';

/** `npx cdk synth` / `npx cdk deploy`. Office settings come from context (cdk.json or -c). */
const app = new App();
const context = (key: string, fallback: string): string =>
  String(app.node.tryGetContext(key) ?? fallback);

new PostroomStack(app, 'Postroom', {
  projectRoot: fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, ''),
  officeName: context('officeName', 'The Commissioner’s Office'),
  officeAddress: context('officeAddress', 'commissioner@office.example'),
  staffAlertAddress: context('staffAlertAddress', 'staff@office.example'),
  siteBaseUrl: context('siteBaseUrl', 'https://meetings.office.example/'),
  alarmEmail: app.node.tryGetContext('alarmEmail') as string | undefined,
  recipients: context('recipients', context('officeAddress', 'commissioner@office.example'))
    .split(',')
    .map((recipient) => recipient.trim())
    .filter(Boolean),
  env: { region: context('region', 'eu-west-1') },
});
