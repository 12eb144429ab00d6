import type { Actor } from '../workflow/act.ts';
import { type Role, roles } from '../workflow/transitions.ts';
import { ApiError } from './errors.ts';

/**
 * The acting person, from the JWT claims API Gateway's authorizer passes on (Cognito:
 * sub, email, name, cognito:groups). Groups arrive as an array, or as the string
 * "[caseworker admin]" that API Gateway makes of a list claim.
 */
export function actorFromClaims(claims: Record<string, unknown> | undefined): Actor {
  if (!claims || typeof claims.sub !== 'string') {
    throw new ApiError(
      401,
      'unauthenticated',
      'sign in first: send a bearer token from the identity provider',
    );
  }
  // Who did what (the audit trail, separation of duties) is kept by email address, so a
  // token must name one: Cognito's ID token, which the staff UI sends, does; its access
  // token does not, and the same person holding one must not act as someone new.
  if (claims.token_use !== undefined && claims.token_use !== 'id') {
    throw new ApiError(
      401,
      'unauthenticated',
      `send the ID token the staff UI signs in with, not an ${String(claims.token_use)} token`,
    );
  }
  if (typeof claims.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(claims.email)) {
    throw new ApiError(
      401,
      'unauthenticated',
      'the token names no email address: sign in through the staff UI, which sends one',
    );
  }
  const raw = claims['cognito:groups'];
  // API Gateway makes a list claim the string "[caseworker admin]": space-separated, as
  // Cognito group names hold no spaces (they may hold commas, so commas do not split).
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw
          .replace(/^\[|\]$/g, '')
          .split(/\s+/)
          .filter(Boolean)
      : [];
  const email = claims.email.toLowerCase();
  return {
    id: claims.sub,
    email,
    name: typeof claims.name === 'string' ? claims.name : email,
    roles: groups.filter((group): group is Role => (roles as readonly string[]).includes(group)),
  };
}

export function requireRole(actor: Actor, ...allowed: Role[]): void {
  if (!actor.roles.some((role) => allowed.includes(role))) {
    throw new ApiError(
      403,
      'forbidden',
      `this needs the role ${allowed.join(' or ')}; you have ${actor.roles.join(', ') || 'no role'}`,
    );
  }
}
