import {
  type OpenedRequest,
  type OpenedRequestPorts,
  openRequestByHand,
} from '../correspondence/opened-requests.ts';
import { newUpload, type UploadRecord, type UploadRequest } from '../correspondence/uploads.ts';
import type { DeadlineRules } from '../intake/filing.ts';
import type { Actor } from '../workflow/rules.ts';
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
