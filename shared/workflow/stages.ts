/** The request lifecycle. The transition table that moves between them is its own module. */
export const stages = [
  'received',
  'accepted',
  'declined',
  'scheduled',
  'held',
  'drafting',
  'in_review',
  'approved',
  'published',
  'withdrawn',
  'closed',
] as const;

export type Stage = (typeof stages)[number];

/**
 * Closed: published; ended without a meeting (declined, withdrawn); or ended after it with
 * no note to publish (closed). A declined request can be reopened, and a correction
 * reopens a published one; the others stay closed.
 */
export const closedStages: readonly Stage[] = ['published', 'declined', 'withdrawn', 'closed'];

/** Stages where the office still owes someone something, in the order work moves. */
export const openStages: readonly Stage[] = stages.filter((stage) => !closedStages.includes(stage));
