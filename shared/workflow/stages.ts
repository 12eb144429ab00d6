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
] as const;

export type Stage = (typeof stages)[number];

/** Closed for good: published, or ended without a meeting. */
export const closedStages: readonly Stage[] = ['published', 'declined', 'withdrawn'];

/** Stages where the office still owes someone something, in the order work moves. */
export const openStages: readonly Stage[] = stages.filter((stage) => !closedStages.includes(stage));
