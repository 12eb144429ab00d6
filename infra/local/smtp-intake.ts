import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SMTPServer } from 'smtp-server';
import { storedSize, writeObject } from '../../shared/aws/documents.ts';
import { log } from '../../shared/log.ts';
import { INBOUND_PREFIX } from '../resources.ts';
import { type Delivery, deliveryQueue } from './delivery-queue.ts';
import { objectCreatedDelivery } from './s3-notification.ts';

export interface SmtpIntakeOptions {
  port: number;
  inboundBucket: string;
  region: string;
  maxReceiveCount: number;
  /** Deliveries to intake at once; the rest queue (see deliveryQueue). */
  maxConcurrency: number;
  invoke(event: SQSEvent): Promise<SQSBatchResponse | undefined>;
  /** The dead-letter queue's consumer, which puts what intake gave up on into held mail. */
  deadLetters?: {
    maxReceiveCount: number;
    invoke(event: SQSEvent): Promise<SQSBatchResponse | undefined>;
  };
  /** Where a delivery goes that even the dead-letter consumer could not handle. */
  deadLetterFile?: string;
  /**
   * Stored mail whose delivery never completed (the process died first), found before the
   * listener opens and delivered again: the local stand-in for SQS redelivery.
   */
  findUndelivered?: () => Promise<Delivery[]>;
  /** Told when intake has filed an object (for measurements). */
  onFiled?: (key: string) => void;
}

/**
 * s3rver answers a PUT before the object's bytes are on disk; a SIGKILL then would leave a
 * letter cut short that SMTP had accepted. So 250 waits until the stored size is right.
 */
async function confirmStored(ref: { bucket: string; key: string }, size: number): Promise<void> {
  for (let look = 0; look < 40; look += 1) {
    if ((await storedSize(ref)) === size) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`s3://${ref.bucket}/${ref.key} was not stored whole`);
}

/** Delivers an SQS event as Lambda's SQS event source would: retried until it succeeds or runs out. */
async function receiveUntilDone(
  event: SQSEvent,
  maxReceiveCount: number,
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>,
  what: string,
): Promise<boolean> {
  for (let receive = 1; receive <= maxReceiveCount; receive += 1) {
    try {
      const response = await invoke(event);
      if (!response?.batchItemFailures?.length) return true;
    } catch (error) {
      log.error(`${what} threw`, { error });
    }
    await new Promise((resolve) => setTimeout(resolve, 200 * receive));
  }
  return false;
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
 * bucket (as the receipt rule's S3 action does), answer 250 only once it is stored, then
 * deliver the S3 notification to intake as SQS would: at most maxConcurrency at once,
 * retried on failure, dead-lettered after maxReceiveCount. Mail stored by an earlier run
 * that never reached intake is delivered again on start.
 */
export async function startSmtpIntake(options: SmtpIntakeOptions) {
  const queue = deliveryQueue({
    maxConcurrency: options.maxConcurrency,
    maxReceiveCount: options.maxReceiveCount,
    async attempt({ key, size }, receive) {
      const event = objectCreatedDelivery(
        options.inboundBucket,
        key,
        size,
        options.region,
        receive,
      );
      const response = await options.invoke(event);
      if (response?.batchItemFailures?.length) return false;
      options.onFiled?.(key);
      return true;
    },
    async deadLetter({ key, size }) {
      // As SQS moves the message to the dead-letter queue, whose consumer holds the mail.
      const event = objectCreatedDelivery(options.inboundBucket, key, size, options.region);
      const held =
        options.deadLetters &&
        (await receiveUntilDone(
          event,
          options.deadLetters.maxReceiveCount,
          options.deadLetters.invoke,
          'holding dead-lettered mail',
        ));
      if (held) return;
      if (options.deadLetterFile)
        appendFileSync(options.deadLetterFile, `${JSON.stringify({ key, size })}\n`);
      log.error('intake failed repeatedly and the mail could not be held; the raw mail is kept', {
        bucket: options.inboundBucket,
        objectKey: key,
        deadLetterFile: options.deadLetterFile ?? '(log only)',
      });
    },
  });

  const undelivered = (await options.findUndelivered?.()) ?? [];
  if (undelivered.length > 0) {
    log.warn(`re-delivering ${undelivered.length} letters accepted before the last stop`, {
      bucket: options.inboundBucket,
      why: 'stored in the inbound bucket with no filing record (intake never finished them)',
    });
    for (const delivery of undelivered) queue.send(delivery);
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
          await confirmStored({ bucket: options.inboundBucket, key }, raw.byteLength);
          log.info('mail received over SMTP and stored', {
            bucket: options.inboundBucket,
            objectKey: key,
            size: raw.byteLength,
          });
          queue.send({ key, size: raw.byteLength });
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
    /** How many letters this start found stored but never filed, and delivered again. */
    redelivered: undelivered.length,
    /** Deliveries waiting and running now. */
    depth: queue.depth,
    /** Resolves when every message received so far has been through intake. */
    settled: queue.settled,
    /** Stops accepting mail, lets running deliveries finish; queued ones wait for the next start. */
    async stop(): Promise<void> {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.stop();
    },
  };
}

export type SmtpIntake = Awaited<ReturnType<typeof startSmtpIntake>>;
