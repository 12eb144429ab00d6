import {
  CognitoIdentityProviderClient,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { StaffMember } from '../staff/directory.ts';
import { roles } from '../workflow/transitions.ts';
import * as z from '../zod.ts';

/** How long a warm function trusts the list it read: a new colleague is assignable within it. */
const CACHE_MS = 5 * 60 * 1000;

const localStaffSchema = z.array(
  z.object({
    email: z.email(),
    name: z.string(),
    roles: z.array(z.enum(roles)),
  }),
);

/**
 * The staff directory: the user pool's role groups on AWS (USER_POOL_ID), or the list
 * STAFF_USERS gives locally, where there is no user pool. With neither, it lists nobody,
 * and assigning is refused with a message that says so.
 */
export function staffDirectory(settings: { USER_POOL_ID?: string; STAFF_USERS?: string }) {
  const { USER_POOL_ID: poolId, STAFF_USERS: local } = settings;
  if (!poolId) {
    const members: StaffMember[] = local ? localStaffSchema.parse(JSON.parse(local)) : [];
    return { staffMembers: async () => members };
  }
  const cognito = new CognitoIdentityProviderClient({});
  let cached: { at: number; members: Promise<StaffMember[]> } | undefined;
  const read = async (): Promise<StaffMember[]> => {
    const byEmail = new Map<string, StaffMember>();
    for (const role of roles) {
      let token: string | undefined;
      do {
        const page = await cognito.send(
          new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: role, NextToken: token }),
        );
        for (const user of page.Users ?? []) add(byEmail, user, role);
        token = page.NextToken;
      } while (token);
    }
    return [...byEmail.values()];
  };
  return {
    staffMembers(): Promise<StaffMember[]> {
      if (!cached || Date.now() - cached.at > CACHE_MS) {
        const members = read();
        // A failed read is not remembered: the next call asks again.
        members.catch(() => {
          cached = undefined;
        });
        cached = { at: Date.now(), members };
      }
      return cached.members;
    },
  };
}

/** A user pool member, by their email; disabled users are not staff. */
function add(byEmail: Map<string, StaffMember>, user: UserType, role: (typeof roles)[number]) {
  if (user.Enabled === false) return;
  const attribute = (name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;
  const email = attribute('email')?.toLowerCase();
  if (!email) return;
  const member = byEmail.get(email) ?? { email, name: attribute('name') ?? email, roles: [] };
  member.roles.push(role);
  byEmail.set(email, member);
}
