import { officeDate } from '../dates.ts';
import type * as z from '../zod.ts';
import { type AuditEvent, sealEvent } from './audit.ts';
import type { RequestRecord } from './records.ts';
import type { Actor, ActRules, Refusal } from './rules.ts';
import { closedStages, type Stage } from './stages.ts';
import {
  type ActionContext,
  actionSpecs,
  availableActions,
  findTransition,
  isAction,
  offeredActions,
  withheldFrom,
} from './transitions.ts';

export type { Actor, ActRules, Refusal } from './rules.ts';

export type Decision =
  | { ok: true; request: RequestRecord; event: AuditEvent }
  | { ok: false; refusal: Refusal };

export function fieldErrors(error: z.core.$ZodError, prefix: string[] = []) {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.') || '(body)',
    message: issue.message,
  }));
}

/** The date the list sorts a request by in its stage: whatever is due next. */
export function dueDate(request: RequestRecord, timeZone: string): string {
  switch (request.stage) {
    case 'scheduled':
      // The office's calendar day: a 00:30 BST meeting is on that day, not the UTC one before.
      return request.meeting
        ? officeDate(new Date(request.meeting.start), timeZone)
        : request.replyBy;
    case 'held':
    case 'drafting':
    case 'in_review':
      return request.noteDueBy ?? request.replyBy;
    case 'approved':
      return officeDate(new Date(request.publishAt ?? request.lastMessageAt), timeZone);
    // A closed request owes nobody anything: it sorts by the day it closed, from which
    // retention counts, so disposal finds those past their period from the index alone.
    // (Requests closed before closedAt was recorded keep their reply-by date until their
    // next write; disposal reads their closing from the audit trail.)
    case 'declined':
    case 'withdrawn':
    case 'closed':
    case 'published':
      return request.closedAt ? officeDate(new Date(request.closedAt), timeZone) : request.replyBy;
    default:
      return request.replyBy;
  }
}

const isClosed = (stage: Stage) => closedStages.includes(stage);

/**
 * When the request closed, after it moves to `to`: now when it leaves an open stage for a
 * closed one; unchanged between closed stages (a takedown does not restart retention);
 * none once it is open again (a correction).
 */
function closedAtAfter(request: RequestRecord, to: Stage, now: Date): string | undefined {
  if (!isClosed(to)) return undefined;
  return isClosed(request.stage) ? request.closedAt : now.toISOString();
}

/**
 * Decides an action on a request: validates the fields, checks the stage, the roles and
 * separation of duties, and returns the changed request with its sealed audit event.
 * Pure: the caller writes both in one transaction, conditional on the version.
 */
