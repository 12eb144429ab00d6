import { api, get } from './api.ts';
import type { Action, MessageContent, RequestDetail } from './types.ts';

/** The request calls every page shares. */
export const requestPath = (id: string) => `/requests/${encodeURIComponent(id)}`;

export const loadDetail = (id: string) =>
  get<RequestDetail>(`/api/requests/${encodeURIComponent(id)}`);

/** What a message says, received or a reply staff wrote: its text, and HTML where it had it. */
export const loadMessage = (id: string, key: string) =>
  get<MessageContent>(
    `/api/requests/${encodeURIComponent(id)}/messages/${encodeURIComponent(key)}`,
  );

/** Performs an action at the version this page read; a stale version is a 409. */
export const act = (detail: RequestDetail, action: Action, fields: Record<string, unknown> = {}) =>
  api<unknown>('POST', `/api/requests/${encodeURIComponent(detail.id)}/actions`, {
    action,
    expectedVersion: detail.version,
    ...fields,
  });

/** The page for an action, where it has one: /requests/{id}/request-changes. */
export const actionPath = (id: string, action: Action) =>
  `${requestPath(id)}/${action.replace(/_/g, '-')}`;

/** What the person is told once an action is done. */
export const doneMessages: Record<Action, string> = {
  accept: 'Request accepted. The requester has been told.',
  decline: 'Request declined. The requester has been told why.',
  schedule: 'Meeting scheduled. The invitation has been sent.',
  reschedule: 'Meeting rescheduled. The new invitation has been sent.',
  record_held: 'Meeting recorded as held. The note is now due.',
  save_draft: 'Note saved.',
  submit_note: 'Note submitted for approval. The approvers have been told.',
  request_changes: 'Changes requested. The person who submitted the note has been told.',
  approve: 'Note approved. It will be published automatically.',
  withdraw: 'Request withdrawn. The requester has been told.',
  review_redactions: 'Redaction decisions saved.',
  correct: 'Correction opened. The note is back in draft.',
  takedown: 'The published note has been taken down.',
  publish: 'Publication recorded.',
  assign: 'Request assigned.',
  comment: 'Internal note added. Only staff can see it.',
  hold: 'The request is on legal hold. Nothing of it will be disposed of until the hold is released.',
  release_hold: 'Legal hold released. The retention policy applies again.',
  resend_notification: 'The mail is being sent again. This page shows if it fails again.',
  reply: 'Reply sent.',
  close: 'Request closed.',
  revoke_approval: 'Approval revoked. The note is back in review and will not be published.',
  reopen: 'Request reopened. It is back in triage, and the requester has been told.',
  extend_deadline: 'Deadline extended.',
};

/** The first letter: the inbound message that opened the request. */
export const firstLetter = (detail: RequestDetail) =>
  detail.messages
    .filter((message) => message.direction === 'inbound')
    .sort((a, b) => a.at.localeCompare(b.at))[0];
