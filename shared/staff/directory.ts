import type { Refusal } from '../workflow/rules.ts';
import type { roles } from '../workflow/transitions.ts';

/**
 * The office's staff: who may be given a request. On AWS they are the members of the user
 * pool's role groups; locally, the seeded users. Nobody else can be assigned work, so a
 * request is never handed to an address outside the office.
 */
export interface StaffMember {
  email: string;
  name: string;
  roles: Array<(typeof roles)[number]>;
}

export interface DirectoryPorts {
  staffMembers(): Promise<StaffMember[]>;
}

/** The staff, by name, for the assign list. */
export async function listStaff(ports: DirectoryPorts): Promise<{ items: StaffMember[] }> {
  const members = await ports.staffMembers();
  return { items: [...members].sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Why this address cannot be given a request: it is not a member of staff. */
export function assigneeRefusal(
  address: string,
  members: readonly StaffMember[],
): Refusal | undefined {
  if (members.some((member) => member.email.toLowerCase() === address.toLowerCase()))
    return undefined;
  return {
    code: 'unprocessable',
    message: `${address} is not a member of staff, so the request cannot be assigned to them`,
    fields: [
      {
        path: 'assignee',
        message: members.length
          ? `must be one of the staff: ${members.map((member) => member.email).join(', ')}`
          : 'must be a member of staff, and the staff directory lists nobody',
      },
    ],
  };
}