export function decideAction(
  request: RequestRecord,
  actor: Actor,
  input: { action: unknown; expectedVersion: unknown; [field: string]: unknown },
  now: Date,
  rules: ActRules,
): Decision {
  const refuse = (refusal: Refusal): Decision => ({ ok: false, refusal });
  const { action, expectedVersion, ...fields } = input;
  if (!isAction(action)) {
    return refuse({
      code: 'invalid',
      message: `unknown action ${JSON.stringify(action)}`,
      fields: [
        { path: 'action', message: `must be one of: ${Object.keys(actionSpecs).join(', ')}` },
      ],
    });
  }
  if (typeof expectedVersion !== 'number' || !Number.isInteger(expectedVersion)) {
    return refuse({
      code: 'invalid',
      message: 'expectedVersion is required',
      fields: [{ path: 'expectedVersion', message: 'must be the integer version you last read' }],
    });
  }
  const spec = actionSpecs[action] as {
    fields: z.ZodMiniType;
    guard?: (context: ActionContext, fields: unknown) => Refusal | undefined;
    effect?: (fields: unknown, context: ActionContext) => Partial<RequestRecord>;
    audit?: (
      fields: unknown,
      next: RequestRecord,
      context: ActionContext,
    ) => Record<string, unknown>;
    offered?: (request: RequestRecord) => boolean;
  };
  const parsed = spec.fields.safeParse(fields);
  if (!parsed.success) {
    return refuse({
      code: 'invalid',
      message: `the fields for ${action} are not valid`,
      fields: fieldErrors(parsed.error),
    });
  }
  if (expectedVersion !== request.version) {
    return refuse({
      code: 'conflict',
      message: `request ${request.reference} is at version ${request.version}, not ${expectedVersion}; someone else changed it, so reload it`,
      currentVersion: request.version,
    });
  }
  if (request.disposing) {
    return refuse({
      code: 'conflict',
      message: `request ${request.reference} is being disposed of under the retention policy (since ${request.disposing.since}); nothing more can be done to it`,
    });
  }
  const row = findTransition(request.stage, action);
  if (!row) {
    const allowed = availableActions(request.stage, actor.roles);
    return refuse({
      code: 'not_allowed',
      message: `${action} is not allowed when a request is ${request.stage}; allowed: ${allowed.join(', ') || 'none'}`,
      allowed,
    });
  }
  if (!row.roles.some((role) => actor.roles.includes(role))) {
    return refuse({
      code: 'forbidden',
      message: `${action} needs the role ${row.roles.join(' or ')}; you have ${actor.roles.join(', ') || 'no role'}`,
    });
  }
  if (spec.offered && !spec.offered(request)) {
    const allowed = offeredActions(request, actor.roles);
    return refuse({
      code: 'not_allowed',
      message: `${action} does not apply to request ${request.reference} as it is now; allowed: ${allowed.join(', ') || 'none'}`,
      allowed,
    });
  }
  const withheld = withheldFrom(action, request, actor, rules);
  if (withheld) return refuse(withheld);
  const context: ActionContext = { request, actor, now, rules };
  const guarded = spec.guard?.(context, parsed.data);
  if (guarded) return refuse(guarded);

  const next: RequestRecord = {
    ...request,
    ...spec.effect?.(parsed.data, context),
    stage: row.to,
    version: request.version + 1,
    closedAt: closedAtAfter(request, row.to, now),
  };
  const details =
    spec.audit?.(parsed.data, next, context) ?? (parsed.data as Record<string, unknown>);
  const event = sealEvent(
    {
      requestId: request.id,
      seq: request.eventSeq + 1,
      action,
      actor: actor.email,
      at: now.toISOString(),
      from: request.stage,
      to: row.to,
      details,
    },
    request.lastHash,
  );
  next.eventSeq = event.seq;
  next.lastHash = event.hash;
  return { ok: true, request: next, event };
}

/** An action to decide: its name, the version it was decided from, and its fields. */
export type ActionInput = { action: unknown; expectedVersion: unknown; [field: string]: unknown };

/** What performing an action needs from the store. */
export interface PerformPorts<Effects> {
  getRequest(id: string): Promise<RequestRecord | undefined>;
  /** Writes the decision if the request is still as read; 'stale' when it moved on. */
  applyAction(
    previous: Pick<RequestRecord, 'version' | 'eventSeq'>,
    request: RequestRecord,
    event: AuditEvent,
    effects?: Effects,
  ): Promise<'applied' | 'stale'>;
}

export type Performed =
  | { ok: true; before: RequestRecord; request: RequestRecord; event: AuditEvent }
  | { ok: false; refusal: Refusal };

/**
 * Decides an action on the request as it is now and writes it with its audit event. A
 * write that loses only to an appended event (intake filing a reply: the chain moved,
 * the version did not) is decided again on fresh data; a version someone else changed
 * is the decision's own conflict refusal. `prepare` builds the action from the request
 * as read, or refuses it (the same check then holds on every attempt).
 */
export async function performAction<Effects>(
  id: string,
  actor: Actor,
  prepare: (
    request: RequestRecord,
  ) => ActionInput | { refusal: Refusal } | Promise<ActionInput | { refusal: Refusal }>,
  ports: PerformPorts<Effects>,
  rules: ActRules,
  now: Date,
  effects?: Effects,
): Promise<Performed> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const request = await ports.getRequest(id);
    if (!request)
      return { ok: false, refusal: { code: 'not_found', message: `request ${id} does not exist` } };
    const input = await prepare(request);
    if ('refusal' in input && !('action' in input)) return { ok: false, refusal: input.refusal };
    const decision = decideAction(request, actor, input as ActionInput, now, rules);
    if (!decision.ok) return decision;
    if ((await ports.applyAction(request, decision.request, decision.event, effects)) === 'applied')
      return { ok: true, before: request, request: decision.request, event: decision.event };
  }
  return {
    ok: false,
    refusal: {
      code: 'conflict',
      message: `request ${id} kept changing while we tried to save; reload and try again`,
    },
  };
}
