import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createTransport } from 'nodemailer';
import { inject } from 'vitest';
import { LOCAL_REGION } from '../../infra/local/cloud.ts';
import { freePort } from '../../infra/local/processes.ts';
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { act, type StaffClient } from '../../infra/local/staff-client.ts';
import type { AuditEvent, HeldMailEvent } from '../../shared/workflow/audit.ts';
import type {
  Filing,
  HeldMailRecord,
  MessageRecord,
  RequestRecord,
} from '../../shared/workflow/records.ts';
import { sesStore } from './ses-store.ts';

/** Test access to the real emulators and the real local runtime; no mocks. */
export const env = () => ({
  table: process.env.TABLE_NAME ?? '',
  inbound: process.env.INBOUND_BUCKET ?? '',
  documents: process.env.DOCUMENTS_BUCKET ?? '',
  staff: process.env.STAFF_ALERT_ADDRESS ?? '',
});

export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const s3Client = new S3Client({});

export function fixture(name: string): Buffer {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', 'mail', name));
}

/**
 * Another message with the same content: its own Message-ID, so intake files it as a new
 * letter rather than recognising the same message delivered again.
 */
export function asAnotherMessage(raw: Buffer, tag: string | number): Buffer {
  const text = raw.toString('latin1');
  return Buffer.from(
    text.replace(/^Message-ID:\s*<([^>]+)>/im, `Message-ID: <${tag}.$1>`),
    'latin1',
  );
}

export function withReference(raw: Buffer, placeholder: string, reference: string): Buffer {
  return Buffer.from(raw.toString('latin1').replaceAll(placeholder, reference), 'latin1');
}

export async function startPostroom(options: { staffUiDir?: string } = {}) {
  const smtpPort = await freePort();
  const runtime = await startLocalRuntime({
    ...options,
    smtpPort,
    apiPort: await freePort(),
    region: LOCAL_REGION,
  });
  const transport = createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
  });
  return {
    ...runtime,
    /** Sends raw MIME over SMTP, then waits until intake and notifications are done. */
    async deliver(raw: Buffer, envelopeFrom = 'sender@example.org'): Promise<void> {
      await transport.sendMail({
        envelope: { from: envelopeFrom, to: ['commissioner@office.example'] },
        raw,
      });
      await runtime.settle();
    },
    async close() {
      transport.close();
      await runtime.stop();
    },
  };
}

export async function putRaw(key: string, raw: Buffer | Uint8Array): Promise<void> {
  await s3Client.send(new PutObjectCommand({ Bucket: env().inbound, Key: key, Body: raw }));
}

export async function getItem<T>(PK: string, SK: string): Promise<T | undefined> {
  const found = await documentClient.send(
    new GetCommand({ TableName: env().table, Key: { PK, SK } }),
  );
  return found.Item as T | undefined;
}

async function queryPrefix<T>(PK: string, prefix: string): Promise<T[]> {
  const found = await documentClient.send(
    new QueryCommand({
      TableName: env().table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': PK, ':prefix': prefix },
    }),
  );
  return (found.Items ?? []) as T[];
}

export const records = {
  filing: (key: string) => getItem<Filing>(`MAIL#${env().inbound}/${key}`, 'MAIL'),
  request: (id: string) => getItem<RequestRecord>(`REQ#${id}`, 'META'),
  async byReference(reference: string): Promise<RequestRecord | undefined> {
    const pointer = await getItem<{ requestId: string }>(`REF#${reference}`, 'REF');
    return pointer && records.request(pointer.requestId);
  },
  events: (id: string) => queryPrefix<AuditEvent>(`REQ#${id}`, 'EVT#'),
  messages: (id: string) => queryPrefix<MessageRecord>(`REQ#${id}`, 'MSG#'),
  notifications: (id: string) =>
    queryPrefix<{ state: string; recipient: string; kind: string }>(`REQ#${id}`, 'NOTIFY#'),
  held: (id: string) => getItem<HeldMailRecord>(`HELD#${id}`, 'HELD'),
  heldEvents: (id: string) => queryPrefix<HeldMailEvent>(`HELD#${id}`, 'EVT#'),
  async requestsInStage(stage: string): Promise<RequestRecord[]> {
    const found = await documentClient.send(
      new QueryCommand({
        TableName: env().table,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :stage',
        ExpressionAttributeValues: { ':stage': `STAGE#${stage}` },
      }),
    );
    return (found.Items ?? []) as RequestRecord[];
  },
  /** Held mail still waiting for staff; or, with `resolved`, what staff took out of it. */
  async heldMail(resolved = false): Promise<HeldMailRecord[]> {
    const found = await documentClient.send(
      new QueryCommand({
        TableName: env().table,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :held',
        ExpressionAttributeValues: { ':held': resolved ? 'HELD#RESOLVED' : 'HELD' },
      }),
    );
    return (found.Items ?? []) as HeldMailRecord[];
  },
};

export async function documentText(key: string, bucket = env().documents): Promise<string> {
  const object = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToString()) ?? '';
}

export async function documentObject(key: string) {
  const object = await s3Client.send(new GetObjectCommand({ Bucket: env().documents, Key: key }));
  return { contentType: object.ContentType, bytes: await object.Body?.transformToByteArray() };
}

export async function documentKeys(prefix: string): Promise<string[]> {
  const listed = await s3Client.send(
    new ListObjectsV2Command({ Bucket: env().documents, Prefix: prefix }),
  );
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

export async function inboundKeys(): Promise<string[]> {
  const listed = await s3Client.send(
    new ListObjectsV2Command({ Bucket: env().inbound, Prefix: 'inbound/' }),
  );
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

export type { SentMail } from './ses-store.ts';

export const sentMail = sesStore(() => `http://127.0.0.1:${inject('sesPort')}`);

export { act, staffClient } from '../../infra/local/staff-client.ts';

/** Accepts a received request, schedules the given meeting and records it as held. */
export async function walkToHeld(
  api: StaffClient,
  requestId: string,
  meeting: Record<string, unknown>,
) {
  for (const [action, fields] of [
    ['accept', {}],
    ['schedule', meeting],
    ['record_held', {}],
  ] as const) {
    const result = await act(api, staff.caseworker, requestId, action, fields);
    if (result.status !== 200) throw new Error(`${action} failed: ${JSON.stringify(result.body)}`);
  }
}

export const staff = {
  caseworker: 'cara.caseworker@office.example',
  otherCaseworker: 'colin.caseworker@office.example',
  approver: 'amir.approver@office.example',
  admin: 'ada.admin@office.example',
};

/** The stream event of one item's insert, as the table stream delivers it (again, in tests). */
export function insertedOnStream(item: object): DynamoDBStreamEvent {
  return {
    Records: [
      {
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        dynamodb: {
          SequenceNumber: '1',
          NewImage: marshall(item, { removeUndefinedValues: true }) as never,
        },
      },
    ],
  };
}
