import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTransport } from 'nodemailer';
import { type AuditEvent, headOf, verifyChain } from '../../shared/workflow/audit.ts';
import type { Filing, HeldMailRecord, RequestRecord } from '../../shared/workflow/records.ts';
import { type SentMail, sesStore } from '../support/ses-store.ts';

/**
 * What the load and crash scripts share: distinct letters, concurrent SMTP senders, a
 * watch on the SES emulator's store, and one read of the whole table that the checks use.
 * The SDK clients read the emulators' endpoints from the environment, so set it first.
 */

/** One letter, findable everywhere by the token in its subject and body. */
export interface Letter {
  token: string;
  from: string;
  subject: string;
  text: string;
}

/** A run's name: `pr` and six letters or digits, so tokens are easy to find and never clash. */
export function runName(): string {
  return `pr${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
}

const tokenOf = (text: string | undefined) => /\bpr[a-z0-9]{6}-\d{4}\b/.exec(text ?? '')?.[0];

export function makeLetters(count: number, run: string, offset = 0): Letter[] {
  return Array.from({ length: count }, (_, index) => {
    const serial = offset + index + 1;
    const token = `${run}-${String(serial).padStart(4, '0')}`;
    return {
      token,
      // A sender of its own, so the acknowledgement allowance (5 an hour) never applies.
      from: `Writer ${serial} <writer${serial}.${run}@org${serial}.example>`,
      subject: `Request for a meeting ${token}`,
      text: `Dear Commissioner,\n\nWe would welcome a meeting about our work (${token}).\n\nKind regards\nWriter ${serial}\nOrganisation ${serial} Ltd\n`,
    };
  });
}

export interface Sent {
  letter: Letter;
  /** Answered 250, with the inbound object key intake stored it under. */
  accepted: boolean;
  key?: string;
  error?: string;
  /** Nothing listened: the letter was certainly not taken, and may be sent again. */
  refused?: boolean;
  /** performance.now() when the answer came. */
  answeredAt: number;
}

/**
 * Sends letters over SMTP from `clients` connections at once, each taking the next letter
 * when its last one is answered. Stops taking letters once `stop()` says so.
 */
export async function sendLetters(options: {
  port: number;
  letters: readonly Letter[];
  clients: number;
  to: string;
  onAnswer?: (sent: Sent) => void;
  stop?: () => boolean;
}): Promise<Sent[]> {
  const results: Sent[] = [];
  let next = 0;
  const client = async () => {
    const transport = createTransport({
      host: '127.0.0.1',
      port: options.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
      connectionTimeout: 10_000,
      socketTimeout: 30_000,
    });
    try {
      for (;;) {
        if (options.stop?.()) return;
        const letter = options.letters[next];
        next += 1;
        if (!letter) return;
        let sent: Sent;
        try {
          const info = await transport.sendMail({
            from: letter.from,
            to: options.to,
            subject: letter.subject,
            text: letter.text,
          });
          const key = /stored as (\S+)/.exec(String(info.response))?.[1];
          sent = { letter, accepted: true, key, answeredAt: performance.now() };
        } catch (error) {
          const message = (error as Error).message;
          sent = {
            letter,
            accepted: false,
            error: message,
            refused: /ECONNREFUSED/.test(message),
            answeredAt: performance.now(),
          };
        }
        results.push(sent);
        options.onAnswer?.(sent);
      }
    } finally {
      transport.close();
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  return results;
}

/** Watches the SES emulator's store, noting when (Date.now()) each mail was first seen. */
export function watchSentMail(sesPort: number, everyMs = 250) {
  const store = sesStore(() => `http://127.0.0.1:${sesPort}`);
  const seen = new Map<string, { mail: SentMail; firstSeen: number }>();
  let newest = 0;
  let stopped = false;
  const poll = async () => {
    const mails = await store.all(newest > 0 ? newest - 1 : undefined);
    const now = Date.now();
    for (const mail of mails) {
      newest = Math.max(newest, mail.at);
      if (!seen.has(mail.messageId)) seen.set(mail.messageId, { mail, firstSeen: now });
    }
  };
  const loop = (async () => {
    while (!stopped) {
      // The emulator is killed with the rest of the stack in the crash script.
      await poll().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    seen,
    /** One more look, then stop. */
    async stop(): Promise<void> {
      stopped = true;
      await loop;
      await poll().catch(() => undefined);
    },
    /** The emulator forgets everything when it restarts: look from the start again. */
    restarted() {
      newest = 0;
    },
  };
}

export const isAcknowledgement = (mail: SentMail) => mail.subject.includes('We have received');

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

type Item = Record<string, unknown> & { PK: string; SK: string };

/** The whole table, read once and grouped: what the checks look at. */
export async function readTable(tableName: string, inboundBucket: string) {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  client.destroy();
  const filingPrefix = `MAIL#${inboundBucket}/`;
  const filings = new Map<string, Filing>();
  const requests: RequestRecord[] = [];
  const held: HeldMailRecord[] = [];
  const events = new Map<string, AuditEvent[]>();
  const claims = new Map<string, Array<{ SK: string; state: string; kind: string }>>();
  for (const item of items) {
    if (item.PK.startsWith(filingPrefix))
      filings.set(item.PK.slice(filingPrefix.length), item as unknown as Filing);
    else if (item.type === 'request') requests.push(item as unknown as RequestRecord);
    else if (item.type === 'held') held.push(item as unknown as HeldMailRecord);
    else if (item.PK.startsWith('REQ#') && item.SK.startsWith('EVT#')) {
      const id = item.PK.slice(4);
      events.set(id, [...(events.get(id) ?? []), item as unknown as AuditEvent]);
    } else if (item.PK.startsWith('REQ#') && item.SK.startsWith('NOTIFY#')) {
      const id = item.PK.slice(4);
      claims.set(id, [
        ...(claims.get(id) ?? []),
        item as unknown as { SK: string; state: string; kind: string },
      ]);
    }
  }
  return { items: items.length, filings, requests, held, events, claims };
}

export type TableView = Awaited<ReturnType<typeof readTable>>;

/** Every key under `inbound/` in the inbound bucket. */
export async function inboundObjects(bucket: string): Promise<string[]> {
  const client = new S3Client({});
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'inbound/', ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
    token = page.NextContinuationToken;
  } while (token);
  client.destroy();
  return keys;
}

/** A list of failed checks, printed and turned into the exit code. */
export class Checks {
  readonly failures: string[] = [];
  check(ok: boolean, what: string, detail = ''): boolean {
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
    if (!ok) this.failures.push(what);
    return ok;
  }
  note(what: string) {
    console.log(`  note ${what}`);
  }
}

const sample = (values: readonly string[]) =>
  values.length > 5 ? `${values.slice(0, 5).join(', ')} … (${values.length})` : values.join(', ');

/**
 * The letter checks both scripts make: each accepted letter is a request or held mail
 * exactly once, each request's acknowledgement went out exactly once, and references are
 * unique. Returns the request each token became.
 */
export function checkLetters(
  checks: Checks,
  view: TableView,
  accepted: readonly Sent[],
  mail: readonly SentMail[],
  options: {
    /** Requests whose acknowledgement's outcome is unknown (cut off mid-send). */
    unknownAcknowledgements?: ReadonlySet<string>;
    /** Requests whose acknowledgement SES took, though the store (restarted) lost it. */
    sentButUnseen?: ReadonlySet<string>;
  } = {},
) {
  const requestsByToken = new Map<string, RequestRecord[]>();
  for (const request of view.requests) {
    const token = tokenOf(request.subject);
    if (token) requestsByToken.set(token, [...(requestsByToken.get(token) ?? []), request]);
  }
  const heldByToken = new Map<string, HeldMailRecord[]>();
  for (const heldMail of view.held) {
    const token = tokenOf(heldMail.subject);
    if (token) heldByToken.set(token, [...(heldByToken.get(token) ?? []), heldMail]);
  }
  const acknowledgements = new Map<string, number>();
  for (const sent of mail.filter(isAcknowledgement)) {
    // An acknowledgement's subject no longer repeats the letter's; its body quotes it.
    const token = tokenOf(sent.subject) ?? tokenOf(sent.body.text ?? '');
    if (token) acknowledgements.set(token, (acknowledgements.get(token) ?? 0) + 1);
  }

  const lost: string[] = [];
  const duplicated: string[] = [];
  const unfiled: string[] = [];
  const ackMissing: string[] = [];
  const ackTwice: string[] = [];
  const ackUnknown: string[] = [];
  const ackUnseen: string[] = [];
  let asRequests = 0;
  let asHeld = 0;
  for (const sent of accepted) {
    const token = sent.letter.token;
    const requests = requestsByToken.get(token) ?? [];
    const held = heldByToken.get(token) ?? [];
    if (requests.length + held.length === 0) lost.push(token);
    if (requests.length + held.length > 1) duplicated.push(token);
    if (sent.key && !view.filings.has(sent.key)) unfiled.push(`${token} (${sent.key})`);
    asRequests += requests.length > 0 ? 1 : 0;
    asHeld += requests.length === 0 && held.length > 0 ? 1 : 0;
    if (requests.length === 0) continue;
    const count = acknowledgements.get(token) ?? 0;
    const requestId = requests[0]?.id ?? '';
    if (count > 1) ackTwice.push(`${token} ×${count}`);
    else if (count === 0 && options.unknownAcknowledgements?.has(requestId)) ackUnknown.push(token);
    else if (count === 0 && options.sentButUnseen?.has(requestId)) ackUnseen.push(token);
    else if (count === 0) ackMissing.push(token);
  }
  checks.check(
    lost.length === 0,
    `every accepted letter is a request or held mail (${asRequests} requests, ${asHeld} held, of ${accepted.length})`,
    lost.length ? `lost: ${sample(lost)}` : '',
  );
  checks.check(
    duplicated.length === 0,
    'no letter became two requests or held mails',
    sample(duplicated),
  );
  checks.check(
    unfiled.length === 0,
    'every accepted object has its filing record',
    sample(unfiled),
  );
  checks.check(ackTwice.length === 0, 'no acknowledgement was sent twice', sample(ackTwice));
  checks.check(
    ackMissing.length === 0,
    'every request was acknowledged',
    ackMissing.length ? `missing: ${sample(ackMissing)}` : '',
  );
  if (ackUnseen.length > 0)
    checks.note(
      `${ackUnseen.length} acknowledgement(s) were taken by SES just before a kill and lost with the emulator's memory (their claims say sent): ${sample(ackUnseen)}`,
    );
  if (ackUnknown.length > 0)
    checks.note(
      `${ackUnknown.length} acknowledgement(s) were cut off mid-send by the kill; they are recorded on their requests as not delivered, for staff to resend (never resent automatically): ${sample(ackUnknown)}`,
    );

  const references = view.requests.map((request) => request.reference);
  const unique = new Set(references);
  checks.check(
    unique.size === references.length,
    `references are unique (${references.length})`,
    references.length - unique.size > 0 ? `${references.length - unique.size} repeated` : '',
  );
  const numbers = references
    .map((reference) => Number(reference.split('-')[2]))
    .sort((a, b) => a - b);
  const gaps = numbers.filter((n, index) => n !== index + 1).length;
  console.log(
    `  info references ${gaps === 0 ? 'are gapless' : `have gaps (${numbers.length} requests, highest ${numbers.at(-1)})`}`,
  );
  return { requestsByToken };
}

/** Every request's audit events form an unbroken hash chain ending at the request's head. */
export function checkAuditChains(checks: Checks, view: TableView) {
  const broken: string[] = [];
  for (const request of view.requests) {
    // Seq order is key order: keys are the zero-padded seq.
    const events = (view.events.get(request.id) ?? []).sort((a, b) => a.seq - b.seq);
    const verification = verifyChain(events, headOf(request));
    if (!verification.intact)
      broken.push(
        `${request.reference} (breaks at ${verification.brokenAt}: ${verification.reason})`,
      );
  }
  checks.check(
    broken.length === 0,
    `every audit chain verifies (${view.requests.length} requests, ${[...view.events.values()].reduce((sum, events) => sum + events.length, 0)} events)`,
    sample(broken),
  );
}
