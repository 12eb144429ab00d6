import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { ses } from './clients.ts';

/**
 * Sends raw MIME through SES. With a configuration set, SES publishes the mail's bounces
 * and complaints to it (and on to the sending-feedback function).
 */
export function mailer(configurationSet?: string) {
  return {
    /** Returns the Message-ID SES gives the delivered mail, which replies quote instead of ours. */
    async sendRawMail(
      raw: string,
      from: string,
      to: readonly string[],
    ): Promise<{ sesMessageId: string }> {
      const sent = await ses.send(
        new SendRawEmailCommand({
          Source: from,
          Destinations: [...to],
          RawMessage: { Data: Buffer.from(raw) },
          ConfigurationSetName: configurationSet,
        }),
      );
      const region = await ses.config.region();
      // us-east-1 mail carries the older, region-less domain.
      const domain = region === 'us-east-1' ? 'email.amazonses.com' : `${region}.amazonses.com`;
      return { sesMessageId: `<${sent.MessageId}@${domain}>` };
    },
  };
}
