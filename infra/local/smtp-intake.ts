import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SMTPServer } from 'smtp-server';
import { writeObject } from '../../shared/aws/documents.ts';
import { log } from '../../shared/log.ts';
import { INBOUND_PREFIX } from '../resources.ts';
import { objectCreatedDelivery } from './s3-notification.ts';

export interface SmtpIntakeOptions {
  port: number;
  inboundBucket: string;
  region: string;
  maxReceiveCount: number;
  invoke(event: SQSEvent): Promise<SQSBatchResponse | undefined>;
  deadLetterFile?: string;
}

/**
 * The most one message may be: above SES's 40 MB, so oversize mail still reaches intake
 * and is held as oversize, as on AWS; past it the message is refused with 552.
 */
const MAX_SMTP_BYTES = 64 * 1024 * 1024;

/** A key like SES's S3 action writes: the rule's prefix and SES's message id. */
function sesStyleKey(): string {
  return `${INBOUND_PREFIX}${randomBytes(20).toString('hex')}`;
}

/**
 * SES receiving, locally: accept mail over SMTP, store the raw message in the inbound
 * bucket (as the receipt rule's S3 action does), then deliver the S3 notification to
 * intake as SQS would: retried on failure, dead-lettered after maxReceiveCount.
 */
export async function startSmtpIntake(options: SmtpIntakeOptions) {
  const inFlight = new Set<Promise<void>>();

  async function deliver(key: string, size: number): Promise<void> {
    const event = objectCreatedDelivery(options.inboundBucket, key, size, options.region);
    for (let receive = 1; receive <= options.maxReceiveCount; receive += 1) {
      try {
        const response = await options.invoke(event);
        if (!response?.batchItemFailures?.length) return;
      } catch (error) {
        log.error('intake threw', { objectKey: key, error });
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * receive));
    }
    if (options.deadLetterFile)
      appendFileSync(options.deadLetterFile, `${JSON.stringify({ key, size })}\n`);
    log.error('intake failed repeatedly; the delivery is dead-lettered, the raw mail is kept', {
      bucket: options.inboundBucket,
      objectKey: key,
      deadLetterFile: options.deadLetterFile ?? '(log only)',
    });
  }

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_SMTP_BYTES,
    banner: 'postroom local SES receiving',
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      // Past the advertised SIZE the rest is read and dropped, not held in memory.
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      // A client that drops mid-message gets no answer; only the connection ends.
      stream.on('error', (error) => log.warn('SMTP client left during DATA', { error }));
      stream.on('end', async () => {
        if (stream.sizeExceeded) {
          callback(
            Object.assign(new Error(`message exceeds the ${MAX_SMTP_BYTES} bytes accepted`), {
              responseCode: 552,
            }),
          );
          return;
        }
        try {
          const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const body = Buffer.concat(chunks);
          // SES puts the envelope sender in front of the stored message.
          const raw = /^return-path:/im.test(
            body
              .subarray(0, 8192)
              .toString('latin1')
              .split(/\r?\n\r?\n/)[0] ?? '',
          )
            ? body
            : Buffer.concat([Buffer.from(`Return-Path: <${sender}>\r\n`), body]);
          const key = sesStyleKey();
          await writeObject({ bucket: options.inboundBucket, key }, raw, 'message/rfc822');
          log.info('mail received over SMTP and stored', {
            bucket: options.inboundBucket,
            objectKey: key,
            size: raw.byteLength,
          });
          const delivery = deliver(key, raw.byteLength).finally(() => inFlight.delete(delivery));
          inFlight.add(delivery);
          callback(null, `Message stored as ${key}`);
        } catch (error) {
          log.error('could not store inbound mail', { error });
          callback(
            Object.assign(new Error('temporary failure storing the message; please retry'), {
              responseCode: 451,
            }),
          );
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  // smtp-server re-emits a client's socket error (a reset mid-transaction) on the server;
  // unheard, the second one would end the process and every local service with it.
  server.on('error', (error) => log.warn('SMTP connection error', { error }));
  return {
    port: options.port,
    /** Resolves when every message received so far has been through intake. */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async stop(): Promise<void> {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SmtpIntake = Awaited<ReturnType<typeof startSmtpIntake>>;
