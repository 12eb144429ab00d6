import { fileURLToPath } from 'node:url';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { PostroomStack, type PostroomStackProps } from '../../infra/stack.ts';

/** cdk-nag's AwsSolutions pack, as a CDK validation plugin: synth throws on any finding. */
function synthWithNag(overrides: Partial<PostroomStackProps> = {}, extra?: (stack: Stack) => void) {
  // Skipping esbuild keeps this fast; `npm run synth` does the real bundling.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PostroomStack(app, 'Nag', {
    projectRoot: fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, ''),
    officeName: 'Test Office',
    officeAddress: 'office@test.example',
    staffAlertAddress: 'staff@test.example',
    recipients: ['office@test.example'],
    signInDomainPrefix: 'postroom-test',
    env: { account: '111111111111', region: 'eu-west-1' },
    ...overrides,
  });
  extra?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return stack;
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the stack', () => {
    expect(() => synthWithNag()).not.toThrow();
  });

  it('finds nothing unacknowledged without an account, as `cdk synth` runs offline', () => {
    expect(() => synthWithNag({ env: { region: 'eu-west-1' } })).not.toThrow();
  });

  it('finds nothing with a custom domain either, which also raises TLS to 1.2', () => {
    const stack = synthWithNag({
      siteDomain: {
        name: 'meetings.test.example',
        certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
      },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        Aliases: ['meetings.test.example'],
        ViewerCertificate: { MinimumProtocolVersion: 'TLSv1.2_2021' },
      },
    });
  });

  it('does fail the synth on a finding nobody acknowledged', () => {
    // An unencrypted queue with no dead-letter queue: two findings the stack never makes.
    expect(() =>
      synthWithNag({}, (stack) => {
        new Queue(stack, 'Careless', { enforceSSL: false });
      }),
    ).toThrow(/AwsSolutions-SQS3|AwsSolutions-SQS4/);
  });
});
