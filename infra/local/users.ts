import { jwtVerify, SignJWT } from 'jose';

/**
 * Local sign-in: seeded staff, one per role, and HS256 tokens carrying the same claims
 * Cognito puts in an ID token (sub, email, name, cognito:groups). On AWS, Cognito issues
 * the tokens and API Gateway's JWT authorizer checks them; nothing here ships.
 */
export const seededUsers = [
  {
    sub: 'local-caseworker',
    email: 'cara.caseworker@office.example',
    name: 'Cara Caseworker',
    groups: ['caseworker'],
  },
  {
    sub: 'local-caseworker-2',
    email: 'colin.caseworker@office.example',
    name: 'Colin Caseworker',
    groups: ['caseworker'],
  },
  {
    sub: 'local-approver',
    email: 'amir.approver@office.example',
    name: 'Amir Approver',
    groups: ['approver'],
  },
  { sub: 'local-admin', email: 'ada.admin@office.example', name: 'Ada Admin', groups: ['admin'] },
] as const;

/** STAFF_USERS for local mode: the seeded users are the staff a request may be assigned to. */
export const seededStaffSetting = () =>
  JSON.stringify(
    seededUsers.map((user) => ({ email: user.email, name: user.name, roles: [...user.groups] })),
  );

const secret = new TextEncoder().encode('postroom-local-only-signing-key-not-for-aws');
export const LOCAL_ISSUER = 'postroom-local';
/** The staff UI's client, as Cognito names the app client a token was issued to. */
export const LOCAL_AUDIENCE = 'postroom-local-staff-ui';

export async function localToken(email: string, lifetime = '12h'): Promise<string> {
  const user = seededUsers.find((candidate) => candidate.email === email);
  if (!user)
    throw new Error(
      `no seeded user ${email}; choose one of ${seededUsers.map((u) => u.email).join(', ')}`,
    );
  return signLocalToken(
    { sub: user.sub, email: user.email, name: user.name, 'cognito:groups': [...user.groups] },
    { lifetime },
  );
}

/**
 * A token signed with the local key, with the claims given: what localToken issues, and,
 * for the authorisation tests, what it would never issue (no groups, the groups as API
 * Gateway's string, another issuer or audience, no expiry, one already expired).
 */
export function signLocalToken(
  claims: { sub: string } & Record<string, unknown>,
  options: { lifetime?: string | null; issuer?: string; audience?: string; expiredAt?: Date } = {},
): Promise<string> {
  const { sub, ...rest } = claims;
  const jwt = new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setAudience(options.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt();
  if (options.expiredAt) jwt.setExpirationTime(options.expiredAt);
  else if (options.lifetime !== null) jwt.setExpirationTime(options.lifetime ?? '12h');
  return jwt.sign(secret);
}

/**
 * What API Gateway's JWT authorizer checks, locally: the signature with the one expected
 * algorithm (never `none`, never another), the issuer, the audience, and an expiry that
 * must be there and not past. Any failure is a 401 at the API.
 */
export async function verifyLocalToken(token: string): Promise<Record<string, unknown>> {
  const { payload } = await jwtVerify(token, secret, {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    algorithms: ['HS256'],
    requiredClaims: ['exp', 'sub'],
  });
  return payload as Record<string, unknown>;
}
