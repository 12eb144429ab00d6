import {
  type OpenedRequest,
  type OpenedRequestPorts,
  openRequestByHand,
} from '../correspondence/opened-requests.ts';
import {
  type Office,
  type ReplyBody,
  type ReplyPorts,
  sendReply,
} from '../correspondence/replies.ts';
import { newUpload, type UploadRecord, type UploadRequest } from '../correspondence/uploads.ts';
import type { DeadlineRules } from '../intake/filing.ts';
import type { Actor, ActRules } from '../workflow/rules.ts';
import { refused } from './errors.ts';

/** What giving out an upload URL needs. */
export interface UploadIssuePorts {
  presignUpload(upload: UploadRecord): Promise<string>;
  recordUpload(upload: UploadRecord): Promise<void>;
}

/**
 * Gives a URL to PUT one file to. Signed first, so a failure records nothing; the record
 * says who asked, and what they declared, which is all a claim will accept.
 */
export async function createUpload(
  body: UploadRequest,
  actor: Actor,
  ports: UploadIssuePorts,
  now: Date,
) {
  const upload = newUpload(body, actor.email, now);
  const url = await ports.presignUpload(upload);
  await ports.recordUpload(upload);
  return { uploadId: upload.id, url };
}

/** Sends a reply on the thread; answers with the message as stored, and how sending goes. */
export async function reply(
  id: string,
  body: ReplyBody,
  actor: Actor,
  ports: ReplyPorts,
  rules: ActRules,
  office: Office,
  now: Date,
) {
  const outcome = await sendReply(id, actor, body, ports, rules, office, now);
  if (!outcome.ok) throw refused(outcome.refusal);
  const { message } = outcome;
  return {
    key: message.key,
    direction: 'outbound' as const,
    at: message.at,
    from: message.from,
    to: message.to,
    ...(message.cc ? { cc: message.cc } : {}),
    subject: message.subject,
    messageId: message.messageId ?? '',
    author: actor.email,
    status: 'sending' as const,
    attachments: (message.documents?.attachments ?? []).map(({ filename, contentType, size }) => ({
      filename,
      contentType,
      size,
    })),
  };
}

/** Opens a request by hand; a refusal is the API's error, naming what to put right. */
export async function openRequest(
  body: OpenedRequest,
  actor: Actor,
  ports: OpenedRequestPorts,
  rules: DeadlineRules,
  now: Date,
) {
  const outcome = await openRequestByHand(body, actor.email, ports, rules, now);
  if (!outcome.ok) throw refused(outcome.refusal);
  return { id: outcome.id, reference: outcome.reference };
}
