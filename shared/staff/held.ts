import { type HeldPorts, heldActionSchema, resolveHeld } from '../intake/held-mail.ts';
import type { IntakeRules } from '../intake/receive-mail.ts';
import type { Actor } from '../workflow/act.ts';
import { fieldErrors } from '../workflow/act.ts';
import type { HeldMailRecord } from '../workflow/records.ts';
import { ApiError, badRequest } from './errors.ts';
import { requireRole } from './identity.ts';

export interface HeldListPorts {
  listHeld(
    limit: number,
    nextToken?: string,
  ): Promise<{ items: HeldMailRecord[]; nextToken?: string }>;
}

export async function listHeldMail(
  query: Record<string, string | undefined>,
  actor: Actor,
  ports: HeldListPorts,
) {
  requireRole(actor, 'caseworker', 'approver', 'admin');
  const limit = Math.min(100, Math.max(1, Number(query.limit ?? 50) || 50));
  const page = await ports.listHeld(limit, query.nextToken);
  return {
    items: page.items.map(({ id, reason, detail, receivedAt, from, subject, raw }) => ({
      id,
      reason,
      detail,
      receivedAt,
      from: from ?? null,
      subject: subject ?? null,
      raw,
    })),
    nextToken: page.nextToken ?? null,
  };
}

export async function actOnHeldMail(
  id: string,
  actor: Actor,
  body: unknown,
  ports: HeldPorts,
  rules: IntakeRules,
  now: Date,
) {
  requireRole(actor, 'caseworker', 'admin');
  const parsed = heldActionSchema.safeParse(body);
  if (!parsed.success) {
    throw badRequest(
      'the body must be {"action":"attach","requestId":…}, {"action":"open"}, {"action":"discard","reason":…} or {"action":"retry"}',
      fieldErrors(parsed.error),
    );
  }
  const outcome = await resolveHeld(id, actor.email, parsed.data, ports, rules, now);
  if (outcome.ok) return outcome;
  if (outcome.status === 400)
    throw badRequest(outcome.message, [
      { path: outcome.field ?? '(body)', message: outcome.message },
    ]);
  const codes = { 404: 'not_found', 409: 'conflict', 422: 'not_allowed' } as const;
  throw new ApiError(outcome.status, codes[outcome.status], outcome.message);
}
