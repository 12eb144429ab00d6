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
  const raw = claims['cognito:groups'];
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw
          .replace(/^\[|\]$/g, '')
          .split(/[\s,]+/)
          .filter(Boolean)
      : [];
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : claims.sub;
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
