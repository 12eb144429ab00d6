import { type HeldAction, type HeldPorts, resolveHeld } from '../intake/held-mail.ts';
import type { IntakeRules } from '../intake/receive-mail.ts';
import type { Actor } from '../workflow/act.ts';
import type { HeldMailRecord } from '../workflow/records.ts';
import { refused } from './errors.ts';

export interface HeldListPorts {
  listHeld(
    limit: number,
    nextToken?: string,
  ): Promise<{ items: HeldMailRecord[]; nextToken?: string }>;
}

export async function listHeldMail(
  query: { limit: number; nextToken?: string },
  ports: HeldListPorts,
) {
  const page = await ports.listHeld(query.limit, query.nextToken);
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
  action: HeldAction,
  ports: HeldPorts,
  rules: IntakeRules,
  now: Date,
) {
  const outcome = await resolveHeld(id, actor.email, action, ports, rules, now);
  if (outcome.ok) return outcome;
  throw refused(outcome.refusal);
}
