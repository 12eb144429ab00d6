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

const secret = new TextEncoder().encode('postroom-local-only-signing-key-not-for-aws');
export const LOCAL_ISSUER = 'postroom-local';

export async function localToken(email: string, lifetime = '12h'): Promise<string> {
  const user = seededUsers.find((candidate) => candidate.email === email);
  if (!user)
    throw new Error(
      `no seeded user ${email}; choose one of ${seededUsers.map((u) => u.email).join(', ')}`,
    );
  return new SignJWT({ email: user.email, name: user.name, 'cognito:groups': [...user.groups] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.sub)
    .setIssuer(LOCAL_ISSUER)
    .setIssuedAt()
    .setExpirationTime(lifetime)
    .sign(secret);
}

export async function verifyLocalToken(token: string): Promise<Record<string, unknown>> {
  const { payload } = await jwtVerify(token, secret, { issuer: LOCAL_ISSUER });
  return payload as Record<string, unknown>;
}
